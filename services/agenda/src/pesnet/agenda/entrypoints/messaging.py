"""Consumers of registration events: the agenda's projection of who is registered
for which meeting (which flags the sessions of a speaker who withdrew), and the
erasure of a meeting's personal data."""

from __future__ import annotations

from pesnet.agenda.domain.commands import ForgetParticipants, RecordParticipant
from pesnet.agenda.domain.participants import Participant
from pesnet.agenda.service_layer import participants
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork
from pesnet.shared.events.registration import (
    ParticipantCheckedIn,
    ParticipantConfirmed,
    ParticipantEvent,
    ParticipantRegistered,
    ParticipantRejected,
    ParticipantUpdated,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
    PersonalDataPurged,
)
from pesnet.shared.messaging import EventConsumer


def register_handlers(consumer: EventConsumer) -> None:
    # every participant event carries the registration as it stands after the change
    # (status included), so one handler keeps the projection for all of them
    @consumer.on(
        ParticipantRegistered,
        ParticipantUpdated,
        ParticipantConfirmed,
        ParticipantWaitlisted,
        ParticipantRejected,
        ParticipantWithdrawn,
        ParticipantCheckedIn,
        # one registration's events in order, different registrations side by side
        by_subject=True,
    )
    async def on_participant(event: ParticipantEvent, uow: AgendaUnitOfWork) -> None:
        assert uow.cause is not None  # a consumer's unit of work has the event it handles
        participant = Participant(
            registration_id=event.registration_id,
            meeting_id=event.meeting_id,
            email=event.email,
            given_name=event.given_name,
            family_name=event.family_name,
            language=event.language,
            role=event.role,
            country=event.country,
            status=event.status,
            as_of=uow.cause.time,
        )
        await participants.record_participant(RecordParticipant(participant), uow)

    @consumer.on(PersonalDataPurged)
    async def on_purged(event: PersonalDataPurged, uow: AgendaUnitOfWork) -> None:
        await participants.forget_participants(
            ForgetParticipants(event.meeting_id, purged_at=event.purged_at), uow
        )
