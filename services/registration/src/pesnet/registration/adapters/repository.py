"""MongoDB persistence of the registration service: its collections, their indexes,
and the repositories of `service_layer.unit_of_work` on them. Documents are mapped
to and from the domain's objects here and nowhere else.

- `meetings`: meetings open for registration, with the meeting-wide confirmed count.
- `registrations`: one document per person and meeting.
- `delegations`: one counter document per delegation (a country, or an OIC
  institution/partner) and meeting. Every status change of a registration writes
  its delegation's document in the same transaction, so two transactions that
  decide about the same delegation's places always write the same document and
  MongoDB makes one of them retry (write conflict): the quota cannot be overrun.
- `focal_points`: focal-point nominations, country-scoped (and institution-scoped)
  tokens stored as SHA-256 digests.
- `institutions`: the network's reference of institutions (`_id` is the institution's id).
- `idempotency`: first outcomes of POSTs that carried an `Idempotency-Key` (24 h).
"""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any

from pymongo.errors import DuplicateKeyError

from pesnet.registration.domain.institutions import Institution
from pesnet.registration.domain.model import (
    OUTCOMES,
    Delegation,
    FocalPoint,
    Meeting,
    MeetingSource,
    Outcome,
    Registration,
    Status,
)
from pesnet.registration.service_layer.unit_of_work import (
    EMAIL_TAKEN,
    INSTITUTION_TAKEN,
    Delegations,
    FocalPoints,
    Institutions,
    Meetings,
    Registrations,
    Replay,
    Replays,
)
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict
from pesnet.shared.events.common import Role
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec
from pesnet.shared.translation import Message, _

MEETINGS = "meetings"
REGISTRATIONS = "registrations"
DELEGATIONS = "delegations"
FOCAL_POINTS = "focal_points"
INSTITUTIONS = "institutions"
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
    IndexSpec(INSTITUTIONS, [("country", 1)], name="by_country"),
    IndexSpec(
        IDEMPOTENCY,
        [("created_at", 1)],
        name="expiry",
        expire_after_seconds=IDEMPOTENCY_TTL_SECONDS,
    ),
)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


# registrations ---------------------------------------------------------------------

_REGISTRATION_FIELDS = [f.name for f in dataclasses.fields(Registration) if f.name != "id"]
_REGISTRATION_DATES = [
    f.name for f in dataclasses.fields(Registration) if "datetime" in str(f.type)
]


def registration_document(registration: Registration) -> Document:
    doc: Document = {"_id": registration.id, "email_key": registration.email_key}
    for name in _REGISTRATION_FIELDS:
        doc[name] = _plain(getattr(registration, name))
    return doc


def registration_of(doc: Document) -> Registration:
    values: dict[str, Any] = {name: doc.get(name) for name in _REGISTRATION_FIELDS}
    values["role"] = Role(doc["role"])
    values["language"] = Language(doc["language"])
    values["status"] = Status(doc["status"])
    if values["interpretation"] is not None:
        values["interpretation"] = Language(values["interpretation"])
    values["promoted_from_waitlist"] = bool(values["promoted_from_waitlist"])
    return Registration(id=str(doc["_id"]), **values)


class MongoRegistrations(Registrations):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[REGISTRATIONS]
        self.session = session

    async def get(self, registration_id: str) -> Registration | None:
        doc = await self.collection.find_one({"_id": registration_id}, session=self.session)
        return None if doc is None else registration_of(doc)

    async def add(self, registration: Registration) -> None:
        try:
            await self.collection.insert_one(
                registration_document(registration), session=self.session
            )
        except DuplicateKeyError:
            raise Conflict(EMAIL_TAKEN, field="email") from None

    async def save(self, registration: Registration) -> None:
        try:
            await self.collection.replace_one(
                {"_id": registration.id}, registration_document(registration), session=self.session
            )
        except DuplicateKeyError:
            raise Conflict(EMAIL_TAKEN, field="email") from None

    async def _find(self, query: Document, sort: list[tuple[str, int]]) -> list[Registration]:
        cursor = self.collection.find(query, session=self.session).sort(sort)
        return [registration_of(doc) async for doc in cursor]

    async def of_meeting(
        self, meeting_id: str, *, status: Status | None = None, country: str | None = None
    ) -> list[Registration]:
        query: Document = {"meeting_id": meeting_id}
        if country is not None:
            query["country"] = country
        if status is not None:
            query["status"] = status.value
        return await self._find(query, [("registered_at", 1), ("_id", 1)])

    async def confirmed_of(self, meeting_id: str) -> list[Registration]:
        return await self._find(
            {"meeting_id": meeting_id, "status": Status.confirmed.value},
            [("country", 1), ("family_name", 1), ("given_name", 1)],
        )

    async def not_purged_of(self, meeting_id: str) -> list[Registration]:
        return await self._find(
            {"meeting_id": meeting_id, "personal_data_purged_at": None}, [("_id", 1)]
        )

    async def oldest_waitlisted(self, meeting_id: str, country: str) -> Registration | None:
        doc = await self.collection.find_one(
            {"meeting_id": meeting_id, "country": country, "status": Status.waitlisted.value},
            sort=[("waitlist_seq", 1), ("registered_at", 1), ("_id", 1)],
            session=self.session,
        )
        return None if doc is None else registration_of(doc)

    async def waitlisted_before(self, registration: Registration) -> int:
        return await self.collection.count_documents(
            {
                "meeting_id": registration.meeting_id,
                "country": registration.country,
                "status": Status.waitlisted.value,
                "registered_at": {"$lt": registration.registered_at},
            },
            session=self.session,
        )

    async def id_with_manage_token(self, token_hash: str) -> str | None:
        doc = await self.collection.find_one(
            {"manage_token_hash": token_hash}, projection={"_id": 1}, session=self.session
        )
        return None if doc is None else str(doc["_id"])


# meetings --------------------------------------------------------------------------


def meeting_of(doc: Document) -> Meeting:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return Meeting(
        id=str(doc["_id"]),
        title=Localized.model_validate(doc.get("title") or {}),
        timezone=str(doc.get("timezone") or "UTC"),
        status=str(doc.get("status") or "scheduled"),
        number=doc.get("number"),
        city=Localized.model_validate(doc["city"]) if doc.get("city") else None,
        country=doc.get("country"),
        start_date=day(doc.get("start_date")),
        end_date=day(doc.get("end_date")),
        registration_opens_at=doc.get("registration_opens_at"),
        registration_closes_at=doc.get("registration_closes_at"),
        delegation_quota=doc.get("delegation_quota"),
        capacity=doc.get("capacity"),
        source=MeetingSource(doc.get("source") or MeetingSource.agenda),
        announced_at=doc.get("announced_at"),
        confirmed_total=int(doc.get("confirmed_total", 0)),
        personal_data_purged_at=doc.get("personal_data_purged_at"),
    )


class MongoMeetings(Meetings):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[MEETINGS]
        self.session = session

    async def get(self, meeting_id: str) -> Meeting | None:
        doc = await self.collection.find_one({"_id": meeting_id}, session=self.session)
        return None if doc is None else meeting_of(doc)

    async def save(self, meeting: Meeting) -> None:
        fields: Document = {
            "number": meeting.number,
            "title": meeting.title.model_dump(),
            "city": meeting.city.model_dump() if meeting.city else None,
            "country": meeting.country,
            "timezone": meeting.timezone,
            "status": meeting.status,
            "start_date": meeting.start_date.isoformat() if meeting.start_date else None,
            "end_date": meeting.end_date.isoformat() if meeting.end_date else None,
            "registration_opens_at": meeting.registration_opens_at,
            "registration_closes_at": meeting.registration_closes_at,
            "delegation_quota": meeting.delegation_quota,
            "capacity": meeting.capacity,
            "source": meeting.source.value,
            "announced_at": meeting.announced_at,
            "confirmed_total": meeting.confirmed_total,
            "personal_data_purged_at": meeting.personal_data_purged_at,
        }
        await self.collection.update_one(
            {"_id": meeting.id}, {"$set": fields}, upsert=True, session=self.session
        )


# delegations -----------------------------------------------------------------------


def delegation_of(doc: Document) -> Delegation:
    return Delegation(
        meeting_id=doc["meeting_id"],
        key=str(doc["_id"]).split("|", 1)[1],
        country=doc.get("country"),
        institution=doc.get("institution"),
        by_status=dict(doc.get("by_status") or {}),
        by_role=dict(doc.get("by_role") or {}),
        confirmed=int(doc.get("confirmed", 0)),
        quota_used=int(doc.get("quota_used", 0)),
        waitlist_issued=int(doc.get("waitlist_issued", 0)),
    )


class MongoDelegations(Delegations):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[DELEGATIONS]
        self.session = session

    async def ensure(
        self, meeting_id: str, key: str, country: str | None, institution: str | None
    ) -> None:
        new = Delegation(
            meeting_id=meeting_id,
            key=key,
            country=country,
            institution=None if country else institution,
        )
        # created concurrently by another request: what we wanted
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.update_one(
                {"_id": new.id},
                {"$setOnInsert": self._fields(new)},
                upsert=True,
                session=self.session,
            )

    @staticmethod
    def _fields(delegation: Delegation) -> Document:
        return {
            "meeting_id": delegation.meeting_id,
            "country": delegation.country,
            "institution": delegation.institution,
            "by_status": delegation.by_status,
            "by_role": delegation.by_role,
            "confirmed": delegation.confirmed,
            "quota_used": delegation.quota_used,
            "waitlist_issued": delegation.waitlist_issued,
        }

    async def get(self, meeting_id: str, key: str) -> Delegation | None:
        doc = await self.collection.find_one({"_id": f"{meeting_id}|{key}"}, session=self.session)
        return None if doc is None else delegation_of(doc)

    async def save(self, delegation: Delegation) -> None:
        await self.collection.update_one(
            {"_id": delegation.id},
            {"$set": {**self._fields(delegation), "updated_at": utcnow()}},
            session=self.session,
        )

    async def of_meeting(self, meeting_id: str) -> list[Delegation]:
        cursor = self.collection.find({"meeting_id": meeting_id}, session=self.session)
        return [delegation_of(doc) async for doc in cursor.sort("_id", 1)]


# focal points ----------------------------------------------------------------------


def focal_point_of(doc: Document) -> FocalPoint:
    return FocalPoint(
        id=str(doc["_id"]),
        country=doc["country"],
        name=doc.get("name"),
        token_hash=doc["token_hash"],
        created_at=doc["created_at"],
        revoked_at=doc.get("revoked_at"),
        institution_id=doc.get("institution_id"),
        email=doc.get("email"),
        language=Language(doc.get("language") or Language.en),
        version=int(doc.get("version") or 1),
    )


class MongoFocalPoints(FocalPoints):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[FOCAL_POINTS]
        self.session = session

    @staticmethod
    def _document(focal_point: FocalPoint) -> Document:
        doc = dataclasses.asdict(focal_point)
        doc["_id"] = doc.pop("id")
        doc["language"] = focal_point.language.value
        return doc

    async def add(self, focal_point: FocalPoint) -> None:
        await self.collection.insert_one(self._document(focal_point), session=self.session)

    async def get(self, focal_point_id: str) -> FocalPoint | None:
        doc = await self.collection.find_one({"_id": focal_point_id}, session=self.session)
        return None if doc is None else focal_point_of(doc)

    async def save(self, focal_point: FocalPoint) -> None:
        await self.collection.replace_one(
            {"_id": focal_point.id}, self._document(focal_point), session=self.session
        )

    async def active_with_token(self, token_hash: str) -> FocalPoint | None:
        doc = await self.collection.find_one(
            {"token_hash": token_hash, "revoked_at": None}, session=self.session
        )
        return None if doc is None else focal_point_of(doc)

    async def listed(self, country: str | None) -> list[FocalPoint]:
        query: Document = {} if country is None else {"country": country}
        cursor = self.collection.find(query, session=self.session)
        return [
            focal_point_of(doc) async for doc in cursor.sort([("country", 1), ("created_at", 1)])
        ]


# institutions ----------------------------------------------------------------------


def institution_document(institution: Institution) -> Document:
    return {
        "_id": institution.id,
        "name": institution.name.model_dump(),
        "acronym": institution.acronym,
        "country": institution.country,
        "version": institution.version,
        "registered_at": institution.registered_at,
        "updated_at": institution.updated_at,
    }


def institution_of(doc: Document) -> Institution:
    return Institution(
        id=str(doc["_id"]),
        name=Localized.model_validate(doc["name"]),
        acronym=doc.get("acronym"),
        country=doc.get("country"),
        version=int(doc["version"]),
        registered_at=doc["registered_at"],
        updated_at=doc["updated_at"],
    )


class MongoInstitutions(Institutions):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[INSTITUTIONS]
        self.session = session

    async def get(self, institution_id: str) -> Institution | None:
        doc = await self.collection.find_one({"_id": institution_id}, session=self.session)
        return None if doc is None else institution_of(doc)

    async def add(self, institution: Institution) -> None:
        try:
            await self.collection.insert_one(
                institution_document(institution), session=self.session
            )
        except DuplicateKeyError:
            raise Conflict(
                INSTITUTION_TAKEN,
                field="id",
                params={"institution_id": institution.id},
            ) from None

    async def save(self, institution: Institution) -> None:
        await self.collection.replace_one(
            {"_id": institution.id}, institution_document(institution), session=self.session
        )

    async def listed(self, country: str | None = None) -> list[Institution]:
        query: Document = {} if country is None else {"country": country}
        found = [
            institution_of(doc) async for doc in self.collection.find(query, session=self.session)
        ]
        return sorted(found, key=lambda i: (i.country is None, i.country or "", i.id))


# idempotency records ---------------------------------------------------------------


def _snapshot(registration: Registration) -> Document:
    """A registration as it was, to the microsecond (a replay answers exactly what
    the first request did; MongoDB dates keep milliseconds only)."""
    doc = registration_document(registration)
    for name in _REGISTRATION_DATES:
        value = doc.get(name)
        doc[name] = value.isoformat() if isinstance(value, datetime) else None
    return doc


def _from_snapshot(doc: Document) -> Registration:
    doc = dict(doc)
    for name in _REGISTRATION_DATES:
        value = doc.get(name)
        doc[name] = datetime.fromisoformat(value) if value else None
    return registration_of(doc)


_OUTCOME_KINDS: dict[str, type[Outcome]] = {kind.__name__: kind for kind in OUTCOMES}


def outcome_document(outcome: Outcome) -> Document:
    doc: Document = {"kind": type(outcome).__name__}
    for f in dataclasses.fields(outcome):
        value = getattr(outcome, f.name)
        if isinstance(value, Registration):
            value = _snapshot(value)
        elif isinstance(value, Message):
            # kept as the message and its values: a replay says it in its caller's language
            value = {"message": value.text, "params": value.params}
        doc[f.name] = value
    return doc


def outcome_of(doc: Document) -> Outcome:
    kind = _OUTCOME_KINDS[doc["kind"]]
    values: dict[str, Any] = {f.name: doc.get(f.name) for f in dataclasses.fields(kind)}
    values["registration"] = _from_snapshot(doc["registration"])
    for name, value in values.items():
        if isinstance(value, dict) and set(value) == {"message", "params"}:
            values[name] = Message(value["message"], value["params"])
    return kind(**values)


class MongoReplays(Replays):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[IDEMPOTENCY]
        self.session = session

    async def get(self, record_id: str) -> Replay | None:
        doc = await self.collection.find_one({"_id": record_id}, session=self.session)
        if doc is None or "outcome" not in doc:
            return None
        return Replay(doc["fingerprint"], outcome_of(doc["outcome"]))

    async def add(self, record_id: str, replay: Replay, meeting_id: str) -> None:
        try:
            await self.collection.insert_one(
                {
                    "_id": record_id,
                    "fingerprint": replay.fingerprint,
                    "outcome": outcome_document(replay.outcome),
                    "meeting_id": meeting_id,
                    "created_at": utcnow(),
                },
                session=self.session,
            )
        except DuplicateKeyError:
            raise Conflict(_("this Idempotency-Key is being used by another request")) from None

    async def forget_meeting(self, meeting_id: str) -> None:
        await self.collection.delete_many({"meeting_id": meeting_id}, session=self.session)
