"""Reminders: reporting periods closing soon and activities starting soon produce a
`ReminderDue` event for the responsible focal points.

Safe with several replicas: a reminder's natural key is recorded in the same
transaction as its event. Two replicas that find the same reminder due race on that
key; one commits, the other gets a write conflict (and then sees the record) or a
duplicate key (`Conflict`) and sends nothing. One reminder, not N."""

from __future__ import annotations

import asyncio
from datetime import date

from pesnet.actionplan.domain.commands import SendDueReminders
from pesnet.actionplan.domain.reminders import DueReminder, due_reminders
from pesnet.actionplan.service_layer.focal_points import contacts_of
from pesnet.actionplan.service_layer.ports import Clock, UnitOfWorkFactory
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict
from pesnet.shared.events.actionplan import ReminderDue
from pesnet.shared.logging import get_logger

log = get_logger(__name__)


async def send_due_reminders(
    cmd: SendDueReminders, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> int:
    """Emit the reminders due on `cmd.today` that were not sent yet; returns how many.
    Each reminder is its own transaction, so one that fails does not hold back the rest."""
    sent = 0
    for plan in await uow.plans.all():
        for reminder in due_reminders(plan, cmd.today, cmd.horizon_days):
            if await _send(reminder, uow, clock):
                sent += 1
    return sent


async def _send(reminder: DueReminder, uow: ActionPlanUnitOfWork, clock: Clock) -> bool:
    async def work(uow: ActionPlanUnitOfWork) -> bool:
        if await uow.reminders.was_sent(reminder.key):
            return False
        contacts = [
            contact
            for found in (await contacts_of(uow, reminder.institutions)).values()
            for contact in found
        ]
        if not contacts:
            # nobody to tell yet: try again on the next round (a focal point may be named)
            return False
        await uow.reminders.add(reminder, sent_at=clock())
        uow.emit(
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
        return await uow.run(work)
    except Conflict:
        return False  # another replica sent it first


class ReminderScheduler:
    """The background loop: every `interval_seconds`, send what is due within
    `horizon_days` of today."""

    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        *,
        interval_seconds: float,
        horizon_days: int,
        clock: Clock = utcnow,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.interval_seconds = interval_seconds
        self.horizon_days = horizon_days
        self.clock = clock

    async def send_due(self, today: date) -> int:
        command = SendDueReminders(today=today, horizon_days=self.horizon_days)
        return await send_due_reminders(command, self.unit_of_work(), clock=self.clock)

    async def run(self) -> None:
        while True:
            try:
                sent = await self.send_due(self.clock().date())
                if sent:
                    log.info("reminders sent", count=sent)
            except Exception:
                log.exception("reminder round failed; next round retries")
            await asyncio.sleep(self.interval_seconds)
