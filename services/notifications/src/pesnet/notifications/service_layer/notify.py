"""Use cases run by the event handlers, inside the inbox transaction: keep the
projections up to date and turn an event into deliveries (rendered, stored, sent
later by the delivery worker). Exactly one delivery per (event, recipient, channel)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from pesnet.notifications.adapters.repository import Repository
from pesnet.notifications.domain.model import (
    CHANNEL_EMAIL,
    MissingData,
    Notice,
    delivery_id,
    effective_language,
    normalize_address,
    sign_address,
    suppressed,
    valid_address,
)
from pesnet.notifications.domain.notices import (
    Person,
    chairmanship_notice,
    cooperation_notice,
    participant_name,
    programme_notice,
    progress_notice,
    registration_notice,
    reminder_notice,
    session_changed_notice,
)
from pesnet.notifications.settings import Settings
from pesnet.notifications.templates import render
from pesnet.shared.catalog import EventPayload
from pesnet.shared.envelope import CloudEvent, utcnow
from pesnet.shared.events.actionplan import CooperationProposed, ProgressReviewed, ReminderDue
from pesnet.shared.events.agenda import (
    ChairmanshipTransferred,
    MeetingScheduled,
    ProgrammeReleased,
    SessionChanged,
)
from pesnet.shared.events.common import Contact
from pesnet.shared.events.notifications import DeliveryFailed
from pesnet.shared.events.registration import ParticipantEvent, PersonalDataPurged
from pesnet.shared.logging import get_logger
from pesnet.shared.messaging import Unprocessable
from pesnet.shared.mongo import DbSession, Document

log = get_logger(__name__)

Emit = Callable[[EventPayload], Awaitable[Any]]

# the status a registration has after each event (the payload's own `status` is
# the producer's wording; the event type is the contract)
STATUS_AFTER: dict[str, str] = {
    "registration.participant.confirmed": "confirmed",
    "registration.participant.waitlisted": "waitlisted",
    "registration.participant.rejected": "rejected",
    "registration.participant.withdrawn": "withdrawn",
    "registration.participant.checked_in": "checked_in",
}
ATTENDING = ["confirmed", "checked_in"]


@dataclass
class Unit:
    """One handled event: its envelope, the transaction, and how to emit."""

    event: CloudEvent
    session: DbSession
    emit: Emit


class Notifier:
    def __init__(self, repo: Repository, settings: Settings) -> None:
        self.repo = repo
        self.settings = settings

    def preferences_url(self, address: str) -> str:
        token = sign_address(address, self.settings.link_key())
        return f"{self.settings.public_url.rstrip('/')}/preferences?token={quote(token)}"

    # --- the projection ----------------------------------------------------
    async def _remember(
        self,
        unit: Unit,
        email: str,
        name: str,
        language: str,
        role: str,
        source: str,
        institution: str | None = None,
    ) -> Document:
        address = normalize_address(email)
        await self.repo.upsert_recipient(
            unit.session,
            address,
            email=email.strip(),
            name=name,
            language=language,
            role=role,
            source=source,
            institution=institution,
            seen_at=unit.event.time,
        )
        doc = await self.repo.recipient(unit.session, address)
        assert doc is not None
        return doc

    def _person(self, recipient: Document, registration_id: str | None = None) -> Person:
        return Person(
            email=recipient.get("email") or recipient["_id"],
            name=recipient.get("name") or "",
            language=effective_language(
                recipient.get("language") or "en", recipient.get("preferred_language")
            ),
            registration_id=registration_id,
        )

    # --- registration ------------------------------------------------------
    async def participant(self, unit: Unit, payload: ParticipantEvent) -> None:
        event = unit.event
        address = normalize_address(payload.email)
        status = STATUS_AFTER.get(event.type, payload.status)
        existing = await self.repo.participation(unit.session, payload.registration_id)
        # events of one registration may arrive out of order: the newest state wins
        if existing is None or existing.get("as_of") is None or existing["as_of"] <= event.time:
            await self.repo.save_participation(
                unit.session,
                payload.registration_id,
                {
                    "email": address,
                    "meeting_id": payload.meeting_id,
                    "role": payload.role,
                    "status": status,
                    "as_of": event.time,
                },
            )
        recipient = await self._remember(
            unit,
            payload.email,
            participant_name(payload),
            payload.language,
            payload.role,
            "registration",
            payload.institution,
        )
        if event.type == "registration.participant.updated":
            return
        meeting = await self.repo.meeting(unit.session, payload.meeting_id)
        language = effective_language(payload.language, recipient.get("preferred_language"))
        notice = self._build(registration_notice, event.type, payload, meeting, language)
        await self.record(unit, notice, recipient)

    async def purge(self, unit: Unit, payload: PersonalDataPurged) -> None:
        """The meeting's personal data was erased upstream: forget who attended it, the
        mails we wrote them about it, and people we know only from that meeting. The
        delivery log keeps the facts (what was sent when) without the bodies."""
        session = unit.session
        attendees = {
            p["email"]
            async for p in self.repo.participations.find(
                {"meeting_id": payload.meeting_id}, session=session
            )
        }
        await self.repo.participations.delete_many(
            {"meeting_id": payload.meeting_id}, session=session
        )
        await self.repo.deliveries.update_many(
            {"meeting_id": payload.meeting_id},
            {"$unset": {"html": "", "text": "", "attachments": "", "digest_context": ""}},
            session=session,
        )
        for address in sorted(attendees):
            recipient = await self.repo.recipient(session, address)
            still_attending = await self.repo.participations.count_documents(
                {"email": address}, session=session
            )
            if recipient and not still_attending and recipient.get("sources") == ["registration"]:
                await self.repo.recipients.delete_one({"_id": address}, session=session)

    # --- agenda ------------------------------------------------------------
    async def meeting_scheduled(self, unit: Unit, payload: MeetingScheduled) -> None:
        await self.repo.save_meeting(
            unit.session,
            payload.meeting_id,
            {
                "title": payload.title.model_dump(),
                "city": payload.city.model_dump() if payload.city else None,
                "venue": payload.venue.model_dump() if payload.venue else None,
                "timezone": payload.timezone,
                "start_date": payload.start_date.isoformat() if payload.start_date else None,
                "end_date": payload.end_date.isoformat() if payload.end_date else None,
            },
        )

    async def programme_released(self, unit: Unit, payload: ProgrammeReleased) -> None:
        """Everyone attending gets 'new version'; those whose session changed get
        'your session changed' instead."""
        meeting = await self.repo.meeting(unit.session, payload.meeting_id)
        affected = {a.registration_id: a.session_ids for a in payload.affected}
        attending = await self.repo.participants_of(unit.session, payload.meeting_id, ATTENDING)
        speakers = await self.repo.participations_by_id(unit.session, list(affected))
        people: dict[str, Document] = {p["_id"]: p for p in [*attending, *speakers]}
        for registration_id, participation in sorted(people.items()):
            if registration_id in affected:
                # agenda tells us who speaks or moderates where: keep it in the projection
                await self.repo.participations.update_one(
                    {"_id": registration_id},
                    {"$addToSet": {"sessions": {"$each": affected[registration_id]}}},
                    session=unit.session,
                )
            recipient = await self.repo.recipient(unit.session, participation["email"])
            if recipient is None:
                continue
            person = self._person(recipient, registration_id)
            sessions = affected.get(registration_id)
            notice = self._build(programme_notice, payload, meeting, person, sessions)
            await self.record(unit, notice, recipient)

    async def session_changed(self, unit: Unit, payload: SessionChanged) -> None:
        meeting = await self.repo.meeting(unit.session, payload.meeting_id)
        for participation in await self.repo.participations_by_id(
            unit.session, payload.affected_registration_ids
        ):
            recipient = await self.repo.recipient(unit.session, participation["email"])
            if recipient is None:
                continue
            person = self._person(recipient, participation["_id"])
            notice = self._build(session_changed_notice, payload, meeting, person)
            await self.record(unit, notice, recipient)

    async def chairmanship(self, unit: Unit, payload: ChairmanshipTransferred) -> None:
        """Network news: every person the network knows of (opt-out-able)."""
        for recipient in await self.repo.all_recipients(unit.session):
            person = self._person(recipient)
            notice = self._build(chairmanship_notice, payload, person)
            await self.record(unit, notice, recipient)

    # --- action plan -------------------------------------------------------
    async def _contact(
        self, unit: Unit, contact: Contact, role: str, institution: str | None = None
    ) -> tuple[Document, Person]:
        recipient = await self._remember(
            unit, contact.email, contact.name, contact.language, role, "actionplan", institution
        )
        return recipient, self._person(recipient, contact.registration_id)

    async def reminder(self, unit: Unit, payload: ReminderDue) -> None:
        for contact in payload.recipients:
            recipient, person = await self._contact(unit, contact, "focal_point")
            notice = self._build(reminder_notice, payload, person)
            await self.record(unit, notice, recipient)

    async def progress_reviewed(self, unit: Unit, payload: ProgressReviewed) -> None:
        recipient, person = await self._contact(unit, payload.reporter, "focal_point")
        notice = self._build(progress_notice, payload, person)
        await self.record(unit, notice, recipient)

    async def cooperation(self, unit: Unit, payload: CooperationProposed) -> None:
        for party in payload.parties:
            for contact in party.contacts:
                recipient, person = await self._contact(unit, contact, "contact", party.institution)
                notice = self._build(
                    cooperation_notice, payload, person, party.institution, party.side
                )
                await self.record(unit, notice, recipient)

    # --- deliveries --------------------------------------------------------
    @staticmethod
    def _build(make: Callable[..., Notice], *args: Any) -> Notice:
        try:
            return make(*args)
        except MissingData as exc:
            # dead-lettered with the reason, rather than a mail with holes in it
            raise Unprocessable(str(exc)) from exc

    async def record(self, unit: Unit, notice: Notice, recipient: Document) -> None:
        event = unit.event
        address = normalize_address(notice.recipient)
        now = utcnow()
        doc: Document = {
            "_id": delivery_id(event.id, address, CHANNEL_EMAIL),
            "event_id": event.id,
            "event_type": event.type,
            "correlation_id": event.correlationid,
            "event_time": event.time,
            "channel": CHANNEL_EMAIL,
            "recipient": address,
            "address": notice.recipient.strip(),
            "kind": notice.kind,
            "language": notice.language,
            "meeting_id": notice.meeting_id,
            "created_at": now,
            "attempts": 0,
            "error": None,
            "sent_at": None,
            "digest_key": None,
        }
        if not valid_address(notice.recipient):
            reason = "invalid recipient address"
            doc.update(status="failed", error=reason, failed_at=now)
            if await self.repo.add_delivery(unit.session, doc):
                log.warning("delivery failed: invalid address", delivery_id=doc["_id"])
                await unit.emit(
                    DeliveryFailed(
                        delivery_id=doc["_id"],
                        event_id=event.id,
                        event_type=event.type,
                        channel=CHANNEL_EMAIL,
                        recipient=address,
                        reason=reason,
                        permanent=True,
                    )
                )
            return
        if suppressed(notice.kind, bool(recipient.get("opted_out"))):
            doc.update(status="suppressed", error="opted out of non-critical notifications")
            await self.repo.add_delivery(unit.session, doc)
            return
        mail = render(
            notice.kind,
            notice.language,
            notice.context,
            preferences_url=self.preferences_url(address),
        )
        doc.update(
            status="pending",
            language=mail.language,
            subject=mail.subject,
            text=mail.text,
            html=mail.html,
            attachments=[
                {"filename": a.filename, "content_type": a.content_type, "content": a.content}
                for a in notice.attachments
            ],
            due_at=now,
        )
        key = notice.digest_key
        if key is not None:
            doc.update(
                digest_key=key,
                due_at=None,
                digest_item=notice.digest_item,
                # what the digest mail needs besides the items (BSON-storable: no dates)
                digest_context={
                    "name": notice.context.get("name", ""),
                    "meeting": {
                        k: v
                        for k, v in (notice.context.get("meeting") or {}).items()
                        if k in ("id", "title", "city", "timezone")
                    },
                },
            )
        if await self.repo.add_delivery(unit.session, doc) and key is not None:
            await self._hold_for_digest(unit.session, key, address, notice.meeting_id)

    async def _hold_for_digest(
        self, session: DbSession, key: str, address: str, meeting_id: str | None
    ) -> None:
        """The first programme notice opens the window; later ones join it. The write
        (not only the read) makes a concurrent digest send conflict and retry."""
        digest = await self.repo.digests.find_one({"_id": key}, session=session)
        due = digest.get("due_at") if digest else None
        if due is None:
            due = utcnow() + timedelta(seconds=self.settings.digest_window_seconds)
        await self.repo.digests.update_one(
            {"_id": key},
            {
                "$set": {"due_at": due, "recipient": address, "meeting_id": meeting_id},
                "$inc": {"items": 1},
            },
            upsert=True,
            session=session,
        )
