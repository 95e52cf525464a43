"""Types that several services' events share."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pesnet.shared.i18n import Language, Localized

__all__ = ["Contact", "Country", "Language", "Localized", "MeetingId", "Role"]

Role = Literal[
    "head_of_delegation",
    "delegate",
    "focal_point",
    "speaker",
    "moderator",
    "observer",
    "secretariat",
]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
MeetingId = Annotated[str, Field(min_length=1, max_length=64)]


class Contact(BaseModel):
    """A person to notify. Personal data: only in internal events."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    email: str
    language: Language = "en"
    registration_id: str | None = None
