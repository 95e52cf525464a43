"""Event handlers: thin, each runs inside the inbox transaction (`ctx.session`)."""

from __future__ import annotations

from typing import Any

from pesnet.notifications.service_layer.notify import Notifier, Unit
from pesnet.shared.messaging import EventConsumer, HandlerContext

REGISTRATION_EVENTS = (
    "registration.participant.registered",
    "registration.participant.updated",
    "registration.participant.confirmed",
    "registration.participant.waitlisted",
    "registration.participant.rejected",
    "registration.participant.withdrawn",
    "registration.participant.checked_in",
)


def register_handlers(consumer: EventConsumer, notifier: Notifier) -> None:
    def unit(ctx: HandlerContext) -> Unit:
        return Unit(ctx.event, ctx.session, ctx.emit)

    async def participant(payload: Any, ctx: HandlerContext) -> None:
        await notifier.participant(unit(ctx), payload)

    for event_type in REGISTRATION_EVENTS:
        consumer.on_type(event_type)(participant)

    @consumer.on_type("registration.personal_data.purged")
    async def purged(payload: Any, ctx: HandlerContext) -> None:
        await notifier.purge(unit(ctx), payload)

    @consumer.on_type("agenda.meeting.scheduled")
    async def meeting(payload: Any, ctx: HandlerContext) -> None:
        await notifier.meeting_scheduled(unit(ctx), payload)

    @consumer.on_type("agenda.programme.released")
    async def programme(payload: Any, ctx: HandlerContext) -> None:
        await notifier.programme_released(unit(ctx), payload)

    @consumer.on_type("agenda.session.changed")
    async def session_changed(payload: Any, ctx: HandlerContext) -> None:
        await notifier.session_changed(unit(ctx), payload)

    @consumer.on_type("agenda.chairmanship.transferred")
    async def chairmanship(payload: Any, ctx: HandlerContext) -> None:
        await notifier.chairmanship(unit(ctx), payload)

    @consumer.on_type("actionplan.reminder.due")
    async def reminder(payload: Any, ctx: HandlerContext) -> None:
        await notifier.reminder(unit(ctx), payload)

    @consumer.on_type("actionplan.progress.reviewed")
    async def progress(payload: Any, ctx: HandlerContext) -> None:
        await notifier.progress_reviewed(unit(ctx), payload)

    @consumer.on_type("actionplan.cooperation.proposed")
    async def cooperation(payload: Any, ctx: HandlerContext) -> None:
        await notifier.cooperation(unit(ctx), payload)
