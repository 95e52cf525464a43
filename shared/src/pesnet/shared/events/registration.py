"""Events published by the registration service.

Participant and focal-point events carry personal data and are internal; the
delegation summary is public and carries counts only. Registration owns the
network's reference of institutions: their events are public (an institution's
names are no person's data), and every other service keeps the projection it needs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from pesnet.shared.catalog import EventPayload, EventSpec, PublicPayload
from pesnet.shared.events.common import (
    Attendance,
    Country,
    InstitutionId,
    Language,
    Localized,
    MeetingId,
    ParticipantStatus,
    Role,
)


class ParticipantEvent(EventPayload):
    """The registration as it stands after the change (event-carried state transfer)."""

    registration_id: str
    meeting_id: MeetingId
    given_name: str
    family_name: str
    name_latin: str | None = None
    honorific: str | None = None
    email: str
    country: Country | None = None
    institution: str
    position: str
    role: Role
    language: Language
    status: ParticipantStatus
    # the institution in the network's reference, when the registration names it
    # (optional addition: schema v1 stays compatible)
    institution_id: InstitutionId | None = None
    # The registrant's page to read, correct or withdraw the registration, and the
    # version of its signed link: no usable token (`pesnet.shared.manage_links`);
    # notifications signs the link when it writes a mail. None once purged.
    manage_page: str | None = None
    manage_link_version: int | None = None
    # on site or online (a hybrid meeting's participant chooses; optional addition)
    attendance: Attendance | None = None


class ParticipantRegistered(ParticipantEvent):
    registered_at: datetime


class ParticipantUpdated(ParticipantEvent):
    """The registrant or the secretariat corrected the details."""


class ParticipantConfirmed(ParticipantEvent):
    confirmed_by: Literal["secretariat", "focal_point", "system"] = "secretariat"
    promoted_from_waitlist: bool = False
    badge_token: str | None = None


class ParticipantWaitlisted(ParticipantEvent):
    waitlist_position: int | None = None


class ParticipantRejected(ParticipantEvent):
    reason: str | None = None


class ParticipantWithdrawn(ParticipantEvent):
    withdrawn_by: Literal["registrant", "secretariat", "focal_point"] = "registrant"


class ParticipantCheckedIn(ParticipantEvent):
    checked_in_at: datetime


class ParticipantAttendedOnline(EventPayload):
    """The secretariat recorded, from the meeting tool's attendance list, that a
    confirmed participant attended online (the online counterpart of a check-in; the
    registration only, no name or address)."""

    registration_id: str
    meeting_id: MeetingId
    attended_online_at: datetime


# Every event about one registration, each carrying the registration as it stands after
# the change: a projection of registrations follows them all with one use case.
PARTICIPANT_EVENTS: tuple[type[ParticipantEvent], ...] = (
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantConfirmed,
    ParticipantWaitlisted,
    ParticipantRejected,
    ParticipantWithdrawn,
    ParticipantCheckedIn,
)


class AnnouncementMade(EventPayload):
    """The secretariat wrote to a meeting's participants (all, one delegation, one role
    or one state): the message in the three languages and the registrations it is for,
    each told in their own language (internal: it names people by their registrations)."""

    announcement_id: str
    meeting_id: MeetingId
    title: Localized
    body: Localized
    # a critical notice reaches everyone; an ordinary one respects their preferences
    critical: bool
    registration_ids: list[str]
    announced_at: datetime

    @property
    def audit_count(self) -> int:
        """The recipients' count, in the announcement's audit entry."""
        return len(self.registration_ids)


class PersonalDataPurged(EventPayload):
    meeting_id: MeetingId
    registrations: int
    purged_at: datetime


class DelegationUpdated(PublicPayload):
    """Counts for one country (or OIC institution) in one meeting; never names."""

    meeting_id: MeetingId
    country: Country | None = None
    institution: str | None = None
    by_status: dict[str, int]
    by_role: dict[str, int]
    confirmed: int


class InstitutionChanged(PublicPayload):
    """An institution of the network's reference as it stands after the change
    (event-carried state transfer). `version` grows by one with every change: a
    projection keeps the highest it has seen, whatever order events arrive in."""

    institution_id: InstitutionId
    name: Localized
    acronym: str | None = None
    # ISO 3166-1 alpha-3 of the member state; None for an OIC institution or a partner
    country: Country | None = None
    version: int = Field(ge=1)


class InstitutionRegistered(InstitutionChanged):
    registered_at: datetime


class InstitutionRenamed(InstitutionChanged):
    renamed_at: datetime


class MeetingOpened(EventPayload):
    """Registration took a meeting's announcement (the agenda's, or the development
    seed's): its window, quota and capacity as registration now applies them."""

    meeting_id: MeetingId
    source: str  # "agenda", or "seed" (development)
    status: str
    delegation_quota: int | None = None
    capacity: int | None = None


class FocalPointNominated(EventPayload):
    """The secretariat nominated a national focal point: a country's, and, when it
    names one, an institution's of the reference (whom the action plan hears from
    and writes to). Personal data: internal only.

    `token_digest` is the SHA-256 of the focal point's `fp_` token (the token itself
    never leaves registration): a service that keeps the digest recognises the same
    token without asking registration, and a digest gives no usable token."""

    focal_point_id: str
    country: Country
    institution_id: InstitutionId | None = None
    name: str | None = None
    email: str | None = None
    language: Language = Language.en
    token_digest: str
    nominated_at: datetime
    version: int = Field(default=1, ge=1)


class FocalPointWithdrawn(EventPayload):
    """A focal point's nomination was withdrawn: its token stops working everywhere."""

    focal_point_id: str
    country: Country
    institution_id: InstitutionId | None = None
    withdrawn_at: datetime
    version: int = Field(default=2, ge=1)


EVENTS = (
    EventSpec(
        "registration.participant.registered",
        ParticipantRegistered,
        "A person registered for a meeting; accreditation is pending.",
    ),
    EventSpec(
        "registration.participant.updated",
        ParticipantUpdated,
        "A registration's personal details were corrected.",
    ),
    EventSpec(
        "registration.participant.confirmed",
        ParticipantConfirmed,
        "A registration was accredited (or promoted from the waitlist).",
    ),
    EventSpec(
        "registration.participant.waitlisted",
        ParticipantWaitlisted,
        "A registration is beyond its delegation's quota and waits for a place.",
    ),
    EventSpec(
        "registration.participant.rejected", ParticipantRejected, "A registration was refused."
    ),
    EventSpec(
        "registration.participant.withdrawn",
        ParticipantWithdrawn,
        "A registration was withdrawn by the registrant or the secretariat.",
    ),
    EventSpec(
        "registration.participant.checked_in",
        ParticipantCheckedIn,
        "A confirmed participant checked in on site.",
    ),
    EventSpec(
        "registration.announcement.made",
        AnnouncementMade,
        "The secretariat wrote to a meeting's participants, in ar/en/fr "
        "(internal: names the registrations it is for).",
    ),
    EventSpec(
        "registration.participant.attended_online",
        ParticipantAttendedOnline,
        "A confirmed participant's online attendance was recorded from the meeting tool's list.",
    ),
    EventSpec(
        "registration.personal_data.purged",
        PersonalDataPurged,
        "Personal data of a past meeting's registrations was erased; counts remain.",
    ),
    EventSpec(
        "registration.institution.registered",
        InstitutionRegistered,
        "An institution joined the network's reference (id, names in ar/en/fr, country).",
        visibility="public",
    ),
    EventSpec(
        "registration.institution.renamed",
        InstitutionRenamed,
        "An institution's names or acronym changed (its state after the change).",
        visibility="public",
    ),
    EventSpec(
        "registration.focal_point.nominated",
        FocalPointNominated,
        "A national focal point was nominated for a country and possibly an institution "
        "(internal: names a person).",
    ),
    EventSpec(
        "registration.focal_point.withdrawn",
        FocalPointWithdrawn,
        "A focal point's nomination was withdrawn; its token no longer acts anywhere.",
    ),
    EventSpec(
        "registration.meeting.opened",
        MeetingOpened,
        "Registration applies a meeting's announcement: its window, quota and capacity.",
    ),
    EventSpec(
        "registration.delegation.updated",
        DelegationUpdated,
        "The counts of a delegation changed (public, no personal data).",
        visibility="public",
    ),
)
