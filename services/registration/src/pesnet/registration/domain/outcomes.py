"""What the use cases that change registrations answer (domain results: the
entrypoints make responses of them)."""

from __future__ import annotations

from dataclasses import dataclass

from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.registration import Registration
from pesnet.shared.translation import Message


@dataclass(frozen=True)
class Registered:
    """A new registration (its manage link is signed where it is answered)."""

    registration: Registration


@dataclass(frozen=True)
class Accredited:
    """Confirmed, or waitlisted (then why, and the place in the waitlist)."""

    registration: Registration
    # said in the caller's language where it is shown (the English text is its value)
    waitlist_reason: Message | None = None
    waitlist_position: int | None = None


@dataclass(frozen=True)
class Rejected:
    registration: Registration


@dataclass(frozen=True)
class Withdrawn:
    registration: Registration
    promoted_registration_id: str | None = None


Outcome = Registered | Accredited | Rejected | Withdrawn
OUTCOMES: tuple[type[Outcome], ...] = (Registered, Accredited, Rejected, Withdrawn)


@dataclass(frozen=True)
class CheckedIn:
    registration: Registration
    meeting: Meeting
    already: bool


@dataclass(frozen=True)
class Badge:
    registration: Registration
    meeting: Meeting
    token: str
