"""Meetings open for registration: announced by the agenda (`agenda.meeting.scheduled`)
or, in development, seeded."""

from __future__ import annotations

from datetime import datetime

from pesnet.registration.service_layer.context import ServiceContext
from pesnet.shared.envelope import utcnow
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import DbSession

log = get_logger(__name__)


class Meetings:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def open_meeting(
        self,
        session: DbSession,
        meeting: MeetingScheduled,
        *,
        source: str,
        announced_at: datetime,
    ) -> bool:
        """Open (or update) a meeting for registration. The agenda's event is the
        authority: a seeded meeting is overwritten by it, an older event is ignored,
        and the seed never overwrites an announced meeting."""
        existing = await self.ctx.repo.get_meeting(meeting.meeting_id, session)
        if existing is not None:
            if source == "seed":
                return False
            previous = existing.get("announced_at")
            if existing.get("source") == "agenda" and previous and previous > announced_at:
                log.info("older meeting announcement ignored", meeting_id=meeting.meeting_id)
                return False
        quota = (
            meeting.delegation_quota
            if meeting.delegation_quota is not None
            else self.ctx.default_quota
        )
        await self.ctx.repo.save_meeting(
            meeting.meeting_id,
            {
                "number": meeting.number,
                "title": meeting.title.model_dump(),
                "city": meeting.city.model_dump() if meeting.city else None,
                "country": meeting.country,
                "timezone": meeting.timezone,
                "status": meeting.status,
                "start_date": meeting.start_date.isoformat() if meeting.start_date else None,
                "end_date": meeting.end_date.isoformat() if meeting.end_date else None,
                "registration_opens_at": meeting.registration_opens_at,
                "registration_closes_at": meeting.registration_closes_at,
                "delegation_quota": quota,
                "capacity": meeting.capacity,
                "source": source,
                "announced_at": announced_at,
            },
            session,
        )
        log.info(
            "meeting open for registration",
            meeting_id=meeting.meeting_id,
            source=source,
            quota=quota,
            capacity=meeting.capacity,
        )
        return True

    async def seed_meeting(self, meeting: MeetingScheduled) -> bool:
        async def work(session: DbSession) -> bool:
            return await self.open_meeting(session, meeting, source="seed", announced_at=utcnow())

        return await self.ctx.transaction(work)
