"""What callers ask of registration: small frozen dataclasses carrying validated
values and who is asking. The request bodies they are made of (pydantic models that
refuse an unknown key or a bad field, naming it) are the entrypoints'
(`entrypoints/schemas.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pesnet.registration.domain.meeting import MeetingSource
from pesnet.registration.domain.registration import Details
from pesnet.shared.credentials import Actor
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Language, Localized


@dataclass(frozen=True)
class Register:
    meeting_id: str
    details: Details
    actor: Actor
    idempotency_key: str | None = None
    # what an anonymous caller is known by (its client address): the scope of its key
    proof: str | None = None


@dataclass(frozen=True)
class Correct:
    """The fields the caller corrects (a None clears an optional one)."""

    registration_id: str
    changes: Mapping[str, Any]
    actor: Actor


@dataclass(frozen=True)
class Confirm:
    registration_id: str
    actor: Actor
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Reject:
    registration_id: str
    actor: Actor
    reason: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Withdraw:
    registration_id: str
    actor: Actor
    idempotency_key: str | None = None


@dataclass(frozen=True)
class CheckIn:
    """By registration id (the desk's list) or by the badge's token (its QR code)."""

    actor: Actor
    registration_id: str | None = None
    badge_token: str | None = None
    meeting_id: str | None = None


@dataclass(frozen=True)
class OpenMeeting:
    """Open (or update) a meeting for registration, as the agenda announced it."""

    announcement: MeetingScheduled
    source: MeetingSource
    announced_at: datetime


@dataclass(frozen=True)
class NominateFocalPoint:
    """A national focal point of a country and, when named, of one institution of the
    reference (then the action plan hears from them: their name and e-mail are needed)."""

    country: str
    name: str | None = None
    institution_id: str | None = None
    email: str | None = None
    language: Language = Language.en


@dataclass(frozen=True)
class RegisterInstitution:
    id: str
    name: Localized
    acronym: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class RenameInstitution:
    institution_id: str
    name: Localized | None = None
    acronym: str | None = None


@dataclass(frozen=True)
class PurgePersonalData:
    meeting_id: str
    older_than_days: int


@dataclass(frozen=True)
class Audience:
    """Whom a list, an export or an announcement is about: a meeting's registrations,
    narrowed by country, status and role (None: any)."""

    meeting_id: str
    country: str | None = None
    status: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Announce:
    """A message of the secretariat to an audience of a meeting, in the three languages;
    `critical` reaches everyone, an ordinary one respects their preferences."""

    audience: Audience
    title: Localized
    body: Localized
    critical: bool
    actor: Actor
