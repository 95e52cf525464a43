"""What every use case of the registration service shares: the repository, running
work in one transaction, adding events to the outbox, loading a meeting or a
registration (404 when unknown), and how a registration is shown (its private
view and the payload of its events)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import structlog

from pesnet.registration.adapters.repository import RegistrationRepository
from pesnet.registration.domain.badges import badge_token_for
from pesnet.registration.domain.model import RegistrationWindow, Status
from pesnet.shared.catalog import EventPayload
from pesnet.shared.errors import NotFound
from pesnet.shared.events.registration import ParticipantEvent
from pesnet.shared.i18n import Localized
from pesnet.shared.mongo import Client, DbSession, Document, in_transaction
from pesnet.shared.outbox import Outbox

T = TypeVar("T")


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
    def confirmed_total(self) -> int:
        return int(self.doc.get("confirmed_total", 0))

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


def iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


class ServiceContext:
    def __init__(
        self,
        client: Client,
        repository: RegistrationRepository,
        outbox: Outbox,
        *,
        badge_secret: bytes,
        public_url: str,
        default_quota: int | None,
    ) -> None:
        self.client = client
        self.repo = repository
        self.outbox = outbox
        self.badge_secret = badge_secret
        self.public_url = public_url.rstrip("/")
        self.default_quota = default_quota

    async def transaction(self, work: Callable[[DbSession], Awaitable[T]]) -> T:
        return await in_transaction(self.client, work)

    async def emit(self, session: DbSession, payload: EventPayload, subject: str) -> None:
        # the HTTP request's correlation id (bound by the kernel's middleware) follows
        # the events it causes, so logs of all services tie back to the request
        correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
        await self.outbox.add(session, payload, subject=subject, correlation_id=correlation_id)

    async def meeting(self, meeting_id: str, session: DbSession | None = None) -> MeetingView:
        doc = await self.repo.get_meeting(meeting_id, session)
        if doc is None:
            raise NotFound(f"no meeting {meeting_id!r} is open for registration")
        return MeetingView(doc)

    async def registration(
        self, registration_id: str, session: DbSession | None = None
    ) -> Document:
        doc = await self.repo.get_registration(registration_id, session)
        if doc is None:
            raise NotFound(f"no registration {registration_id!r}")
        return doc

    def badge_token(self, doc: Document) -> str | None:
        """The token of a confirmed registration's current badge (None otherwise)."""
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
            "registered_at": iso(doc.get("registered_at")),
            "updated_at": iso(doc.get("updated_at")),
            "confirmed_at": iso(doc.get("confirmed_at")),
            "waitlisted_at": iso(doc.get("waitlisted_at")),
            "checked_in_at": iso(doc.get("checked_in_at")),
            "rejection_reason": doc.get("rejection_reason"),
            "promoted_from_waitlist": bool(doc.get("promoted_from_waitlist")),
        }
        token = self.badge_token(doc)
        if token is not None:
            body["badge_token"] = token
            body["badge_url"] = f"{self.public_url}/registrations/{doc['_id']}/badge.png"
        return body


def participant_event(
    model: type[ParticipantEvent], doc: Document, **extra: Any
) -> ParticipantEvent:
    """An internal `registration.participant.*` event (with personal data) of `doc`."""
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


def registration_subject(registration_id: str) -> str:
    return f"registration/{registration_id}"
