"""The registration domain: pure rules, no I/O.

A registration moves through the accreditation workflow

    registered ─┬─> confirmed ──> withdrawn
                ├─> waitlisted ─┬─> confirmed (promoted or re-confirmed)
                │               ├─> rejected
                │               └─> withdrawn
                ├─> rejected
                └─> withdrawn

Confirming asks the delegation's quota (and the meeting's capacity) for a place:
with one, the registration is confirmed; without, it is waitlisted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pesnet.shared.errors import Conflict, Forbidden, InvalidInput
from pesnet.shared.reference import member_states

MAX_NAME = 200


class Status(StrEnum):
    registered = "registered"
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    rejected = "rejected"
    withdrawn = "withdrawn"


Action = Literal["confirm", "reject", "withdraw", "check_in", "correct"]

# Which statuses each action may start from.
ALLOWED_FROM: dict[str, frozenset[Status]] = {
    "confirm": frozenset({Status.registered, Status.waitlisted, Status.confirmed}),
    "reject": frozenset({Status.registered, Status.waitlisted}),
    "withdraw": frozenset({Status.registered, Status.waitlisted, Status.confirmed}),
    "check_in": frozenset({Status.confirmed}),
    "correct": frozenset({Status.registered, Status.waitlisted, Status.confirmed}),
}

ROLES = (
    "head_of_delegation",
    "delegate",
    "focal_point",
    "speaker",
    "moderator",
    "observer",
    "secretariat",
)
# Without a country a registration speaks for an OIC institution or a partner:
# these roles need a member state.
ROLES_NEEDING_COUNTRY = frozenset({"head_of_delegation", "delegate", "focal_point"})
# The roles of a member state's delegation, which its quota bounds. Speakers and
# moderators are invited by the programme (the agenda needs them confirmed) and
# the secretariat runs the meeting: the meeting's capacity bounds them, not a quota.
QUOTA_ROLES = frozenset({"head_of_delegation", "delegate", "focal_point", "observer"})


def counts_against_quota(country: str | None, role: str) -> bool:
    return country is not None and role in QUOTA_ROLES


def delegation_key(country: str | None, institution: str | None) -> str:
    """A member state's delegation is its country; others are grouped by institution."""
    if country:
        return country
    return "org:" + re.sub(r"\s+", " ", (institution or "").strip().casefold())


def check_transition(action: Action, status: str) -> None:
    """Raise Conflict (409) when the state machine forbids `action` from `status`."""
    if Status(status) not in ALLOWED_FROM[action]:
        verb = action.replace("_", "-")
        raise Conflict(f"cannot {verb} a registration that is {status}")


# Zero-width joiner/non-joiner are part of how Persian, Urdu and other scripts
# write names; every other control or format character is refused (bidi
# overrides could disguise a name on a badge).
_ALLOWED_FORMAT = {"\u200c", "\u200d"}


def clean_text(
    value: str,
    field: str,
    *,
    max_length: int = MAX_NAME,
    multiline: bool = False,
    required: bool = True,
) -> str:
    """NFC-normalized, trimmed text without control characters, 1..max_length long."""
    text = unicodedata.normalize("NFC", value).strip()
    for char in text:
        if multiline and char in "\n\t":
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co", "Cn") or (
            category == "Cf" and char not in _ALLOWED_FORMAT
        ):
            raise InvalidInput(f"contains a control character (U+{ord(char):04X})", field=field)
    if required and not text:
        raise InvalidInput("must not be empty", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"must be at most {max_length} characters", field=field)
    return text


def email_key(email: str) -> str:
    """The form two addresses are compared in: Unicode-normalized (NFKC) and case-folded,
    so `Amina@Example.org` and `amina@example.ORG` are one person."""
    return unicodedata.normalize("NFKC", email).casefold()


def normalize_country(value: str, field: str = "country") -> str:
    code = value.strip().upper()
    if code not in member_states():
        raise InvalidInput(
            f"{value!r} is not the ISO 3166-1 alpha-3 code of an OIC member state", field=field
        )
    return code


@dataclass(frozen=True)
class RegistrationWindow:
    opens_at: datetime | None
    closes_at: datetime | None
    status: str = "scheduled"

    def refusal(self, now: datetime) -> str | None:
        """Why a registration at `now` is refused, or None if the window is open."""
        if self.status == "tentative":
            return "the meeting is tentative: registration opens once its dates are decided"
        if self.opens_at is not None and now < self.opens_at:
            return f"registration opens at {self.opens_at.isoformat()}"
        if self.closes_at is not None and now >= self.closes_at:
            return f"registration closed at {self.closes_at.isoformat()}"
        return None


@dataclass(frozen=True)
class Places:
    """What the quota decision needs: the delegation's and the meeting's confirmed counts."""

    delegation_confirmed: int
    quota: int | None
    meeting_confirmed: int
    capacity: int | None

    def available(self) -> bool:
        if self.quota is not None and self.delegation_confirmed >= self.quota:
            return False
        return not (self.capacity is not None and self.meeting_confirmed >= self.capacity)

    def why_not(self) -> str:
        if self.quota is not None and self.delegation_confirmed >= self.quota:
            return f"the delegation's quota of {self.quota} is reached"
        return f"the meeting's capacity of {self.capacity} is reached"


# Who is acting: the secretariat, a national focal point (one country), or the
# registrant holding the manage token of one registration.
ActorKind = Literal["secretariat", "focal_point", "registrant", "anonymous"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    country: str | None = None
    registration_id: str | None = None
    focal_point_id: str | None = None

    @property
    def is_secretariat(self) -> bool:
        return self.kind == "secretariat"

    def may_read(self, registration_id: str, country: str | None) -> bool:
        if self.kind == "secretariat":
            return True
        if self.kind == "focal_point":
            return country is not None and country == self.country
        if self.kind == "registrant":
            return registration_id == self.registration_id
        return False

    def check_read(self, registration_id: str, country: str | None) -> None:
        if not self.may_read(registration_id, country):
            raise Forbidden(self._outside(country))

    def check_action(self, action: Action, registration_id: str, country: str | None) -> None:
        """Object-level check: the secretariat does anything; a focal point acts on
        registrations of their country; a registrant corrects or withdraws their own."""
        if self.kind == "secretariat":
            return
        if self.kind == "focal_point":
            if country is not None and country == self.country and action != "check_in":
                return
            raise Forbidden(self._outside(country) if action != "check_in" else _CHECK_IN_ONLY)
        if self.kind == "registrant" and registration_id == self.registration_id:
            if action in ("correct", "withdraw"):
                return
            raise Forbidden(f"a registrant may not {action.replace('_', '-')} a registration")
        raise Forbidden("these credentials do not give access to this registration")

    def _outside(self, country: str | None) -> str:
        if self.kind == "focal_point":
            return (
                f"a focal point of {self.country} may act only on registrations of {self.country}"
                f" (this one is of {country or 'no member state'})"
            )
        return "these credentials do not give access to this registration"

    @property
    def label(self) -> Literal["secretariat", "focal_point", "registrant"]:
        if self.kind == "secretariat":
            return "secretariat"
        if self.kind == "focal_point":
            return "focal_point"
        return "registrant"


_CHECK_IN_ONLY = "only the secretariat's desk checks participants in"
