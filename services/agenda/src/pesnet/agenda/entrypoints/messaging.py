"""Consumers of registration events: the agenda's projection of who is registered
for which meeting, and the flagging of sessions whose speaker withdrew."""

from __future__ import annotations

from pesnet.agenda.service_layer.agenda import Agenda
from pesnet.shared.events.agenda import SessionChanged
from pesnet.shared.events.registration import ParticipantEvent, PersonalDataPurged
from pesnet.shared.messaging import HandlerContext
from pesnet.shared.runtime import ServiceRuntime

# Every participant event carries the registration as it stands after the change,
# so one handler keeps the projection for all of them.
PARTICIPANT_EVENTS = (
    "registration.participant.registered",
    "registration.participant.updated",
    "registration.participant.confirmed",
    "registration.participant.waitlisted",
    "registration.participant.rejected",
    "registration.participant.withdrawn",
    "registration.participant.checked_in",
)

# The event type is authoritative for the status it reports (a registration
# service may spell its own status values differently for the other types).
STATUS_OF_TYPE = {
    "registration.participant.confirmed": "confirmed",
    "registration.participant.waitlisted": "waitlisted",
    "registration.participant.rejected": "rejected",
    "registration.participant.withdrawn": "withdrawn",
    "registration.participant.checked_in": "checked_in",
}


def register_handlers(runtime: ServiceRuntime, agenda: Agenda) -> None:
    async def on_participant(payload: ParticipantEvent, ctx: HandlerContext) -> None:
        async def emit(change: SessionChanged) -> None:
            await ctx.emit(change, subject=change.meeting_id)

        registration = payload.model_dump(mode="json")
        registration["status"] = STATUS_OF_TYPE.get(ctx.event.type, payload.status)
        await agenda.apply_registration(ctx.session, ctx.event.time, registration, emit)

    for event_type in PARTICIPANT_EVENTS:
        runtime.consumer.on_type(event_type)(on_participant)

    async def on_purged(payload: PersonalDataPurged, ctx: HandlerContext) -> None:
        """Registration erased a past meeting's personal data: so does our projection."""
        await agenda.forget_participants(ctx.session, payload.meeting_id)

    runtime.consumer.on_type("registration.personal_data.purged")(on_purged)
