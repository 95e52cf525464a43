"""Reminders: reporting periods closing soon and activities starting soon produce
`actionplan.reminder.due` for the responsible focal points.

Safe with several replicas: a reminder's natural key is its document id in the
`reminders` collection, written in the same transaction as its outbox entry. Two
replicas that find the same reminder due race on that key; one commits, the other
gets a write conflict or a duplicate key and sends nothing. One reminder, not N."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pymongo.errors import DuplicateKeyError

from pesnet.actionplan.domain.model import Plan
from pesnet.actionplan.domain.periods import reporting_period_end, reporting_periods
from pesnet.actionplan.service_layer.services import ActionPlanService
from pesnet.shared.events.actionplan import ReminderDue
from pesnet.shared.events.common import Contact
from pesnet.shared.i18n import Localized
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import DbSession

log = get_logger(__name__)


@dataclass(frozen=True)
class DueReminder:
    key: str
    kind: Literal["reporting_period_closing", "activity_starting"]
    period: str
    subject_title: Localized
    due_date: date
    institutions: list[str]


def reporting_title(plan: Plan, reporting_period: str) -> Localized:
    return Localized(
        ar=f"فترة الإبلاغ {reporting_period} — {plan.title.get('ar')}",
        en=f"Reporting period {reporting_period} — {plan.title.get('en')}",
        fr=f"Période de rapport {reporting_period} — {plan.title.get('fr')}",
    )


def due_reminders(plan: Plan, today: date, horizon_days: int) -> list[DueReminder]:
    """What is due within the horizon for one adopted plan (pure)."""
    if plan.status != "adopted":
        return []
    horizon = today + timedelta(days=horizon_days)
    due: list[DueReminder] = []
    for reporting_period in reporting_periods(plan.period):
        closes = reporting_period_end(reporting_period)
        if not today <= closes <= horizon:
            continue
        # who still owes a report for this period: lead institutions of indicators without one
        owing: set[str] = set()
        for indicator in plan.indicators:
            reported = any(
                r.indicator_id == indicator.id
                and r.reporting_period == reporting_period
                and r.status in ("submitted", "validated")
                for r in plan.progress
            )
            if not reported:
                owing |= plan.reporting_institutions(indicator)
        for institution in sorted(owing):
            due.append(
                DueReminder(
                    key=f"reporting_period_closing:{plan.period}:{reporting_period}:{institution}",
                    kind="reporting_period_closing",
                    period=plan.period,
                    subject_title=reporting_title(plan, reporting_period),
                    due_date=closes,
                    institutions=[institution],
                )
            )
    for activity in plan.activities:
        start = activity.planned_start
        if activity.status == "planned" and start is not None and today <= start <= horizon:
            due.append(
                DueReminder(
                    key=f"activity_starting:{plan.period}:{activity.id}:{start.isoformat()}",
                    kind="activity_starting",
                    period=plan.period,
                    subject_title=activity.title,
                    due_date=start,
                    institutions=activity.lead_institutions,
                )
            )
    return due


class ReminderScheduler:
    def __init__(
        self, service: ActionPlanService, *, interval_seconds: float, horizon_days: int
    ) -> None:
        self.service = service
        self.interval_seconds = interval_seconds
        self.horizon_days = horizon_days

    async def send_due(self, today: date) -> int:
        """Emit the reminders due on `today` that no replica has sent yet; returns how many."""
        sent = 0
        for plan in await self.service.repo.list_plans():
            for reminder in due_reminders(plan, today, self.horizon_days):
                if await self._send(reminder):
                    sent += 1
        return sent

    async def _send(self, reminder: DueReminder) -> bool:
        repo = self.service.repo

        async def work(session: DbSession) -> bool:
            if await repo.reminder_exists(reminder.key, session):
                return False
            contacts: list[Contact] = []
            for found in (await self.service.contacts_of(reminder.institutions, session)).values():
                contacts.extend(found)
            if not contacts:
                # nobody to tell yet: try again on the next round (a focal point may be named)
                return False
            await repo.insert_reminder(
                {
                    "_id": reminder.key,
                    "kind": reminder.kind,
                    "period": reminder.period,
                    "due_date": reminder.due_date.isoformat(),
                    "institutions": reminder.institutions,
                    "sent_at": self.service.clock(),
                },
                session,
            )
            await self.service.runtime.outbox.add(
                session,
                ReminderDue(
                    reminder_id=reminder.key,
                    kind=reminder.kind,
                    period=reminder.period,
                    subject_title=reminder.subject_title,
                    due_date=reminder.due_date,
                    recipients=contacts,
                ),
                subject=reminder.key,
            )
            return True

        try:
            return await self.service._tx(work)
        except DuplicateKeyError:
            return False  # another replica sent it first

    async def run(self) -> None:
        while True:
            try:
                sent = await self.send_due(self.service.clock().date())
                if sent:
                    log.info("reminders sent", count=sent)
            except Exception:
                log.exception("reminder round failed; next round retries")
            await asyncio.sleep(self.interval_seconds)
