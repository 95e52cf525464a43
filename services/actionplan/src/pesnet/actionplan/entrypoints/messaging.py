"""What the action plan consumes, payload class → use case: the agenda's meetings, so
that a plan names the meeting that adopted it (or discussed its draft) in the report,
not just its id, and their published communiqués, whose decisions the secretariat links
to the activities that carry them out; registration's reference of institutions, so that institutions are
shown by name; registration's focal-point nominations, which are the action plan's
focal points; and registration's participant events, which say whether a head of
delegation's consultation link still speaks for their member state."""

from __future__ import annotations

from pesnet.actionplan.domain.commands import (
    RecordInstitution,
    RecordMeeting,
    RecordNomination,
    RecordWithdrawal,
)
from pesnet.actionplan.domain.decisions import (
    Decision,
    MeetingOutcome,
    RecordCommunique,
)
from pesnet.actionplan.domain.delegations import DelegationRegistration
from pesnet.actionplan.service_layer import (
    decisions,
    delegations,
    focal_points,
    institutions,
    plans,
)
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.events.agenda import CommuniquePublished, MeetingScheduled
from pesnet.shared.events.registration import (
    PARTICIPANT_EVENTS,
    FocalPointNominated,
    FocalPointWithdrawn,
    InstitutionChanged,
    InstitutionRegistered,
    InstitutionRenamed,
    ParticipantEvent,
    PersonalDataPurged,
)
from pesnet.shared.messaging import Subscriptions, on


def subscriptions() -> Subscriptions:
    return Subscriptions(
        on(MeetingScheduled, plans.record_meeting, command=meeting),
        on(
            (InstitutionRegistered, InstitutionRenamed),
            institutions.record_institution,
            command=institution,
        ),
        on(FocalPointNominated, focal_points.record_nomination, command=nomination),
        on(FocalPointWithdrawn, focal_points.record_withdrawal, command=withdrawal),
        on(CommuniquePublished, decisions.record_communique, command=communique),
        # one registration's events in order, different registrations side by side
        on(
            PARTICIPANT_EVENTS,
            delegations.record_registration,
            command=registration_as_of,
            by_subject=True,
            wanted=delegations.may_speak_for_a_delegation,
        ),
        on(PersonalDataPurged, delegations.forget_meeting),
    )


def registration_as_of(event: ParticipantEvent, envelope: CloudEvent) -> DelegationRegistration:
    """The registration as the event tells it, as of the event's time (no name, no
    address: what says whether its consultation link still speaks)."""
    return DelegationRegistration(
        registration_id=event.registration_id,
        meeting_id=event.meeting_id,
        country=event.country,
        role=event.role.value,
        status=event.status.value,
        as_of=envelope.time,
    )


def meeting(event: MeetingScheduled, envelope: CloudEvent) -> RecordMeeting:
    return RecordMeeting(
        meeting_id=event.meeting_id,
        number=event.number,
        title=event.title,
        timezone=event.timezone,
        city=event.city,
        start_date=event.start_date,
        end_date=event.end_date,
    )


def institution(event: InstitutionChanged, envelope: CloudEvent) -> RecordInstitution:
    return RecordInstitution(
        institution_id=event.institution_id,
        name=event.name,
        acronym=event.acronym,
        country=event.country,
        version=event.version,
    )


def nomination(event: FocalPointNominated, envelope: CloudEvent) -> RecordNomination:
    return RecordNomination(
        focal_point_id=event.focal_point_id,
        country=event.country,
        institution=event.institution_id,
        name=event.name,
        email=event.email,
        language=event.language,
        token_digest=event.token_digest,
        nominated_at=event.nominated_at,
        version=event.version,
    )


def withdrawal(event: FocalPointWithdrawn, envelope: CloudEvent) -> RecordWithdrawal:
    return RecordWithdrawal(
        focal_point_id=event.focal_point_id,
        country=event.country,
        institution=event.institution_id,
        withdrawn_at=event.withdrawn_at,
        version=event.version,
    )


def communique(event: CommuniquePublished, envelope: CloudEvent) -> RecordCommunique:
    return RecordCommunique(
        MeetingOutcome(
            meeting_id=event.meeting_id,
            meeting_number=event.meeting_number,
            adopted_at=event.adopted_at,
            published_at=event.published_at,
            decisions=tuple(
                Decision(
                    paragraph_id=p.paragraph_id,
                    number=p.number,
                    kind=p.kind,
                    text=p.text,
                    illustrative=p.illustrative,
                )
                for p in event.paragraphs
            ),
        )
    )
