"""What is due soon in an adopted plan: a reporting period closing while an institution
still owes a report, and a planned activity starting. Each reminder has a natural key
(its subject and due date), so it is sent once however often, and by however many
replicas, the plan is looked at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pesnet.actionplan.domain.labels import said
from pesnet.actionplan.domain.periods import reporting_period_end, reporting_periods
from pesnet.actionplan.domain.plan import Plan
from pesnet.shared.i18n import Localized
from pesnet.shared.translation import _

ReminderKind = Literal["reporting_period_closing", "activity_starting"]


@dataclass(frozen=True)
class DueReminder:
    key: str
    kind: ReminderKind
    period: str
    subject_title: Localized
    due_date: date
    institutions: list[str]


def reporting_title(plan: Plan, reporting_period: str) -> Localized:
    return said(_("Reporting period {period} — {plan}"), period=reporting_period, plan=plan.title)


def due_reminders(plan: Plan, today: date, horizon_days: int) -> list[DueReminder]:
    """What is due within the horizon for one plan (nothing unless it is adopted)."""
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
