"""MongoDB persistence of the registration service: its collections, their indexes,
and `RegistrationRepository`, the only place that queries or writes them.

- `meetings`: meetings open for registration (from `agenda.meeting.scheduled`,
  or the dev seed), with the meeting-wide confirmed counter.
- `registrations`: one document per person and meeting.
- `delegations`: one counter document per delegation (a country, or an OIC
  institution/partner) and meeting. Every status change of a registration updates
  its delegation's document in the same transaction, so two transactions that
  decide about the same delegation's places always write the same document and
  MongoDB makes one of them retry (write conflict): the quota cannot be overrun.
- `focal_points`: country-scoped tokens (stored as SHA-256 digests).
- `idempotency`: first results of POSTs that carried an `Idempotency-Key` (24 h).

Methods that take a `session` run inside the caller's transaction; those without
one (or called with `session=None`) read or write on their own.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from pesnet.registration.domain.model import Status
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec

MEETINGS = "meetings"
REGISTRATIONS = "registrations"
DELEGATIONS = "delegations"
FOCAL_POINTS = "focal_points"
IDEMPOTENCY = "idempotency"

EMAIL_INDEX = "one_email_per_meeting"
IDEMPOTENCY_TTL_SECONDS = 24 * 3600

INDEXES = (
    # The guarantee behind 409 for a second registration with the same e-mail:
    # enforced by the database, not by a read-then-write.
    IndexSpec(REGISTRATIONS, [("meeting_id", 1), ("email_key", 1)], unique=True, name=EMAIL_INDEX),
    # The waitlist of a delegation, oldest first.
    IndexSpec(
        REGISTRATIONS,
        [("meeting_id", 1), ("country", 1), ("status", 1), ("registered_at", 1)],
        name="delegation_status",
    ),
    IndexSpec(REGISTRATIONS, [("manage_token_hash", 1)], name="manage_token"),
    IndexSpec(REGISTRATIONS, [("meeting_id", 1), ("checked_in_at", 1)], name="check_ins"),
    IndexSpec(DELEGATIONS, [("meeting_id", 1)], name="by_meeting"),
    IndexSpec(FOCAL_POINTS, [("token_hash", 1)], unique=True, name="token"),
    IndexSpec(
        IDEMPOTENCY,
        [("created_at", 1)],
        name="expiry",
        expire_after_seconds=IDEMPOTENCY_TTL_SECONDS,
    ),
)

# What a purge erases from a registration (status, role, country and counts remain).
PERSONAL_FIELDS = (
    "given_name",
    "family_name",
    "name_latin",
    "honorific",
    "email",
    "institution",
    "position",
    "interpretation",
    "accessibility_notes",
    "dietary_notes",
    "manage_token_hash",
    "badge_nonce",
    "rejection_reason",
)

EMAIL_TAKEN = "this e-mail address is already registered for this meeting"


def delegation_id(meeting_id: str, delegation_key: str) -> str:
    return f"{meeting_id}|{delegation_key}"


class RegistrationRepository:
    def __init__(self, db: Database) -> None:
        self.meetings = db[MEETINGS]
        self.registrations = db[REGISTRATIONS]
        self.delegations = db[DELEGATIONS]
        self.focal_points = db[FOCAL_POINTS]
        self.idempotency = db[IDEMPOTENCY]

    # meetings --------------------------------------------------------------

    async def get_meeting(
        self, meeting_id: str, session: DbSession | None = None
    ) -> Document | None:
        return await self.meetings.find_one({"_id": meeting_id}, session=session)

    async def save_meeting(self, meeting_id: str, fields: Document, session: DbSession) -> None:
        """Create or update the meeting; its confirmed counter starts at 0 (then moved
        by `add_to_confirmed_total`)."""
        await self.meetings.update_one(
            {"_id": meeting_id},
            {"$set": fields, "$setOnInsert": {"confirmed_total": 0}},
            upsert=True,
            session=session,
        )

    async def add_to_confirmed_total(
        self, meeting_id: str, change: int, session: DbSession
    ) -> None:
        # written in the transaction of every confirmation (and withdrawal of a
        # confirmed registration): racing decisions about the meeting's capacity
        # write the same document and conflict
        await self.meetings.update_one(
            {"_id": meeting_id}, {"$inc": {"confirmed_total": change}}, session=session
        )

    async def mark_meeting_purged(self, meeting_id: str, at: datetime, session: DbSession) -> None:
        await self.meetings.update_one(
            {"_id": meeting_id}, {"$set": {"personal_data_purged_at": at}}, session=session
        )

    # registrations -----------------------------------------------------------

    async def get_registration(
        self, registration_id: str, session: DbSession | None = None
    ) -> Document | None:
        return await self.registrations.find_one({"_id": registration_id}, session=session)

    async def add_registration(self, doc: Document, session: DbSession) -> None:
        """Insert a new registration; a second one with the same e-mail for the same
        meeting is refused by the unique index (409 naming `email`)."""
        try:
            await self.registrations.insert_one(doc, session=session)
        except DuplicateKeyError:
            raise Conflict(EMAIL_TAKEN, field="email") from None

    async def correct_registration(
        self, registration_id: str, update: Document, session: DbSession
    ) -> Document:
        """Apply corrected details; an e-mail already registered for the meeting is a
        409 naming `email` (the unique index again)."""
        try:
            return await self._set(registration_id, update, session)
        except DuplicateKeyError:
            raise Conflict(EMAIL_TAKEN, field="email") from None

    async def mark_confirmed(
        self,
        registration_id: str,
        *,
        at: datetime,
        badge_nonce: str,
        promoted: bool,
        confirmed_by: str,
        session: DbSession,
    ) -> Document:
        return await self._set(
            registration_id,
            {
                "status": Status.confirmed.value,
                "confirmed_at": at,
                "updated_at": at,
                "badge_nonce": badge_nonce,
                "promoted_from_waitlist": promoted,
                "confirmed_by": confirmed_by,
            },
            session,
        )

    async def mark_waitlisted(
        self, registration_id: str, *, at: datetime, session: DbSession
    ) -> Document:
        return await self._set(
            registration_id,
            {"status": Status.waitlisted.value, "waitlisted_at": at, "updated_at": at},
            session,
        )

    async def mark_rejected(
        self, registration_id: str, *, reason: str | None, at: datetime, session: DbSession
    ) -> Document:
        return await self._set(
            registration_id,
            {
                "status": Status.rejected.value,
                "rejection_reason": reason,
                "rejected_at": at,
                "updated_at": at,
            },
            session,
        )

    async def mark_withdrawn(
        self, registration_id: str, *, at: datetime, session: DbSession
    ) -> Document:
        """Withdrawn, and its badge revoked (no nonce: no valid badge token)."""
        return await self._set(
            registration_id,
            {"status": Status.withdrawn.value, "withdrawn_at": at, "updated_at": at},
            session,
            unset=("badge_nonce",),
        )

    async def mark_checked_in(
        self, registration_id: str, *, at: datetime, session: DbSession
    ) -> Document:
        return await self._set(registration_id, {"checked_in_at": at, "updated_at": at}, session)

    async def _set(
        self,
        registration_id: str,
        fields: Document,
        session: DbSession,
        *,
        unset: tuple[str, ...] = (),
    ) -> Document:
        """Update one registration and return it as it is afterwards."""
        update: Document = {"$set": fields}
        if unset:
            update["$unset"] = {field: "" for field in unset}
        after = await self.registrations.find_one_and_update(
            {"_id": registration_id},
            update,
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        assert after is not None  # loaded earlier in the same transaction
        return after

    async def list_registrations(
        self, meeting_id: str, *, status: str | None, country: str | None
    ) -> list[Document]:
        """The meeting's registrations (optionally of one status and country), in
        registration order."""
        query: Document = {"meeting_id": meeting_id}
        if country is not None:
            query["country"] = country
        if status is not None:
            query["status"] = status
        cursor = self.registrations.find(query).sort([("registered_at", 1), ("_id", 1)])
        return [doc async for doc in cursor]

    async def confirmed_participants(self, meeting_id: str) -> list[Document]:
        """The meeting's confirmed registrations by country and name (the check-in list)."""
        cursor = self.registrations.find(
            {"meeting_id": meeting_id, "status": Status.confirmed.value}
        ).sort([("country", 1), ("family_name", 1), ("given_name", 1)])
        return [doc async for doc in cursor]

    async def oldest_waitlisted(
        self, meeting_id: str, country: str | None, session: DbSession
    ) -> Document | None:
        """The waitlisted registration of the country registered first (the next to
        get a freed place)."""
        return await self.registrations.find_one(
            {"meeting_id": meeting_id, "country": country, "status": Status.waitlisted.value},
            sort=[("registered_at", 1), ("_id", 1)],
            session=session,
        )

    async def waitlisted_before(self, doc: Document, session: DbSession | None = None) -> int:
        """How many of the same country's waitlisted registrations registered earlier."""
        return await self.registrations.count_documents(
            {
                "meeting_id": doc["meeting_id"],
                "country": doc.get("country"),
                "status": Status.waitlisted.value,
                "registered_at": {"$lt": doc["registered_at"]},
            },
            session=session,
        )

    async def registration_id_with_manage_token(self, token_hash: str) -> str | None:
        doc = await self.registrations.find_one(
            {"manage_token_hash": token_hash}, projection={"_id": 1}
        )
        return None if doc is None else str(doc["_id"])

    async def purge_personal_data(self, meeting_id: str, at: datetime, session: DbSession) -> int:
        """Erase `PERSONAL_FIELDS` of the meeting's registrations not purged yet; the
        unique e-mail key becomes a per-registration placeholder. Returns how many."""
        cursor = self.registrations.find(
            {"meeting_id": meeting_id, "personal_data_purged_at": None},
            projection={"_id": 1},
            session=session,
        )
        ids = [doc["_id"] async for doc in cursor]
        for registration_id in ids:
            await self.registrations.update_one(
                {"_id": registration_id},
                {
                    "$set": {
                        "email_key": f"purged:{registration_id}",
                        "personal_data_purged_at": at,
                    },
                    "$unset": {field: "" for field in PERSONAL_FIELDS},
                },
                session=session,
            )
        return len(ids)

    # delegations (the counters) -------------------------------------------

    async def ensure_delegation(
        self, meeting_id: str, key: str, country: str | None, institution: str | None
    ) -> None:
        """The delegation's counter document exists before any transaction touches it
        (created outside them, idempotently: concurrent upserts of one key inside
        transactions would fail instead of retrying)."""
        # created concurrently by another request: what we wanted
        with contextlib.suppress(DuplicateKeyError):
            await self.delegations.update_one(
                {"_id": delegation_id(meeting_id, key)},
                {
                    "$setOnInsert": {
                        "meeting_id": meeting_id,
                        "country": country,
                        "institution": None if country else institution,
                        "by_status": {},
                        "by_role": {},
                        "confirmed": 0,
                        "quota_used": 0,
                    }
                },
                upsert=True,
            )

    async def get_delegation(
        self, meeting_id: str, key: str, session: DbSession
    ) -> Document | None:
        return await self.delegations.find_one(
            {"_id": delegation_id(meeting_id, key)}, session=session
        )

    async def count_status_change(
        self,
        meeting_id: str,
        key: str,
        *,
        old: str | None,
        new: str,
        role: str,
        confirmed_change: int,
        uses_quota: bool,
        session: DbSession,
    ) -> Document:
        """Move one registration from `old` (None: new) to `new` in its delegation's
        counters, the document every decision about the delegation writes; returns
        the counters afterwards. `confirmed_change` (+1/-1/0) moves the confirmed
        count, the role's count and, when the registration `uses_quota`, the quota."""
        inc: dict[str, int] = {}
        if old is not None:
            inc[f"by_status.{old}"] = -1
        inc[f"by_status.{new}"] = 1
        if confirmed_change:
            inc["confirmed"] = confirmed_change
            if uses_quota:
                inc["quota_used"] = confirmed_change
            inc[f"by_role.{role}"] = confirmed_change
        counters = await self.delegations.find_one_and_update(
            {"_id": delegation_id(meeting_id, key)},
            {"$inc": inc, "$set": {"updated_at": utcnow()}},
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        if counters is None:  # pragma: no cover - created by ensure_delegation
            raise RuntimeError(f"delegation counters missing for {key}")
        return counters

    async def delegations_of(self, meeting_id: str) -> list[Document]:
        cursor = self.delegations.find({"meeting_id": meeting_id}).sort("_id", 1)
        return [doc async for doc in cursor]

    # focal points ------------------------------------------------------------

    async def add_focal_point(self, doc: Document) -> None:
        await self.focal_points.insert_one(doc)

    async def active_focal_point(self, token_hash: str) -> Document | None:
        return await self.focal_points.find_one({"token_hash": token_hash, "revoked_at": None})

    async def list_focal_points(self, country: str | None) -> list[Document]:
        """Issued focal points (without their token digests), by country and age."""
        query: Document = {} if country is None else {"country": country}
        cursor = self.focal_points.find(query, projection={"token_hash": 0})
        return [doc async for doc in cursor.sort([("country", 1), ("created_at", 1)])]

    async def revoke_focal_point(self, focal_point_id: str, at: datetime) -> bool:
        """False when there is no such active focal point."""
        result = await self.focal_points.update_one(
            {"_id": focal_point_id, "revoked_at": None}, {"$set": {"revoked_at": at}}
        )
        return result.matched_count > 0

    # idempotency records -----------------------------------------------------

    async def stored_result(
        self, record_id: str, session: DbSession | None = None
    ) -> Document | None:
        return await self.idempotency.find_one({"_id": record_id}, session=session)

    async def store_result(
        self,
        record_id: str,
        *,
        fingerprint: str,
        status: int,
        body: dict[str, Any],
        meeting_id: str | None,
        session: DbSession,
    ) -> None:
        """Keep a first result, in the transaction of the work that produced it (the
        `_id` is the scope and key: a concurrent duplicate collides here)."""
        await self.idempotency.insert_one(
            {
                "_id": record_id,
                "fingerprint": fingerprint,
                "status": status,
                "body": body,
                "meeting_id": meeting_id,
                "created_at": utcnow(),
            },
            session=session,
        )

    async def forget_results_of(self, meeting_id: str, session: DbSession) -> None:
        """Stored results carry personal data: a purge deletes the meeting's."""
        await self.idempotency.delete_many({"meeting_id": meeting_id}, session=session)
