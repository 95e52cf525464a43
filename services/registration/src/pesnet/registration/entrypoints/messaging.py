"""Event handlers: `agenda.meeting.scheduled` opens (or updates) a meeting for
registration. Handlers run inside the inbox transaction (`ctx.session`)."""

from __future__ import annotations

from pesnet.registration.service_layer.services import RegistrationService
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.messaging import HandlerContext
from pesnet.shared.runtime import ServiceRuntime


def register_handlers(runtime: ServiceRuntime, service: RegistrationService) -> None:
    @runtime.consumer.on("agenda.meeting.scheduled")
    async def meeting_scheduled(payload: MeetingScheduled, ctx: HandlerContext) -> None:
        await service.open_meeting(
            ctx.session, payload, source="agenda", announced_at=ctx.event.time
        )
