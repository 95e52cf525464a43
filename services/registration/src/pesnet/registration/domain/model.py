"""The registration domain: pure rules, no I/O.

A registration moves through the accreditation workflow

    registered ─┬─> confirmed ──> withdrawn
                ├─> waitlisted ─┬─> confirmed (promoted or re-confirmed)
                │               ├─> rejected
                │               └─> withdrawn
                ├─> rejected
                └─> withdrawn

Confirming asks the delegation's quota (and the meeting's capacity) for a place:
with one, the registration is confirmed; without, it is waitlisted. Who may do
what to which registration is decided here too, for the kernel's `Actor`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pesnet.registration.domain.badges import BadgeKey, new_badge_nonce
from pesnet.shared.credentials import (
    Actor,
    ActorKind,
    StaffRole,
    TokenPrefix,
    hash_secret_token,
    new_secret_token,
)
from pesnet.shared.emails import email_key
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from pesnet.shared.events.common import ParticipantStatus, Role
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.reference import member_states
from pesnet.shared.terms import PARTICIPANT_STATUSES, ROLES
from pesnet.shared.translation import Message, _

MAX_NAME = 200

# The contract's statuses: every participant event carries the one after its change.
Status = ParticipantStatus


class Action(StrEnum):
    confirm = "confirm"
    reject = "reject"
    withdraw = "withdraw"
    check_in = "check_in"
    correct = "correct"


# What the workflow answers when an action may not start from a registration's status.
NOT_FROM: dict[Action, str] = {
    Action.confirm: _("cannot confirm a registration that is {status}"),
    Action.reject: _("cannot reject a registration that is {status}"),
    Action.withdraw: _("cannot withdraw a registration that is {status}"),
    Action.check_in: _("cannot check in a registration that is {status}"),
    Action.correct: _("cannot correct a registration that is {status}"),
}
# What a credential that may not take an action at all is told.
NOT_ALLOWED: dict[Action, str] = {
    Action.confirm: _("these credentials do not allow to confirm registrations"),
    Action.reject: _("these credentials do not allow to reject registrations"),
    Action.withdraw: _("these credentials do not allow to withdraw registrations"),
    Action.check_in: _("these credentials do not allow to check registrations in"),
    Action.correct: _("these credentials do not allow to correct registrations"),
}

# Which statuses each action may start from.
ALLOWED_FROM: dict[Action, frozenset[Status]] = {
    Action.confirm: frozenset({Status.registered, Status.waitlisted, Status.confirmed}),
    Action.reject: frozenset({Status.registered, Status.waitlisted}),
    Action.withdraw: frozenset({Status.registered, Status.waitlisted, Status.confirmed}),
    Action.check_in: frozenset({Status.confirmed}),
    Action.correct: frozenset({Status.registered, Status.waitlisted, Status.confirmed}),
}

# Without a country a registration speaks for an OIC institution or a partner:
# these roles need a member state.
ROLES_NEEDING_COUNTRY = frozenset({Role.head_of_delegation, Role.delegate, Role.focal_point})
# The roles of a member state's delegation, which its quota bounds. Speakers and
# moderators are invited by the programme (the agenda needs them confirmed) and
# the secretariat runs the meeting: the meeting's capacity bounds them, not a quota.
QUOTA_ROLES = frozenset({Role.head_of_delegation, Role.delegate, Role.focal_point, Role.observer})

# How an actor is named in a registration and its events.
ActorLabel = Literal["secretariat", "focal_point", "registrant"]

# The staff roles that may take an action on any registration (the administrator holds
# them all); a national focal point acts on its country's registrations, a registrant
# on their own.
RIGHTS: dict[Action, tuple[StaffRole, ...]] = {
    Action.confirm: (StaffRole.accreditation_officer,),
    Action.reject: (StaffRole.accreditation_officer,),
    Action.withdraw: (StaffRole.accreditation_officer,),
    Action.correct: (StaffRole.accreditation_officer,),
    Action.check_in: (StaffRole.check_in_clerk,),
}
# Who reads any registration: accreditation, and the check-in desk (a badge's holder).
READERS = (StaffRole.accreditation_officer, StaffRole.check_in_clerk)
# Who lists a meeting's registrations (a focal point: their country's).
LISTERS = (StaffRole.accreditation_officer,)
# What a focal point and a registrant may do on the registrations in their scope.
FOCAL_POINT_ACTIONS = frozenset({Action.confirm, Action.reject, Action.withdraw, Action.correct})
REGISTRANT_ACTIONS = frozenset({Action.withdraw, Action.correct})


def label_of(actor: Actor) -> ActorLabel:
    if actor.kind is ActorKind.focal_point:
        return "focal_point"
    if actor.kind in (ActorKind.secretariat, ActorKind.staff):
        return "secretariat"
    return "registrant"


def require_credentials(actor: Actor) -> None:
    if actor.is_anonymous:
        raise Unauthorized(
            _("a bearer token is required (secretariat, focal point, or your manage token)")
        )


def is_focal_point(actor: Actor) -> bool:
    """A national focal point of a country (its `fp_` token or its account)."""
    return actor.kind is ActorKind.focal_point and actor.country is not None


def check_right(actor: Actor, action: Action) -> None:
    """Before any registration is looked at: may this actor take `action` at all?
    (Which registrations, `Registration.authorize` says.)"""
    require_credentials(actor)
    if actor.has(*RIGHTS[action]):
        return
    if is_focal_point(actor) and action in FOCAL_POINT_ACTIONS:
        return
    if actor.kind is ActorKind.registrant and action in REGISTRANT_ACTIONS:
        return
    raise Forbidden(NOT_ALLOWED[action])


def check_reader(actor: Actor) -> None:
    """Before any registration is looked at: may this actor read registrations at all?"""
    require_credentials(actor)
    if actor.has(*READERS) or is_focal_point(actor) or actor.kind is ActorKind.registrant:
        return
    raise Forbidden(_("these credentials do not give access to registrations"))


def check_nomination(actor: Actor, country: str | None, role: Role) -> None:
    """Who may register whom: a delegation's roles need a member state, and a focal
    point nominates delegates of their own country only."""
    if country is None and role in ROLES_NEEDING_COUNTRY:
        raise InvalidInput(
            _("a {role} represents a member state: give its ISO alpha-3 code"),
            field="country",
            params={"role": ROLES[role]},
        )
    if actor.kind is ActorKind.focal_point and country != actor.country:
        raise Forbidden(
            _("a focal point of {country} may nominate delegates of {country} only"),
            params={"country": actor.country},
        )


def listing_country(actor: Actor, country: str | None) -> str | None:
    """The country whose registrations `actor` may list (None: all)."""
    require_credentials(actor)
    if actor.has(*LISTERS):
        return country
    if is_focal_point(actor):
        if country is not None and country != actor.country:
            raise Forbidden(
                _("a focal point of {country} sees {country} only"),
                params={"country": actor.country},
            )
        return actor.country
    raise Forbidden(_("these credentials do not give access to registrations"))


def delegation_key(
    country: str | None, institution: str | None, institution_id: str | None = None
) -> str:
    """A member state's delegation is its country; others are grouped by institution:
    by its id in the network's reference where they picked it (its staff write its name
    in their own languages), else by the name as written."""
    if country:
        return country
    if institution_id:
        return f"org:{institution_id}"
    return "org:" + re.sub(r"\s+", " ", (institution or "").strip().casefold())


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
            raise InvalidInput(
                _("contains a control character ({code})"),
                field=field,
                params={"code": f"U+{ord(char):04X}"},
            )
    if required and not text:
        raise InvalidInput(_("must not be empty"), field=field)
    if len(text) > max_length:
        raise InvalidInput(
            _("must be at most {limit} characters"), field=field, params={"limit": max_length}
        )
    return text


def normalize_country(value: str, field: str = "country") -> str:
    code = value.strip().upper()
    if code not in member_states():
        raise InvalidInput(
            _("{value} is not the ISO 3166-1 alpha-3 code of an OIC member state"),
            field=field,
            params={"value": value},
        )
    return code


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


@dataclass(kw_only=True)
class Registration:
    """One person's registration for one meeting. Personal details are None once
    the meeting's personal data has been purged."""

    id: str
    meeting_id: str
    role: Role
    language: Language
    status: Status
    country: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    institution: str | None = None
    # the institution in the network's reference, when the registration names it
    # (an organisation, not personal data: kept by the purge)
    institution_id: str | None = None
    position: str | None = None
    name_latin: str | None = None
    honorific: str | None = None
    interpretation: Language | None = None
    accessibility_notes: str | None = None
    dietary_notes: str | None = None
    nominated_by: ActorLabel | None = None
    focal_point_id: str | None = None
    manage_token_hash: str | None = None
    registered_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None
    promoted_from_waitlist: bool = False
    waitlisted_at: datetime | None = None
    # its turn in the delegation's waitlist (the delegation's counter when it joined)
    waitlist_seq: int | None = None
    rejected_at: datetime | None = None
    rejection_reason: str | None = None
    withdrawn_at: datetime | None = None
    checked_in_at: datetime | None = None
    badge_nonce: str | None = None
    personal_data_purged_at: datetime | None = None

    @classmethod
    def new(
        cls, *, id: str, meeting_id: str, actor: Actor, at: datetime, **details: Any
    ) -> tuple[Registration, str]:
        """A new registration and its manage token (shown once; only its digest is kept)."""
        manage_token = new_secret_token(TokenPrefix.manage)
        registration = cls(
            id=id,
            meeting_id=meeting_id,
            status=Status.registered,
            nominated_by=label_of(actor),
            focal_point_id=actor.focal_point_id,
            manage_token_hash=hash_secret_token(manage_token),
            registered_at=at,
            updated_at=at,
            **details,
        )
        return registration, manage_token

    @property
    def email_key(self) -> str:
        """What the one-registration-per-e-mail-and-meeting rule compares."""
        return email_key(self.email) if self.email else f"purged:{self.id}"

    @property
    def delegation_key(self) -> str:
        return delegation_key(self.country, self.institution, self.institution_id)

    @property
    def counts_against_quota(self) -> bool:
        return self.country is not None and self.role in QUOTA_ROLES

    @property
    def purged(self) -> bool:
        return self.personal_data_purged_at is not None

    # who may ------------------------------------------------------------------

    def readable_by(self, actor: Actor) -> bool:
        if actor.has(*READERS):
            return True
        if is_focal_point(actor):
            return self.country is not None and self.country == actor.country
        if actor.kind is ActorKind.registrant:
            return self.id == actor.registration_id
        return False

    def check_readable_by(self, actor: Actor) -> None:
        if not self.readable_by(actor):
            raise Forbidden(self._outside(actor), params={"country": actor.country})

    def authorize(self, actor: Actor, action: Action) -> None:
        """The roles of `RIGHTS` act on any registration (the administrator does
        anything); a focal point acts on registrations of their country (the desk checks
        in); a registrant corrects or withdraws their own."""
        if actor.has(*RIGHTS[action]):
            return
        if is_focal_point(actor):
            if action is Action.check_in:
                raise Forbidden(_("only the secretariat's desk checks participants in"))
            if self.country is not None and self.country == actor.country:
                return
            raise Forbidden(self._outside(actor), params={"country": actor.country})
        if actor.kind is ActorKind.registrant and self.id == actor.registration_id:
            if action in (Action.correct, Action.withdraw):
                return
            raise Forbidden(NOT_ALLOWED[action])
        raise Forbidden(_("these credentials do not give access to this registration"))

    def _outside(self, actor: Actor) -> str:
        # nothing about the registration itself: it is someone else's
        if actor.kind is ActorKind.focal_point:
            return _("a focal point of {country} may act only on registrations of {country}")
        return _("these credentials do not give access to this registration")

    # the workflow ---------------------------------------------------------------

    def check_transition(self, action: Action) -> None:
        """Conflict (409) when the workflow forbids `action` from the current status."""
        if self.status not in ALLOWED_FROM[action]:
            raise Conflict(NOT_FROM[action], params={"status": PARTICIPANT_STATUSES[self.status]})

    def check_not_purged(self) -> None:
        if self.purged:
            raise Conflict(_("the personal data of this registration has been purged"))

    def confirm(self, *, at: datetime, by: str, promoted: bool) -> None:
        """Confirmed, with a new badge (a fresh nonce invalidates any earlier one)."""
        self.status = Status.confirmed
        self.confirmed_at = at
        self.updated_at = at
        self.confirmed_by = by
        self.promoted_from_waitlist = promoted
        self.badge_nonce = new_badge_nonce()

    def waitlist(self, *, at: datetime, turn: int) -> None:
        """Waitlisted with its `turn` (promotion follows the turns)."""
        self.status = Status.waitlisted
        self.waitlisted_at = at
        self.waitlist_seq = turn
        self.updated_at = at

    @property
    def waitlist_order(self) -> tuple[int, datetime, str]:
        return (self.waitlist_seq or 0, self.registered_at, self.id)

    def reject(self, *, reason: str | None, at: datetime) -> None:
        self.status = Status.rejected
        self.rejection_reason = reason
        self.rejected_at = at
        self.updated_at = at

    def withdraw(self, *, at: datetime) -> None:
        """Withdrawn, and its badge revoked (no nonce: no valid badge token)."""
        self.status = Status.withdrawn
        self.withdrawn_at = at
        self.updated_at = at
        self.badge_nonce = None

    def check_in(self, *, at: datetime) -> bool:
        """Checked in at `at`; False (and unchanged) if it already was."""
        if self.checked_in_at is not None:
            return False
        self.checked_in_at = at
        self.updated_at = at
        return True

    def correct(self, changes: dict[str, Any], *, at: datetime) -> None:
        if self.country is None and "institution" in changes:
            # the institution names the delegation of a registration without country
            raise InvalidInput(
                _(
                    "the institution of an OIC-institution registration decides its "
                    "delegation: withdraw and register again"
                ),
                field="institution",
            )
        for name, value in changes.items():
            setattr(self, name, value)
        self.updated_at = at

    def purge(self, *, at: datetime) -> None:
        for name in PERSONAL_FIELDS:
            setattr(self, name, None)
        self.personal_data_purged_at = at

    # the badge ------------------------------------------------------------------

    def badge_token(self, key: BadgeKey) -> str | None:
        """The token of a confirmed registration's current badge (None otherwise)."""
        if not self.badge_nonce or self.status is not Status.confirmed:
            return None
        return key.token_for(self.id, self.badge_nonce)

    def check_badge(self, meeting_id: str, nonce: str) -> None:
        """A scanned badge must be this meeting's and the latest issued."""
        if self.meeting_id != meeting_id:
            raise Conflict(
                _("this badge is for {badge_meeting}, not {meeting}"),
                params={"badge_meeting": self.meeting_id, "meeting": meeting_id},
            )
        if self.badge_nonce != nonce:
            raise Conflict(_("this badge is no longer valid (withdrawn or re-issued)"))


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

    def why_not(self) -> Message:
        if self.quota is not None and self.delegation_confirmed >= self.quota:
            return Message(_("the delegation's quota of {quota} is reached"), {"quota": self.quota})
        return Message(
            _("the meeting's capacity of {capacity} is reached"), {"capacity": self.capacity}
        )


# The meeting states (the agenda's lifecycle) in which registration may be open.
OPEN_STATUSES = frozenset({"registration_open"})


@dataclass(frozen=True)
class RegistrationWindow:
    """When a meeting takes registrations: in the agenda's `registration_open` state,
    from `opens_at` until `closes_at`, and never after the meeting's last day (in its
    own time zone) nor once its personal data has been purged."""

    opens_at: datetime | None
    closes_at: datetime | None
    status: str = "registration_open"
    last_day_ends_at: datetime | None = None
    purged: bool = False

    def refusal(self, now: datetime) -> tuple[str, dict[str, Any]] | None:
        """Why a registration at `now` is refused (an English message and its values),
        or None if the window is open."""
        if self.purged:
            return _(
                "registration for {meeting} is not open: the meeting is over and its "
                "personal data has been purged"
            ), {}
        if self.status == "tentative":
            return (
                _(
                    "registration for {meeting} is not open: the meeting is tentative; "
                    "registration opens once its dates are decided"
                ),
                {},
            )
        if self.status in ("held", "archived"):
            return _("registration for {meeting} is not open: the meeting has been held"), {}
        if self.last_day_ends_at is not None and now >= self.last_day_ends_at:
            return _("registration for {meeting} is not open: the meeting has been held"), {}
        if self.status not in OPEN_STATUSES:
            return _(
                "registration for {meeting} is not open: "
                "the secretariat has not opened registration"
            ), {}
        if self.opens_at is not None and now < self.opens_at:
            return _("registration for {meeting} is not open: registration opens at {opens_at}"), {
                "opens_at": self.opens_at.isoformat()
            }
        if self.closes_at is not None and now >= self.closes_at:
            return _(
                "registration for {meeting} is not open: registration closed at {closes_at}"
            ), {"closes_at": self.closes_at.isoformat()}
        return None


class MeetingSource(StrEnum):
    agenda = "agenda"  # the agenda's announcement: the authority
    seed = "seed"  # development seed, until the agenda announces the meeting


@dataclass(kw_only=True)
class Meeting:
    """Registration's projection of a meeting: its window, quota and capacity, and
    how many places it has given (written by every decision about its capacity)."""

    id: str
    title: Localized
    timezone: str = "UTC"
    status: str = "scheduled"
    number: int | None = None
    city: Localized | None = None
    country: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    delegation_quota: int | None = None
    capacity: int | None = None
    source: MeetingSource = MeetingSource.agenda
    announced_at: datetime | None = None
    confirmed_total: int = 0
    personal_data_purged_at: datetime | None = None

    def __post_init__(self) -> None:
        # badges and check-in times are shown in the meeting's zone
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                _("unknown time zone {zone}"), field="timezone", params={"zone": self.timezone}
            ) from None

    def takes_announcement(self, source: MeetingSource, announced_at: datetime) -> bool:
        """The agenda's announcement is the authority: it replaces a seeded meeting, an
        older announcement is ignored, and the seed never replaces an existing meeting."""
        if source is MeetingSource.seed:
            return False
        return not (
            self.source is MeetingSource.agenda
            and self.announced_at is not None
            and self.announced_at > announced_at
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _day_starts_at(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone)

    @property
    def window(self) -> RegistrationWindow:
        last = (
            self._day_starts_at(self.end_date + timedelta(days=1))
            if self.end_date is not None
            else None
        )
        return RegistrationWindow(
            self.registration_opens_at,
            self.registration_closes_at,
            self.status,
            last,
            self.personal_data_purged_at is not None,
        )

    def check_open(self, now: datetime) -> None:
        refusal = self.window.refusal(now)
        if refusal is not None:
            message, params = refusal
            raise Conflict(message, params={"meeting": self.id, **params})

    def check_in_day(self, now: datetime) -> None:
        """Check-in happens on the meeting's days, in its own time zone."""
        if self.start_date is None or self.end_date is None:
            raise Conflict(
                _("{meeting} has no dates yet: nobody can be checked in"),
                params={"meeting": self.id},
            )
        today = now.astimezone(self.zone).date()
        if not self.start_date <= today <= self.end_date:
            raise Conflict(
                _("check-in is on the days of the meeting, {start} to {end} ({zone})"),
                params={
                    "start": self.start_date.isoformat(),
                    "end": self.end_date.isoformat(),
                    "zone": self.timezone,
                },
            )

    def places_for(self, registration: Registration, delegation: Delegation) -> Places:
        return Places(
            delegation_confirmed=delegation.quota_used,
            # a quota bounds a member state's delegation; OIC institutions, partners,
            # speakers, moderators and the secretariat only the meeting's capacity
            quota=self.delegation_quota if registration.counts_against_quota else None,
            meeting_confirmed=self.confirmed_total,
            capacity=self.capacity,
        )

    def check_purgeable(self, today: date, older_than_days: int) -> None:
        if self.end_date is None:
            raise Conflict(
                _("{meeting} has no end date yet: nothing can be purged"),
                params={"meeting": self.id},
            )
        earliest = self.end_date + timedelta(days=older_than_days)
        if today < earliest:
            raise Conflict(
                _(
                    "{meeting} ended on {end}: its personal data can be purged {days} days "
                    "later, from {earliest}"
                ),
                params={
                    "meeting": self.id,
                    "end": self.end_date.isoformat(),
                    "days": older_than_days,
                    "earliest": earliest.isoformat(),
                },
            )


@dataclass(kw_only=True)
class Delegation:
    """The counters of one delegation (a country, or an OIC institution/partner) in
    one meeting. Every status change of one of its registrations moves them, so two
    decisions about the delegation's places always write the same record."""

    meeting_id: str
    key: str
    country: str | None = None
    institution: str | None = None
    by_status: dict[str, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)
    confirmed: int = 0
    quota_used: int = 0
    waitlist_issued: int = 0  # the turns given in its waitlist so far

    @property
    def id(self) -> str:
        return f"{self.meeting_id}|{self.key}"

    def count(self, registration: Registration, old: Status | None) -> int:
        """Move `registration` from `old` (None: new) to its status; returns the
        change of the confirmed count (+1, -1 or 0)."""
        new = registration.status
        if old is not None:
            self.by_status[old] = self.by_status.get(old, 0) - 1
        self.by_status[new] = self.by_status.get(new, 0) + 1
        change = int(new is Status.confirmed) - int(old is Status.confirmed)
        if change:
            self.confirmed += change
            if registration.counts_against_quota:
                self.quota_used += change
            role = registration.role.value
            self.by_role[role] = self.by_role.get(role, 0) + change
        return change

    def next_waitlist_turn(self) -> int:
        """A turn in the waitlist: decisions about the delegation's places are serialized
        by this record, so no two registrations get the same turn."""
        self.waitlist_issued += 1
        return self.waitlist_issued

    @property
    def counted_statuses(self) -> dict[str, int]:
        return {k: v for k, v in self.by_status.items() if v}

    @property
    def counted_roles(self) -> dict[str, int]:
        return {k: v for k, v in self.by_role.items() if v}


@dataclass(kw_only=True)
class FocalPoint:
    """A national focal point's nomination and token, scoped to one country and, when
    it names one, to an institution of the reference (the action plan's focal point of
    that institution). `version` orders its events for the services that project it."""

    id: str
    country: str
    name: str | None
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    institution_id: str | None = None
    email: str | None = None
    language: Language = Language.en
    version: int = 1

    @classmethod
    def issue(
        cls,
        *,
        id: str,
        country: str,
        name: str | None,
        at: datetime,
        institution_id: str | None = None,
        email: str | None = None,
        language: Language = Language.en,
    ) -> tuple[FocalPoint, str]:
        """A new focal point and its token (shown once; only its digest is kept). One
        named for an institution is its contact: their name and e-mail are needed."""
        if institution_id is not None:
            if not name:
                raise InvalidInput(
                    _("the focal point of an institution needs a name"), field="name"
                )
            if not email:
                raise InvalidInput(
                    _("the focal point of an institution needs an e-mail address"),
                    field="email",
                )
        token = new_secret_token(TokenPrefix.focal_point)
        return cls(
            id=id,
            country=country,
            name=name,
            token_hash=hash_secret_token(token),
            created_at=at,
            institution_id=institution_id,
            email=email,
            language=language,
        ), token

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, *, at: datetime) -> None:
        """Withdrawn: the token stops working and the e-mail address is let go (the
        name stays in the secretariat's list of who was nominated)."""
        self.revoked_at = at
        self.email = None
        self.version += 1

    def actor(self) -> Actor:
        """A focal-point token holds the national focal point's role, for its country
        (and the institution it was nominated for)."""
        return Actor(
            ActorKind.focal_point,
            country=self.country,
            institution=self.institution_id,
            focal_point_id=self.id,
            roles=frozenset({StaffRole.focal_point}),
        )


# Outcomes of the use cases that change registrations.


@dataclass(frozen=True)
class Registered:
    registration: Registration
    manage_token: str
    manage_url: str


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
