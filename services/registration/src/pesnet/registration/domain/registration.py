"""A person's registration for a meeting: the aggregate of the accreditation workflow

    registered ─┬─> confirmed ──> withdrawn
                ├─> waitlisted ─┬─> confirmed (promoted or re-confirmed)
                │               ├─> rejected
                │               └─> withdrawn
                ├─> rejected
                └─> withdrawn

Each change records its event (`pesnet.shared.aggregate`): the registration as it
stands after the change (event-carried state transfer, internal: it names the
person). Who may take which action is `domain/access.py`; whether a delegation has a
place, `domain/meeting.py` (`Places`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pesnet.registration.domain.access import (
    ALLOWED_FROM,
    NOT_ALLOWED,
    NOT_FROM,
    READERS,
    RIGHTS,
    Action,
    ActorLabel,
    Status,
    is_focal_point,
    label_of,
)
from pesnet.registration.domain.badges import BadgeKey, new_badge_nonce, new_short_code
from pesnet.registration.domain.delegation import delegation_key
from pesnet.shared.aggregate import Aggregate
from pesnet.shared.credentials import (
    Actor,
    ActorKind,
)
from pesnet.shared.emails import email_key
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput
from pesnet.shared.events.common import Attendance, Role
from pesnet.shared.events.registration import (
    ParticipantAttendedOnline,
    ParticipantCheckedIn,
    ParticipantConfirmed,
    ParticipantEvent,
    ParticipantRegistered,
    ParticipantRejected,
    ParticipantUpdated,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
)
from pesnet.shared.i18n import Language
from pesnet.shared.terms import PARTICIPANT_STATUSES
from pesnet.shared.translation import _

# The roles of a member state's delegation, which its quota bounds. Speakers and
# moderators are invited by the programme (the agenda needs them confirmed) and
# the secretariat runs the meeting: the meeting's capacity bounds them, not a quota.
QUOTA_ROLES = frozenset({Role.head_of_delegation, Role.delegate, Role.focal_point, Role.observer})


# Who confirmed a registration, as its event says ("system": promoted from the waitlist).
ConfirmedBy = Literal["secretariat", "focal_point", "system"]


def manage_page(public_url: str, registration_id: str) -> str:
    """The registrant's page to read, correct or withdraw their registration (its link
    adds the signed token: `pesnet.shared.manage_links`)."""
    return f"{public_url.rstrip('/')}/registrations/{registration_id}"


@dataclass(frozen=True)
class Details:
    """What a person registers with (a request body, validated by the entrypoints)."""

    given_name: str
    family_name: str
    email: str
    position: str
    role: Role
    language: Language
    institution: str | None = None
    institution_id: str | None = None
    country: str | None = None
    name_latin: str | None = None
    honorific: str | None = None
    interpretation: Language | None = None
    accessibility_notes: str | None = None
    dietary_notes: str | None = None
    # on site or online: a hybrid meeting's participant chooses (`Meeting.attendance_of`)
    attendance: Attendance | None = None


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
    "manage_link_version",
    "badge_nonce",
    "rejection_reason",
)


@dataclass(kw_only=True)
class Registration(Aggregate):
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
    attendance: Attendance | None = None
    nominated_by: ActorLabel | None = None
    focal_point_id: str | None = None
    # the digest of a random manage token issued before manage links were signed
    manage_token_hash: str | None = None
    # the version of its signed manage link (rotating bumps it; None once purged)
    manage_link_version: int | None = 1
    # the page its manage link opens (`manage_page`), as its events tell notifications
    manage_page: str | None = None
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
    # recorded from an online meeting tool's attendance list (attendance/online)
    attended_online_at: datetime | None = None
    badge_nonce: str | None = None
    # printed under the badge's QR code for the desk to type: unique in the meeting
    short_code: str | None = None
    personal_data_purged_at: datetime | None = None

    @classmethod
    def new(
        cls,
        *,
        id: str,
        meeting_id: str,
        actor: Actor,
        at: datetime,
        details: Details,
        public_url: str,
    ) -> Registration:
        """A new registration. Its manage link is signed (never stored): its events
        carry the page and the link's version, from which notifications signs the link
        again for each mail."""
        registration = cls(
            id=id,
            meeting_id=meeting_id,
            status=Status.registered,
            nominated_by=label_of(actor),
            focal_point_id=actor.focal_point_id,
            manage_page=manage_page(public_url, id),
            registered_at=at,
            updated_at=at,
            short_code=new_short_code(),
            **vars(details),
        )
        registration._happened(ParticipantRegistered, registered_at=at)
        return registration

    def redraw_short_code(self) -> None:
        """Another short code (the one drawn is taken in the meeting, or it had none)."""
        self.short_code = new_short_code()

    def _happened(self, model: type[ParticipantEvent], **extra: Any) -> None:
        """Record a participant event: the registration as it stands after the change."""
        self.record(
            model(
                registration_id=self.id,
                meeting_id=self.meeting_id,
                institution_id=self.institution_id,
                given_name=self.given_name,
                family_name=self.family_name,
                name_latin=self.name_latin,
                honorific=self.honorific,
                email=self.email,
                country=self.country,
                institution=self.institution,
                position=self.position,
                role=self.role,
                language=self.language,
                status=self.status,
                manage_page=self.manage_page if self.manage_link_version else None,
                attendance=self.attendance,
                manage_link_version=self.manage_link_version,
                **extra,
            ),
            subject=f"registration/{self.id}",
        )

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

    def confirm(self, *, at: datetime, by: ConfirmedBy, promoted: bool, badges: BadgeKey) -> None:
        """Confirmed, with a new badge (a fresh nonce invalidates any earlier one)."""
        self.status = Status.confirmed
        self.confirmed_at = at
        self.updated_at = at
        self.confirmed_by = by
        self.promoted_from_waitlist = promoted
        self.badge_nonce = new_badge_nonce()
        self._happened(
            ParticipantConfirmed,
            confirmed_by=by,
            promoted_from_waitlist=promoted,
            badge_token=self.badge_token(badges),
        )

    def waitlist(self, *, at: datetime, turn: int, position: int) -> None:
        """Waitlisted with its `turn` (promotion follows the turns), at `position` in
        its delegation's waitlist (1: the next to be promoted)."""
        self.status = Status.waitlisted
        self.waitlisted_at = at
        self.waitlist_seq = turn
        self.updated_at = at
        self._happened(ParticipantWaitlisted, waitlist_position=position)

    @property
    def waitlist_order(self) -> tuple[int, datetime, str]:
        return (self.waitlist_seq or 0, self.registered_at, self.id)

    def reject(self, *, reason: str | None, at: datetime) -> None:
        self.status = Status.rejected
        self.rejection_reason = reason
        self.rejected_at = at
        self.updated_at = at
        self._happened(ParticipantRejected, reason=reason)

    def withdraw(self, *, at: datetime, by: Actor) -> None:
        """Withdrawn, and its badge revoked (no nonce: no valid badge token)."""
        self.status = Status.withdrawn
        self.withdrawn_at = at
        self.updated_at = at
        self.badge_nonce = None
        self._happened(ParticipantWithdrawn, withdrawn_by=label_of(by))

    def check_in(self, *, at: datetime) -> bool:
        """Checked in at `at`; False (and unchanged) if it already was."""
        if self.checked_in_at is not None:
            return False
        self.checked_in_at = at
        self.updated_at = at
        self._happened(ParticipantCheckedIn, checked_in_at=at)
        return True

    def attend_online(self, *, at: datetime) -> bool:
        """Attended online at `at` (a confirmed participant); False if already recorded."""
        if self.status is not Status.confirmed:
            raise Conflict(
                _("only a confirmed participant attends: this registration is {status}"),
                params={"status": PARTICIPANT_STATUSES[self.status]},
            )
        if self.attended_online_at is not None:
            return False
        self.attended_online_at = at
        self.updated_at = at
        self.record(
            ParticipantAttendedOnline(
                registration_id=self.id, meeting_id=self.meeting_id, attended_online_at=at
            ),
            subject=f"registration/{self.id}",
        )
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
        self._happened(ParticipantUpdated)

    def rotate_manage_link(self, *, at: datetime) -> None:
        """A new manage link: every earlier one (and an older random token) stops
        working."""
        self.manage_link_version = (self.manage_link_version or 0) + 1
        self.manage_token_hash = None
        self.updated_at = at
        self._happened(ParticipantUpdated)

    def purge(self, *, at: datetime) -> None:
        """Its personal data erased (the meeting's purge records the one event)."""
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
