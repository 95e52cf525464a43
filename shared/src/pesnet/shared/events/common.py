"""Types that several services' events share."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pesnet.shared.i18n import Language, Localized

__all__ = [
    "Contact",
    "Country",
    "InstitutionId",
    "Language",
    "Localized",
    "MeetingId",
    "ParticipantStatus",
    "Role",
]


# How a participant of a hybrid meeting takes part (an in-person meeting's are all on
# site, an online meeting's all online).
Attendance = Literal["on_site", "online"]


class Role(StrEnum):
    """A participant's role in a meeting."""

    head_of_delegation = "head_of_delegation"
    delegate = "delegate"
    focal_point = "focal_point"
    speaker = "speaker"
    moderator = "moderator"
    observer = "observer"
    secretariat = "secretariat"


class ParticipantStatus(StrEnum):
    """Where a registration stands; every `registration.participant.*` event carries
    the status after its change, so consumers never derive it from the event type."""

    registered = "registered"
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    rejected = "rejected"
    withdrawn = "withdrawn"


Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
MeetingId = Annotated[str, Field(min_length=1, max_length=64)]
# An institution of the network's reference (registration owns it): a stable,
# slug-like id such as `anapec`, never shown to people (they read its names).
InstitutionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class Contact(BaseModel):
    """A person to notify. Personal data: only in internal events."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    email: str
    language: Language = Language.en
    registration_id: str | None = None
