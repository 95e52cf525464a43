"""Event handlers: the agenda's meetings, so that a plan names the meeting that adopted
it (or discussed its draft) in the report, not just its id."""

from __future__ import annotations

from pesnet.actionplan.domain.commands import RecordMeeting
from pesnet.actionplan.service_layer.plans import record_meeting
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.messaging import EventConsumer


async def meeting_scheduled(event: MeetingScheduled, uow: ActionPlanUnitOfWork) -> None:
    command = RecordMeeting(
        meeting_id=event.meeting_id,
        number=event.number,
        title=event.title,
        timezone=event.timezone,
        city=event.city,
        start_date=event.start_date,
        end_date=event.end_date,
    )
    await record_meeting(command, uow)


def register(consumer: EventConsumer) -> None:
    consumer.on(MeetingScheduled)(meeting_scheduled)
