"""Event handlers: `agenda.meeting.scheduled` opens (or updates) a meeting for
registration. Handlers run inside the inbox transaction (`ctx.session`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pesnet.registration.service_layer.services import RegistrationService
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.messaging import HandlerContext, Unprocessable
from pesnet.shared.runtime import ServiceRuntime


def register_handlers(runtime: ServiceRuntime, service: RegistrationService) -> None:
    @runtime.consumer.on_type("agenda.meeting.scheduled")
    async def meeting_scheduled(payload: MeetingScheduled, ctx: HandlerContext) -> None:
        try:
            ZoneInfo(payload.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            # badges and check-in times are shown in the meeting's zone: without a
            # real one the announcement can never be applied
            raise Unprocessable(f"unknown time zone {payload.timezone!r}") from exc
        await service.meetings.open_meeting(
            ctx.session, payload, source="agenda", announced_at=ctx.event.time
        )
