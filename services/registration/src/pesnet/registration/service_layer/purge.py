"""Privacy: erasing the personal data of a meeting's registrations once it ended long
enough ago; statuses, roles, countries and counts remain."""

from __future__ import annotations

from pesnet.registration.domain.commands import PurgePersonalData
from pesnet.registration.service_layer.meetings import require_meeting
from pesnet.registration.service_layer.unit_of_work import (
    Clock,
    RegistrationUnitOfWork,
    now_ms,
)
from pesnet.shared.logging import get_logger

log = get_logger(__name__)

U = RegistrationUnitOfWork


async def purge_personal_data(cmd: PurgePersonalData, uow: U, *, clock: Clock = now_ms) -> int:
    """Erase the personal data of a meeting's registrations once it ended at least
    `older_than_days` ago. Returns how many registrations were purged."""
    meeting = await require_meeting(uow, cmd.meeting_id)
    meeting.check_purgeable(clock().date(), cmd.older_than_days)

    async def work(uow: U) -> int:
        now = clock()
        registrations = await uow.registrations.not_purged_of(cmd.meeting_id)
        for registration in registrations:
            registration.purge(at=now)
            await uow.registrations.save(registration)
        await uow.replays.forget_meeting(cmd.meeting_id)
        # the published participant events (names, addresses) of the meeting
        await uow.forget_published_events(cmd.meeting_id)
        meeting = await require_meeting(uow, cmd.meeting_id)
        meeting.purged(at=now, registrations=len(registrations))
        await uow.meetings.save(meeting)
        return len(registrations)

    purged = await uow.run(work)
    log.info("personal data purged", meeting_id=cmd.meeting_id, registrations=purged)
    return purged
