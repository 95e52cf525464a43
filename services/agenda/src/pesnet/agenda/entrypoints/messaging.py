"""What the agenda consumes, payload class → use case: registration's events, for its
projection of who is registered for which meeting (which flags the sessions of a
speaker who withdrew), the erasure of a meeting's personal data, and its projection of
the reference of institutions (a meeting's host, the chair)."""

from __future__ import annotations

from pesnet.agenda.domain.commands import ForgetParticipants, RecordParticipant
from pesnet.agenda.domain.participants import Participant
from pesnet.agenda.service_layer import institutions, participants
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.events.registration import (
    PARTICIPANT_EVENTS,
    InstitutionChanged,
    InstitutionRegistered,
    InstitutionRenamed,
    ParticipantEvent,
    ParticipantRegistered,
    PersonalDataPurged,
)
from pesnet.shared.institutions import Institution
from pesnet.shared.messaging import Subscriptions, on


def subscriptions() -> Subscriptions:
    return Subscriptions(
        # every participant event carries the registration as it stands after the
        # change; one registration's events in order, different registrations side by side
        on(
            PARTICIPANT_EVENTS,
            participants.record_participant,
            command=participant_as_of,
            by_subject=True,
        ),
        on(PersonalDataPurged, participants.forget_participants, command=forgetting),
        on(
            (InstitutionRegistered, InstitutionRenamed),
            institutions.record_institution,
            command=institution_announced,
        ),
    )


def participant_as_of(event: ParticipantEvent, envelope: CloudEvent) -> RecordParticipant:
    """The registration as the event tells it, as of the event's time."""
    return RecordParticipant(
        Participant(
            registration_id=event.registration_id,
            meeting_id=event.meeting_id,
            email=event.email,
            given_name=event.given_name,
            family_name=event.family_name,
            language=event.language,
            role=event.role,
            country=event.country,
            status=event.status,
            as_of=envelope.time,
        ),
        created=isinstance(event, ParticipantRegistered),
    )


def institution_announced(event: InstitutionChanged, envelope: CloudEvent) -> Institution:
    return Institution.announced(event)


def forgetting(event: PersonalDataPurged, envelope: CloudEvent) -> ForgetParticipants:
    return ForgetParticipants(event.meeting_id, purged_at=event.purged_at)
