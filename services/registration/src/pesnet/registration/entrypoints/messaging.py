"""Event handlers: the agenda's `MeetingScheduled` opens (or updates) a meeting for
registration. Handlers run inside the inbox transaction, with a unit of work joined
to it."""

from __future__ import annotations

from pesnet.registration.domain.commands import OpenMeeting
from pesnet.registration.domain.meeting import MeetingSource
from pesnet.registration.entrypoints.dependencies import Dependencies
from pesnet.registration.service_layer import meetings
from pesnet.registration.service_layer.unit_of_work import RegistrationUnitOfWork
from pesnet.shared.errors import InvalidInput
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.messaging import Unprocessable
from pesnet.shared.runtime import ServiceRuntime


def register_handlers(runtime: ServiceRuntime, deps: Dependencies) -> None:
    @runtime.consumer.on(MeetingScheduled)
    async def meeting_scheduled(event: MeetingScheduled, uow: RegistrationUnitOfWork) -> None:
        assert uow.cause is not None  # a consumer's unit of work has the event it handles
        command = OpenMeeting(event, MeetingSource.agenda, uow.cause.time)
        try:
            await meetings.open_meeting(command, uow, default_quota=deps.default_quota)
        except InvalidInput as exc:
            # e.g. an unknown time zone: the announcement can never be applied
            raise Unprocessable(exc.text) from exc
