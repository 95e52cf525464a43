"""Privacy: erasing the personal data of a meeting's registrations once it ended
long enough ago. The public counts live in `delegations.py`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pesnet.registration.service_layer.context import ServiceContext
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict
from pesnet.shared.events.registration import PersonalDataPurged
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import DbSession

log = get_logger(__name__)


class Privacy:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def purge(self, meeting_id: str, older_than_days: int) -> dict[str, Any]:
        """Erase the personal data of a meeting's registrations once it ended at least
        `older_than_days` ago; statuses, roles, countries and counts remain."""
        meeting = await self.ctx.meeting(meeting_id)
        end = meeting.end_date
        if end is None:
            raise Conflict(f"{meeting_id} has no end date yet: nothing can be purged")
        earliest = end + timedelta(days=older_than_days)
        today = utcnow().date()
        if today < earliest:
            raise Conflict(
                f"{meeting_id} ended on {end.isoformat()}: its personal data can be purged "
                f"{older_than_days} days later, from {earliest.isoformat()}"
            )

        async def work(session: DbSession) -> int:
            now = utcnow()
            purged = await self.ctx.repo.purge_personal_data(meeting_id, now, session)
            await self.ctx.repo.forget_results_of(meeting_id, session)
            await self.ctx.repo.mark_meeting_purged(meeting_id, now, session)
            await self.ctx.emit(
                session,
                PersonalDataPurged(meeting_id=meeting_id, registrations=purged, purged_at=now),
                f"meeting/{meeting_id}",
            )
            return purged

        purged = await self.ctx.transaction(work)
        log.info("personal data purged", meeting_id=meeting_id, registrations=purged)
        return {"meeting_id": meeting_id, "purged": purged}
