"""Reminders and the development seed through their use cases, on the in-memory unit
of work: each reminder is sent once, to the focal points that can act on it."""

from __future__ import annotations

from datetime import date, datetime

from pesnet.actionplan.domain.commands import SendDueReminders
from pesnet.actionplan.domain.reminders import DueReminder
from pesnet.actionplan.service_layer import plans
from pesnet.actionplan.service_layer.reminders import ReminderScheduler, send_due_reminders
from pesnet.actionplan.service_layer.seed import seed
from pesnet.shared.errors import Conflict
from pesnet.shared.events.actionplan import DraftCommented, PlanAdopted, ReminderDue
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork, FakeReminders
from tests.unit.actionplan.scenario import NOW, PERIOD, adopted_plan, clock, focal_point


def due(today: date) -> SendDueReminders:
    return SendDueReminders(today=today, horizon_days=14)


async def test_an_activity_starting_soon_is_reminded_once_to_its_lead() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)  # the study visit starts on 1 October 2024
    await focal_point(uow, "anapec")
    await focal_point(uow, "iskur")  # a participant, not a lead: not reminded
    assert await send_due_reminders(due(date(2024, 9, 20)), uow, clock=clock) == 1
    assert await send_due_reminders(due(date(2024, 9, 21)), uow, clock=clock) == 0
    [reminder] = uow.events(ReminderDue)
    assert isinstance(reminder, ReminderDue)
    assert (reminder.kind, reminder.due_date, reminder.period) == (
        "activity_starting",
        date(2024, 10, 1),
        PERIOD,
    )
    assert [c.email for c in reminder.recipients] == ["fp@anapec.example"]
    assert await uow.reminders.was_sent(reminder.reminder_id)


async def test_a_closing_period_reminds_the_institutions_that_still_owe_a_report() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    await focal_point(uow, "anapec")
    assert await send_due_reminders(due(date(2024, 12, 20)), uow, clock=clock) == 1
    [reminder] = uow.events(ReminderDue)
    assert isinstance(reminder, ReminderDue)
    assert (reminder.kind, reminder.due_date) == ("reporting_period_closing", date(2024, 12, 31))
    assert reminder.subject_title.get("fr").startswith("Période de rapport 2024")


async def test_a_reminder_with_no_one_to_tell_waits_for_a_focal_point() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    assert await send_due_reminders(due(date(2024, 9, 20)), uow, clock=clock) == 0
    assert uow.events(ReminderDue) == []
    await focal_point(uow, "anapec")
    assert await send_due_reminders(due(date(2024, 9, 21)), uow, clock=clock) == 1


async def test_a_reminder_another_replica_sent_first_is_not_sent_again() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    await focal_point(uow, "anapec")

    class SentMeanwhile(FakeReminders):
        """The other replica commits between our check and our insert."""

        async def add(self, reminder: DueReminder, *, sent_at: datetime) -> None:
            raise Conflict("sent already")

    uow.reminders = SentMeanwhile()
    assert await send_due_reminders(due(date(2024, 9, 20)), uow, clock=clock) == 0
    assert uow.events(ReminderDue) == []


async def test_the_scheduler_sends_through_a_fresh_unit_of_work() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    await focal_point(uow, "anapec")
    scheduler = ReminderScheduler(lambda: uow, interval_seconds=60, horizon_days=14, clock=clock)
    assert await scheduler.send_due(date(2024, 9, 20)) == 1
    assert await scheduler.send_due(date(2024, 9, 20)) == 0


async def test_the_seed_records_the_two_plans_once() -> None:
    uow = FakeActionPlanUnitOfWork()
    assert await seed(uow, clock=clock) == {"2021-2022": "adopted", "2024-2026": "drafted"}
    assert await seed(uow, clock=clock) == {}
    found = {p.period: p for p in await plans.list_plans(uow)}
    assert (found["2021-2022"].status, found["2021-2022"].meeting_id) == ("adopted", "pesnet-3")
    adopted_at = found["2021-2022"].adopted_at
    assert adopted_at is not None
    assert adopted_at.date() == date(2021, 6, 3)
    assert adopted_at.tzinfo == NOW.tzinfo
    assert (found["2024-2026"].status, found["2024-2026"].draft_meeting_id) == (
        "draft",
        "pesnet-4",
    )
    assert len(uow.events(PlanAdopted)) == 1


async def test_the_seeded_draft_has_the_programme_s_areas_and_illustrative_comments() -> None:
    uow = FakeActionPlanUnitOfWork()
    await seed(uow, clock=clock)
    draft = await plans.require_plan(uow, "2024-2026")
    areas = {a.id: a.title.en for a in draft.thematic_areas}
    assert "entrepreneurship" in areas
    assert "youth-skills" in areas
    assert "young people" in (areas["youth-skills"] or "")
    assert len(draft.activities) >= 3
    assert all(i.targets for i in draft.indicators)
    assert {c.country for c in draft.consultation} >= {"MAR", "TUR"}
    assert all(c.illustrative for c in draft.consultation)
    assert all("Illustrative" in (a.summary.en or "") for a in draft.activities if a.summary)
    assert len(uow.events(DraftCommented)) == len(draft.consultation)
