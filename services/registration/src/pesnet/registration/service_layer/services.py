"""Use cases of the registration service. Each one that changes state runs in one
MongoDB transaction that also writes the events it causes to the outbox."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from pesnet.registration.adapters.repository import (
    DELEGATIONS,
    FOCAL_POINTS,
    IDEMPOTENCY,
    MEETINGS,
    REGISTRATIONS,
    delegation_id,
)
from pesnet.registration.domain.badges import (
    badge_token_for,
    hash_secret_token,
    issue_badge_token,
    new_secret_token,
    read_badge_token,
)
from pesnet.registration.domain.labels import ALREADY_CHECKED_IN, CHECKED_IN
from pesnet.registration.domain.model import (
    ROLES_NEEDING_COUNTRY,
    Action,
    Actor,
    Places,
    RegistrationWindow,
    Status,
    check_transition,
    counts_against_quota,
    email_key,
)
from pesnet.registration.service_layer.commands import (
    Correction,
    NewFocalPoint,
    NewRegistration,
)
from pesnet.shared.catalog import EventPayload
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.registration import (
    DelegationUpdated,
    ParticipantCheckedIn,
    ParticipantConfirmed,
    ParticipantEvent,
    ParticipantRegistered,
    ParticipantRejected,
    ParticipantUpdated,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
    PersonalDataPurged,
)
from pesnet.shared.i18n import Localized, format_local_datetime
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import Client, Database, Document, Session, in_transaction
from pesnet.shared.outbox import Outbox

log = get_logger(__name__)

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
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


Pending = dict[str, Document]


@dataclass(frozen=True)
class Result:
    """An HTTP-ready outcome (kept as-is for an `Idempotency-Key` replay)."""

    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class MeetingView:
    doc: Document

    @property
    def id(self) -> str:
        return str(self.doc["_id"])

    @property
    def timezone(self) -> str:
        return str(self.doc.get("timezone") or "UTC")

    @property
    def quota(self) -> int | None:
        value = self.doc.get("delegation_quota")
        return None if value is None else int(value)

    @property
    def capacity(self) -> int | None:
        value = self.doc.get("capacity")
        return None if value is None else int(value)

    @property
    def title(self) -> Localized:
        return Localized.model_validate(self.doc.get("title") or {})

    @property
    def window(self) -> RegistrationWindow:
        return RegistrationWindow(
            opens_at=self.doc.get("registration_opens_at"),
            closes_at=self.doc.get("registration_closes_at"),
            status=str(self.doc.get("status") or "scheduled"),
        )

    @property
    def end_date(self) -> date | None:
        value = self.doc.get("end_date")
        return date.fromisoformat(value) if value else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def delegation_key(country: str | None, institution: str | None) -> str:
    """A member state's delegation is its country; others are grouped by institution."""
    if country:
        return country
    return "org:" + re.sub(r"\s+", " ", (institution or "").strip().casefold())


class RegistrationService:
    def __init__(
        self,
        client: Client,
        db: Database,
        outbox: Outbox,
        *,
        badge_secret: bytes,
        public_url: str,
        default_quota: int | None,
    ) -> None:
        self.client = client
        self.db = db
        self.outbox = outbox
        self.badge_secret = badge_secret
        self.public_url = public_url.rstrip("/")
        self.default_quota = default_quota

    # ------------------------------------------------------------------ helpers

    async def _tx(self, work: Callable[[Session], Awaitable[Any]]) -> Any:
        return await in_transaction(self.client, work)

    async def idempotent(
        self,
        key: str | None,
        scope: str,
        request: Any,
        work: Callable[[Session], Awaitable[Result]],
        *,
        meeting_id: str | None = None,
    ) -> Result:
        """Run `work` in a transaction; with an `Idempotency-Key`, the first result is
        stored in the same transaction and a retry gets it back instead of acting twice."""
        if key is None:
            result: Result = await self._tx(work)
            return result
        if not _IDEMPOTENCY_KEY.match(key):
            raise InvalidInput(
                "must be 1 to 200 printable ASCII characters", field="Idempotency-Key"
            )
        doc_id = f"{scope}|{key}"
        fingerprint = hashlib.sha256(
            json.dumps(request, sort_keys=True, default=str).encode()
        ).hexdigest()

        async def run(session: Session) -> Result:
            stored = await self.db[IDEMPOTENCY].find_one({"_id": doc_id}, session=session)
            if stored is not None:
                return _replay(stored, fingerprint)
            outcome = await work(session)
            await self.db[IDEMPOTENCY].insert_one(
                {
                    "_id": doc_id,
                    "fingerprint": fingerprint,
                    "status": outcome.status,
                    "body": outcome.body,
                    "meeting_id": meeting_id,
                    "created_at": utcnow(),
                },
                session=session,
            )
            return outcome

        try:
            result = await self._tx(run)
        except (DuplicateKeyError, Conflict):
            # A concurrent request with the same key won the race (its idempotency
            # record, or the registration it created, collided with ours): answer
            # with its result.
            stored = await self.db[IDEMPOTENCY].find_one({"_id": doc_id})
            if stored is None:
                raise
            return _replay(stored, fingerprint)
        return result

    async def _emit(self, session: Session, payload: EventPayload, subject: str) -> None:
        # the HTTP request's correlation id (bound by the kernel's middleware) follows
        # the events it causes, so logs of all services tie back to the request
        correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
        await self.outbox.add(session, payload, subject=subject, correlation_id=correlation_id)

    async def meeting(self, meeting_id: str, session: Session | None = None) -> MeetingView:
        doc = await self.db[MEETINGS].find_one({"_id": meeting_id}, session=session)
        if doc is None:
            raise NotFound(f"no meeting {meeting_id!r} is open for registration")
        return MeetingView(doc)

    async def _registration(self, registration_id: str, session: Session | None = None) -> Document:
        doc = await self.db[REGISTRATIONS].find_one({"_id": registration_id}, session=session)
        if doc is None:
            raise NotFound(f"no registration {registration_id!r}")
        return doc

    def badge_token(self, doc: Document) -> str | None:
        nonce = doc.get("badge_nonce")
        if not nonce or doc.get("status") != Status.confirmed:
            return None
        return badge_token_for(self.badge_secret, str(doc["_id"]), str(nonce))

    def view(self, doc: Document) -> dict[str, Any]:
        """The private view of a registration (for its owner, their focal point, the secretariat)."""
        body = {
            "id": doc["_id"],
            "meeting_id": doc["meeting_id"],
            "status": doc["status"],
            "given_name": doc.get("given_name"),
            "family_name": doc.get("family_name"),
            "name_latin": doc.get("name_latin"),
            "honorific": doc.get("honorific"),
            "email": doc.get("email"),
            "country": doc.get("country"),
            "institution": doc.get("institution"),
            "position": doc.get("position"),
            "role": doc["role"],
            "language": doc["language"],
            "interpretation": doc.get("interpretation"),
            "accessibility_notes": doc.get("accessibility_notes"),
            "dietary_notes": doc.get("dietary_notes"),
            "nominated_by": doc.get("nominated_by"),
            "registered_at": _iso(doc.get("registered_at")),
            "updated_at": _iso(doc.get("updated_at")),
            "confirmed_at": _iso(doc.get("confirmed_at")),
            "waitlisted_at": _iso(doc.get("waitlisted_at")),
            "checked_in_at": _iso(doc.get("checked_in_at")),
            "rejection_reason": doc.get("rejection_reason"),
            "promoted_from_waitlist": bool(doc.get("promoted_from_waitlist")),
        }
        token = self.badge_token(doc)
        if token is not None:
            body["badge_token"] = token
            body["badge_url"] = f"{self.public_url}/registrations/{doc['_id']}/badge.png"
        return body

    def _participant(
        self, model: type[ParticipantEvent], doc: Document, **extra: Any
    ) -> ParticipantEvent:
        return model(
            registration_id=doc["_id"],
            meeting_id=doc["meeting_id"],
            given_name=doc["given_name"],
            family_name=doc["family_name"],
            name_latin=doc.get("name_latin"),
            honorific=doc.get("honorific"),
            email=doc["email"],
            country=doc.get("country"),
            institution=doc["institution"],
            position=doc["position"],
            role=doc["role"],
            language=doc["language"],
            status=doc["status"],
            **extra,
        )

    async def _ensure_delegation(
        self, meeting_id: str, country: str | None, institution: str | None
    ) -> str:
        """The delegation's counter document exists before any transaction touches it
        (created outside them, idempotently: concurrent upserts of one key inside
        transactions would fail instead of retrying)."""
        key = delegation_key(country, institution)
        # created concurrently by another request: what we wanted
        with contextlib.suppress(DuplicateKeyError):
            await self.db[DELEGATIONS].update_one(
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
        return key

    async def _count(
        self, session: Session, doc: Document, old: str | None, new: str, pending: Pending
    ) -> None:
        """Move one registration between statuses in its delegation's counters (the
        document every decision about the delegation writes); `pending` collects the
        delegations whose public counts `_announce` publishes at the end."""
        inc: dict[str, int] = {}
        if old is not None and old != new:
            inc[f"by_status.{old}"] = -1
        if old != new:
            inc[f"by_status.{new}"] = 1
        change = int(new == Status.confirmed) - int(old == Status.confirmed)
        if change:
            inc["confirmed"] = change
            if counts_against_quota(doc.get("country"), doc["role"]):
                inc["quota_used"] = change
            inc[f"by_role.{doc['role']}"] = change
        if not inc:
            return
        key = delegation_key(doc.get("country"), doc.get("institution"))
        counters = await self.db[DELEGATIONS].find_one_and_update(
            {"_id": delegation_id(doc["meeting_id"], key)},
            {"$inc": inc, "$set": {"updated_at": utcnow()}},
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        if counters is None:  # pragma: no cover - created by _ensure_delegation
            raise RuntimeError(f"delegation counters missing for {key}")
        if change:
            await self.db[MEETINGS].update_one(
                {"_id": doc["meeting_id"]}, {"$inc": {"confirmed_total": change}}, session=session
            )
        pending[counters["_id"]] = counters

    async def _announce(self, session: Session, pending: Pending) -> None:
        """One public `registration.delegation.updated` per delegation and transaction,
        with the counts as they are at its end (a withdrawal and the promotion it
        causes are one change to the public)."""
        for delegation, counters in pending.items():
            await self._emit(
                session, delegation_summary_event(counters), f"delegation/{delegation}"
            )

    # ---------------------------------------------------------------- meetings

    async def open_meeting(
        self,
        session: Session,
        meeting: MeetingScheduled,
        *,
        source: str,
        announced_at: datetime,
    ) -> bool:
        """Open (or update) a meeting for registration. The agenda's event is the
        authority: a seeded meeting is overwritten by it, an older event is ignored,
        and the seed never overwrites an announced meeting."""
        existing = await self.db[MEETINGS].find_one({"_id": meeting.meeting_id}, session=session)
        if existing is not None:
            if source == "seed":
                return False
            previous = existing.get("announced_at")
            if existing.get("source") == "agenda" and previous and previous > announced_at:
                log.info("older meeting announcement ignored", meeting_id=meeting.meeting_id)
                return False
        quota = meeting.delegation_quota if meeting.delegation_quota is not None else None
        if quota is None:
            quota = self.default_quota
        await self.db[MEETINGS].update_one(
            {"_id": meeting.meeting_id},
            {
                "$set": {
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
                    "delegation_quota": quota,
                    "capacity": meeting.capacity,
                    "source": source,
                    "announced_at": announced_at,
                },
                "$setOnInsert": {"confirmed_total": 0},
            },
            upsert=True,
            session=session,
        )
        log.info(
            "meeting open for registration",
            meeting_id=meeting.meeting_id,
            source=source,
            quota=quota,
            capacity=meeting.capacity,
        )
        return True

    async def seed_meeting(self, meeting: MeetingScheduled) -> bool:
        async def work(session: Session) -> bool:
            return await self.open_meeting(session, meeting, source="seed", announced_at=utcnow())

        created: bool = await self._tx(work)
        return created

    # ------------------------------------------------------------ registration

    async def register(
        self,
        actor: Actor,
        meeting_id: str,
        command: NewRegistration,
        idempotency_key: str | None = None,
    ) -> Result:
        if command.country is None and command.role in ROLES_NEEDING_COUNTRY:
            raise InvalidInput(
                f"a {command.role} represents a member state: give its ISO alpha-3 code",
                field="country",
            )
        if actor.kind == "focal_point" and command.country != actor.country:
            raise Forbidden(
                f"a focal point of {actor.country} may nominate delegates of {actor.country} only"
            )
        meeting = await self.meeting(meeting_id)
        refusal = meeting.window.refusal(utcnow())
        if refusal is not None:
            raise Conflict(f"registration for {meeting_id} is not open: {refusal}")
        await self._ensure_delegation(meeting_id, command.country, command.institution)
        nominated_by = actor.label if actor.kind != "anonymous" else "registrant"
        if actor.kind == "registrant":
            nominated_by = "registrant"

        async def work(session: Session) -> Result:
            now = utcnow()
            registration_id = uuid.uuid4().hex
            manage_token = new_secret_token("mt")
            doc: Document = {
                "_id": registration_id,
                "meeting_id": meeting_id,
                **command.model_dump(),
                "email_key": email_key(command.email),
                "status": Status.registered.value,
                "nominated_by": nominated_by,
                "focal_point_id": actor.focal_point_id,
                "manage_token_hash": hash_secret_token(manage_token),
                "registered_at": now,
                "updated_at": now,
            }
            try:
                await self.db[REGISTRATIONS].insert_one(doc, session=session)
            except DuplicateKeyError:
                raise Conflict(
                    "this e-mail address is already registered for this meeting", field="email"
                ) from None
            manage_url = f"{self.public_url}/registrations/{registration_id}?token={manage_token}"
            subject = f"registration/{registration_id}"
            await self._emit(
                session,
                self._participant(
                    ParticipantRegistered, doc, registered_at=now, manage_url=manage_url
                ),
                subject,
            )
            pending: Pending = {}
            await self._count(session, doc, None, Status.registered, pending)
            await self._announce(session, pending)
            body = self.view(doc)
            body["manage_token"] = manage_token
            body["manage_url"] = manage_url
            return Result(201, body)

        result = await self.idempotent(
            idempotency_key,
            f"register|{meeting_id}|{actor.kind}:{actor.country or actor.registration_id or ''}",
            command.model_dump(mode="json"),
            work,
            meeting_id=meeting_id,
        )
        log.info("registration received", meeting_id=meeting_id, registration_id=result.body["id"])
        return result

    async def read(self, actor: Actor, registration_id: str) -> dict[str, Any]:
        doc = await self._registration(registration_id)
        actor.check_read(registration_id, doc.get("country"))
        return self.view(doc)

    async def list_registrations(
        self, actor: Actor, meeting_id: str, status: str | None, country: str | None
    ) -> list[dict[str, Any]]:
        await self.meeting(meeting_id)
        query: dict[str, Any] = {"meeting_id": meeting_id}
        if actor.kind == "focal_point":
            if country is not None and country != actor.country:
                raise Forbidden(f"a focal point of {actor.country} sees {actor.country} only")
            query["country"] = actor.country
        elif not actor.is_secretariat:
            raise Unauthorized("a secretariat or focal-point token is required")
        elif country is not None:
            query["country"] = country
        if status is not None:
            query["status"] = status
        cursor = self.db[REGISTRATIONS].find(query).sort([("registered_at", 1), ("_id", 1)])
        return [self.view(doc) async for doc in cursor]

    async def correct(
        self,
        actor: Actor,
        registration_id: str,
        correction: Correction,
    ) -> Result:
        changes = correction.model_dump(exclude_unset=True)
        for field in ("given_name", "family_name", "email", "institution", "position", "language"):
            if field in changes and changes[field] is None:
                raise InvalidInput("must not be null", field=field)
        if not changes:
            raise InvalidInput("nothing to correct", field="body")

        async def work(session: Session) -> Result:
            doc = await self._registration(registration_id, session)
            actor.check_action("correct", registration_id, doc.get("country"))
            check_transition("correct", doc["status"])
            update = {**changes, "updated_at": utcnow()}
            if "email" in changes:
                update["email_key"] = email_key(changes["email"])
            if doc.get("country") is None and "institution" in changes:
                # the institution names the delegation of a registration without country
                raise InvalidInput(
                    "the institution of an OIC-institution registration decides its delegation:"
                    " withdraw and register again",
                    field="institution",
                )
            try:
                after = await self.db[REGISTRATIONS].find_one_and_update(
                    {"_id": registration_id},
                    {"$set": update},
                    session=session,
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                raise Conflict(
                    "this e-mail address is already registered for this meeting", field="email"
                ) from None
            assert after is not None
            await self._emit(
                session,
                self._participant(ParticipantUpdated, after),
                f"registration/{registration_id}",
            )
            return Result(200, self.view(after))

        result: Result = await self._tx(work)
        return result

    # ------------------------------------------------------------ accreditation

    async def _places(self, session: Session, doc: Document) -> Places:
        meeting = await self.meeting(doc["meeting_id"], session)
        key = delegation_key(doc.get("country"), doc.get("institution"))
        counters = await self.db[DELEGATIONS].find_one(
            {"_id": delegation_id(doc["meeting_id"], key)}, session=session
        )
        return Places(
            delegation_confirmed=int((counters or {}).get("quota_used", 0)),
            # a quota bounds a member state's delegation; OIC institutions, partners,
            # speakers, moderators and the secretariat only the meeting's capacity
            quota=meeting.quota if counts_against_quota(doc.get("country"), doc["role"]) else None,
            meeting_confirmed=int(meeting.doc.get("confirmed_total", 0)),
            capacity=meeting.capacity,
        )

    async def _accredit(
        self,
        session: Session,
        doc: Document,
        confirmed_by: str,
        pending: Pending,
        *,
        promoted: bool = False,
    ) -> tuple[Document, str | None]:
        """Give the registration a place if its delegation has one, else waitlist it.
        Returns the document after and, when waitlisted, why."""
        if doc["status"] == Status.confirmed:
            return doc, None
        places = await self._places(session, doc)
        now = utcnow()
        subject = f"registration/{doc['_id']}"
        if places.available():
            _, nonce = issue_badge_token(self.badge_secret, doc["_id"])
            after = await self.db[REGISTRATIONS].find_one_and_update(
                {"_id": doc["_id"]},
                {
                    "$set": {
                        "status": Status.confirmed.value,
                        "confirmed_at": now,
                        "updated_at": now,
                        "badge_nonce": nonce,
                        "promoted_from_waitlist": promoted,
                        "confirmed_by": confirmed_by,
                    }
                },
                session=session,
                return_document=ReturnDocument.AFTER,
            )
            assert after is not None
            await self._emit(
                session,
                self._participant(
                    ParticipantConfirmed,
                    after,
                    confirmed_by=confirmed_by,
                    promoted_from_waitlist=promoted,
                    badge_token=self.badge_token(after),
                ),
                subject,
            )
            await self._count(session, after, doc["status"], Status.confirmed, pending)
            return after, None
        reason = places.why_not()
        if doc["status"] == Status.waitlisted:
            return doc, reason
        after = await self.db[REGISTRATIONS].find_one_and_update(
            {"_id": doc["_id"]},
            {"$set": {"status": Status.waitlisted.value, "waitlisted_at": now, "updated_at": now}},
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        assert after is not None
        position = await self.waitlist_position(after, session)
        await self._emit(
            session,
            self._participant(ParticipantWaitlisted, after, waitlist_position=position),
            subject,
        )
        await self._count(session, after, doc["status"], Status.waitlisted, pending)
        return after, reason

    async def waitlist_position(self, doc: Document, session: Session | None = None) -> int:
        ahead = await self.db[REGISTRATIONS].count_documents(
            {
                "meeting_id": doc["meeting_id"],
                "country": doc.get("country"),
                "status": Status.waitlisted.value,
                "registered_at": {"$lt": doc["registered_at"]},
            },
            session=session,
        )
        return ahead + 1

    async def _load_for(
        self, session: Session, actor: Actor, action: Action, registration_id: str
    ) -> Document:
        doc = await self._registration(registration_id, session)
        actor.check_action(action, registration_id, doc.get("country"))
        if doc.get("personal_data_purged_at") is not None:
            raise Conflict("the personal data of this registration has been purged")
        check_transition(action, doc["status"])
        return doc

    async def confirm(
        self, actor: Actor, registration_id: str, idempotency_key: str | None = None
    ) -> Result:
        async def work(session: Session) -> Result:
            doc = await self._load_for(session, actor, "confirm", registration_id)
            await self._ensure_known_meeting(session, doc)
            pending: Pending = {}
            after, reason = await self._accredit(session, doc, actor.label, pending)
            await self._announce(session, pending)
            body = self.view(after)
            if reason is not None:
                body["waitlist_reason"] = reason
                body["waitlist_position"] = await self.waitlist_position(after, session)
            return Result(200, body)

        return await self.idempotent(idempotency_key, f"confirm|{registration_id}", {}, work)

    async def _ensure_known_meeting(self, session: Session, doc: Document) -> None:
        await self.meeting(doc["meeting_id"], session)

    async def reject(
        self,
        actor: Actor,
        registration_id: str,
        reason: str | None,
        idempotency_key: str | None = None,
    ) -> Result:
        async def work(session: Session) -> Result:
            doc = await self._load_for(session, actor, "reject", registration_id)
            now = utcnow()
            after = await self.db[REGISTRATIONS].find_one_and_update(
                {"_id": registration_id},
                {
                    "$set": {
                        "status": Status.rejected.value,
                        "rejection_reason": reason,
                        "rejected_at": now,
                        "updated_at": now,
                    }
                },
                session=session,
                return_document=ReturnDocument.AFTER,
            )
            assert after is not None
            subject = f"registration/{registration_id}"
            await self._emit(
                session, self._participant(ParticipantRejected, after, reason=reason), subject
            )
            pending: Pending = {}
            await self._count(session, after, doc["status"], Status.rejected, pending)
            await self._announce(session, pending)
            return Result(200, self.view(after))

        return await self.idempotent(
            idempotency_key, f"reject|{registration_id}", {"reason": reason}, work
        )

    async def withdraw(
        self, actor: Actor, registration_id: str, idempotency_key: str | None = None
    ) -> Result:
        async def work(session: Session) -> Result:
            doc = await self._load_for(session, actor, "withdraw", registration_id)
            now = utcnow()
            after = await self.db[REGISTRATIONS].find_one_and_update(
                {"_id": registration_id},
                {
                    "$set": {
                        "status": Status.withdrawn.value,
                        "withdrawn_at": now,
                        "updated_at": now,
                    },
                    "$unset": {"badge_nonce": ""},
                },
                session=session,
                return_document=ReturnDocument.AFTER,
            )
            assert after is not None
            subject = f"registration/{registration_id}"
            await self._emit(
                session,
                self._participant(ParticipantWithdrawn, after, withdrawn_by=actor.label),
                subject,
            )
            pending: Pending = {}
            await self._count(session, after, doc["status"], Status.withdrawn, pending)
            body = self.view(after)
            body["promoted_registration_id"] = None
            if doc["status"] == Status.confirmed and doc.get("country"):
                # a place of the delegation (or of the meeting's capacity) was freed
                promoted = await self._promote_next(session, doc, pending)
                body["promoted_registration_id"] = promoted
            await self._announce(session, pending)
            return Result(200, body)

        return await self.idempotent(idempotency_key, f"withdraw|{registration_id}", {}, work)

    async def _promote_next(
        self, session: Session, freed: Document, pending: Pending
    ) -> str | None:
        """A place of the delegation was freed: the oldest waitlisted registration of the
        same country (by registration time) gets it, in the same transaction."""
        candidate = await self.db[REGISTRATIONS].find_one(
            {
                "meeting_id": freed["meeting_id"],
                "country": freed["country"],
                "status": Status.waitlisted.value,
            },
            sort=[("registered_at", 1), ("_id", 1)],
            session=session,
        )
        if candidate is None:
            return None
        after, reason = await self._accredit(session, candidate, "system", pending, promoted=True)
        if reason is not None:
            return None
        log.info(
            "waitlisted registration promoted",
            registration_id=after["_id"],
            meeting_id=after["meeting_id"],
            country=after.get("country"),
        )
        return str(after["_id"])

    # ---------------------------------------------------------------- check-in

    async def check_in(
        self,
        actor: Actor,
        registration_id: str | None = None,
        *,
        badge_token: str | None = None,
        meeting_id: str | None = None,
    ) -> Result:
        if badge_token is not None:
            parsed = read_badge_token(self.badge_secret, badge_token)
            if parsed is None:
                raise InvalidInput("not a genuine badge", field="badge_token")
            registration_id, nonce = parsed
        else:
            nonce = None
        assert registration_id is not None

        async def work(session: Session) -> Result:
            doc = await self._registration(registration_id, session)
            actor.check_action("check_in", registration_id, doc.get("country"))
            if meeting_id is not None and doc["meeting_id"] != meeting_id:
                raise Conflict(f"this badge is for {doc['meeting_id']}, not {meeting_id}")
            if nonce is not None and doc.get("badge_nonce") != nonce:
                raise Conflict("this badge is no longer valid (withdrawn or re-issued)")
            check_transition("check_in", doc["status"])
            meeting = await self.meeting(doc["meeting_id"], session)
            if doc.get("checked_in_at") is not None:
                return Result(200, self._check_in_answer(doc, meeting, already=True))
            now = utcnow()
            after = await self.db[REGISTRATIONS].find_one_and_update(
                {"_id": registration_id},
                {"$set": {"checked_in_at": now, "updated_at": now}},
                session=session,
                return_document=ReturnDocument.AFTER,
            )
            assert after is not None
            await self._emit(
                session,
                self._participant(ParticipantCheckedIn, after, checked_in_at=now),
                f"registration/{registration_id}",
            )
            return Result(200, self._check_in_answer(after, meeting, already=False))

        result: Result = await self._tx(work)
        return result

    def _check_in_answer(
        self, doc: Document, meeting: MeetingView, *, already: bool
    ) -> dict[str, Any]:
        at = doc["checked_in_at"]
        template = ALREADY_CHECKED_IN if already else CHECKED_IN
        messages = {
            lang: (template.get(lang)).format(
                time=format_local_datetime(at, meeting.timezone, lang, "short")
            )
            for lang in ("ar", "en", "fr")
        }
        return {
            **self.view(doc),
            "already_checked_in": already,
            "message": messages["en"],
            "messages": messages,
        }

    async def check_in_list(self, meeting_id: str) -> list[dict[str, Any]]:
        meeting = await self.meeting(meeting_id)
        cursor = (
            self.db[REGISTRATIONS]
            .find({"meeting_id": meeting_id, "status": Status.confirmed.value})
            .sort([("country", 1), ("family_name", 1), ("given_name", 1)])
        )
        rows = []
        async for doc in cursor:
            at = doc.get("checked_in_at")
            rows.append(
                {
                    "id": doc["_id"],
                    "given_name": doc.get("given_name"),
                    "family_name": doc.get("family_name"),
                    "name_latin": doc.get("name_latin"),
                    "country": doc.get("country"),
                    "institution": doc.get("institution"),
                    "role": doc["role"],
                    "checked_in": at is not None,
                    "checked_in_at": _iso(at),
                    "checked_in_local": (
                        format_local_datetime(at, meeting.timezone, "en", "yyyy-MM-dd HH:mm")
                        if at is not None
                        else None
                    ),
                }
            )
        return rows

    # ------------------------------------------------------------ badge access

    async def badge_subject(
        self, actor: Actor, registration_id: str
    ) -> tuple[Document, MeetingView, str]:
        doc = await self._registration(registration_id)
        actor.check_read(registration_id, doc.get("country"))
        token = self.badge_token(doc)
        if token is None:
            raise Conflict(f"no badge: the registration is {doc['status']}, not confirmed")
        return doc, await self.meeting(doc["meeting_id"]), token

    # -------------------------------------------------------------- delegations

    async def delegations(self, meeting_id: str) -> dict[str, Any]:
        await self.meeting(meeting_id)
        cursor = self.db[DELEGATIONS].find({"meeting_id": meeting_id}).sort("_id", 1)
        items = []
        totals_status: dict[str, int] = {}
        totals_role: dict[str, int] = {}
        confirmed = 0
        async for counters in cursor:
            item = delegation_summary_event(counters).model_dump(mode="json")
            if not any(item["by_status"].values()):
                continue
            items.append(item)
            for key, value in item["by_status"].items():
                totals_status[key] = totals_status.get(key, 0) + value
            for key, value in item["by_role"].items():
                totals_role[key] = totals_role.get(key, 0) + value
            confirmed += item["confirmed"]
        return {
            "meeting_id": meeting_id,
            "delegations": items,
            "totals": {
                "by_status": totals_status,
                "by_role": totals_role,
                "confirmed": confirmed,
                "countries": len([i for i in items if i["country"]]),
            },
        }

    # ------------------------------------------------------------------- auth

    async def actor_for(self, token: str | None, secretariat_token: str | None) -> Actor:
        if token is None:
            return Actor("anonymous")
        if secretariat_token is not None and hmac.compare_digest(
            token.encode(), secretariat_token.encode()
        ):
            return Actor("secretariat")
        digest = hash_secret_token(token)
        if token.startswith("fp_"):
            focal = await self.db[FOCAL_POINTS].find_one({"token_hash": digest, "revoked_at": None})
            if focal is not None:
                return Actor("focal_point", country=focal["country"], focal_point_id=focal["_id"])
        elif token.startswith("mt_"):
            doc = await self.db[REGISTRATIONS].find_one(
                {"manage_token_hash": digest}, projection={"_id": 1}
            )
            if doc is not None:
                return Actor("registrant", registration_id=doc["_id"])
        raise Unauthorized("unknown or revoked token")

    async def issue_focal_point(self, command: NewFocalPoint) -> dict[str, Any]:
        token = new_secret_token("fp")
        focal_id = uuid.uuid4().hex
        await self.db[FOCAL_POINTS].insert_one(
            {
                "_id": focal_id,
                "country": command.country,
                "name": command.name,
                "token_hash": hash_secret_token(token),
                "created_at": utcnow(),
                "revoked_at": None,
            }
        )
        log.info("focal-point token issued", focal_point_id=focal_id, country=command.country)
        return {"id": focal_id, "country": command.country, "name": command.name, "token": token}

    async def focal_points(self, country: str | None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {} if country is None else {"country": country}
        cursor = self.db[FOCAL_POINTS].find(query, projection={"token_hash": 0})
        return [
            {
                "id": doc["_id"],
                "country": doc["country"],
                "name": doc.get("name"),
                "created_at": _iso(doc.get("created_at")),
                "revoked_at": _iso(doc.get("revoked_at")),
            }
            async for doc in cursor.sort([("country", 1), ("created_at", 1)])
        ]

    async def revoke_focal_point(self, focal_point_id: str) -> None:
        result = await self.db[FOCAL_POINTS].update_one(
            {"_id": focal_point_id, "revoked_at": None}, {"$set": {"revoked_at": utcnow()}}
        )
        if result.matched_count == 0:
            raise NotFound(f"no active focal-point token {focal_point_id!r}")

    # ---------------------------------------------------------------- privacy

    async def purge(self, meeting_id: str, older_than_days: int) -> dict[str, Any]:
        """Erase the personal data of a meeting's registrations once it ended at least
        `older_than_days` ago; statuses, roles, countries and counts remain."""
        meeting = await self.meeting(meeting_id)
        end = meeting.end_date
        if end is None:
            raise Conflict(f"{meeting_id} has no end date yet: nothing can be purged")
        earliest = end + timedelta(days=older_than_days)
        today = utcnow().date()
        if today < earliest:
            raise Conflict(
                f"{meeting_id} ended on {end.isoformat()}: its personal data can be purged "
                f"{older_than_days} days later, from {earliest.isoformat()}"
            )

        async def work(session: Session) -> int:
            now = utcnow()
            purged = 0
            cursor = self.db[REGISTRATIONS].find(
                {"meeting_id": meeting_id, "personal_data_purged_at": None},
                projection={"_id": 1},
                session=session,
            )
            ids = [doc["_id"] async for doc in cursor]
            for registration_id in ids:
                await self.db[REGISTRATIONS].update_one(
                    {"_id": registration_id},
                    {
                        "$set": {
                            "email_key": f"purged:{registration_id}",
                            "personal_data_purged_at": now,
                        },
                        "$unset": {field: "" for field in PERSONAL_FIELDS},
                    },
                    session=session,
                )
                purged += 1
            await self.db[IDEMPOTENCY].delete_many({"meeting_id": meeting_id}, session=session)
            await self.db[MEETINGS].update_one(
                {"_id": meeting_id}, {"$set": {"personal_data_purged_at": now}}, session=session
            )
            await self._emit(
                session,
                PersonalDataPurged(meeting_id=meeting_id, registrations=purged, purged_at=now),
                f"meeting/{meeting_id}",
            )
            return purged

        purged: int = await self._tx(work)
        log.info("personal data purged", meeting_id=meeting_id, registrations=purged)
        return {"meeting_id": meeting_id, "purged": purged}


def delegation_summary_event(counters: Document) -> DelegationUpdated:
    """The public, PII-free counts of one delegation."""
    return DelegationUpdated(
        meeting_id=counters["meeting_id"],
        country=counters.get("country"),
        institution=counters.get("institution"),
        by_status={k: v for k, v in (counters.get("by_status") or {}).items() if v},
        by_role={k: v for k, v in (counters.get("by_role") or {}).items() if v},
        confirmed=int(counters.get("confirmed", 0)),
    )


def _replay(stored: Document, fingerprint: str) -> Result:
    if stored.get("fingerprint") != fingerprint:
        raise InvalidInput(
            "this Idempotency-Key was already used for a different request",
            field="Idempotency-Key",
        )
    return Result(int(stored["status"]), dict(stored["body"]))
