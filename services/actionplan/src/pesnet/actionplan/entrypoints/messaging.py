"""Event handlers: the agenda's meetings, so that a plan names the meeting that adopted
it (or discussed its draft) in the report, not just its id."""

from __future__ import annotations

from pesnet.actionplan.adapters.repository import Repository
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.messaging import HandlerContext
from pesnet.shared.runtime import ServiceRuntime


def register(runtime: ServiceRuntime, repo: Repository) -> None:
    @runtime.consumer.on_type("agenda.meeting.scheduled")
    async def meeting_scheduled(payload: MeetingScheduled, ctx: HandlerContext) -> None:
        # the event carries the whole meeting (event-carried state transfer): keep the latest
        await repo.save_meeting(
            {
                "_id": payload.meeting_id,
                "number": payload.number,
                "title": payload.title.model_dump(),
                "city": payload.city.model_dump() if payload.city else None,
                "start_date": payload.start_date.isoformat() if payload.start_date else None,
                "end_date": payload.end_date.isoformat() if payload.end_date else None,
                "timezone": payload.timezone,
            },
            ctx.session,
        )
