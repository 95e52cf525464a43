"""Events published by the registration service.

Participant events carry personal data and are internal; the delegation summary
is public and carries counts only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pesnet.shared.catalog import EventPayload, EventSpec, PublicPayload
from pesnet.shared.events.common import Country, Language, MeetingId, ParticipantStatus, Role


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


class ParticipantRegistered(ParticipantEvent):
    registered_at: datetime
    # The registrant's private link to read, correct or withdraw the registration
    # (carries their manage token: internal event, for the confirmation e-mail only).
    manage_url: str | None = None


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
        "registration.personal_data.purged",
        PersonalDataPurged,
        "Personal data of a past meeting's registrations was erased; counts remain.",
    ),
    EventSpec(
        "registration.delegation.updated",
        DelegationUpdated,
        "The counts of a delegation changed (public, no personal data).",
        visibility="public",
    ),
)
