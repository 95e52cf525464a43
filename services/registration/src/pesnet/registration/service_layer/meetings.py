"""Meetings as registration applies them: the agenda's announcement opens (or
updates) a meeting for registration; the public counts of its delegations."""

from __future__ import annotations

from pesnet.registration.domain.commands import OpenMeeting
from pesnet.registration.domain.delegation import Delegation
from pesnet.registration.domain.meeting import Meeting, MeetingSource
from pesnet.registration.service_layer.unit_of_work import RegistrationUnitOfWork
from pesnet.shared.errors import NotFound
from pesnet.shared.events.agenda import MeetingJoinLinkSet
from pesnet.shared.logging import get_logger
from pesnet.shared.translation import _

log = get_logger(__name__)

U = RegistrationUnitOfWork


async def require_meeting(uow: U, meeting_id: str) -> Meeting:
    """The meeting, or NotFound (for every use case that names one)."""
    meeting = await uow.meetings.get(meeting_id)
    if meeting is None:
        raise NotFound(
            _("no meeting {meeting} is open for registration"), params={"meeting": meeting_id}
        )
    return meeting


async def open_meeting(cmd: OpenMeeting, uow: U, *, default_quota: int | None) -> bool:
    """Open (or update) a meeting for registration; False when the announcement does
    not apply (see `Meeting.takes_announcement`). A quota the agenda does not give
    is the service's default."""
    announced = cmd.announcement

    async def work(uow: U) -> bool:
        existing = await uow.meetings.get(announced.meeting_id)
        if existing is not None and not existing.takes_announcement(cmd.source, cmd.announced_at):
            if cmd.source is MeetingSource.agenda:
                log.info("older meeting announcement ignored", meeting_id=announced.meeting_id)
            return False
        quota = (
            announced.delegation_quota if announced.delegation_quota is not None else default_quota
        )
        meeting = Meeting.announced(
            announced, source=cmd.source, at=cmd.announced_at, quota=quota, existing=existing
        )
        await uow.meetings.save(meeting)
        log.info(
            "meeting open for registration",
            meeting_id=meeting.id,
            source=cmd.source.value,
            quota=quota,
            capacity=meeting.capacity,
        )
        return True

    return await uow.run(work)


async def delegations(meeting_id: str, uow: U) -> tuple[Meeting, list[Delegation]]:
    """The meeting (its quota) and its delegations that count anyone (public: no names)."""
    meeting = await require_meeting(uow, meeting_id)
    found = [d for d in await uow.delegations.of_meeting(meeting_id) if d.counted_statuses]
    return meeting, found


async def set_join_link(event: MeetingJoinLinkSet, uow: U) -> None:
    """The online meeting's join link (internal), kept for its participants' pages."""

    async def work(uow: U) -> None:
        meeting = await uow.meetings.get(event.meeting_id)
        if meeting is None:
            log.info("join link of an unknown meeting ignored", meeting_id=event.meeting_id)
            return
        meeting.attendance_mode = event.attendance_mode
        meeting.join_url = event.join_url
        await uow.meetings.save(meeting)

    await uow.run(work)
