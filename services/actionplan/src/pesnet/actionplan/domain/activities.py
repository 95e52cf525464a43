"""A plan's activities: what the network does (a workshop, a study visit...), who
leads it, when it is planned and when it happened, and its status with the moves a
status may make (completed and cancelled are final)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pesnet.actionplan.domain.entity import Entity, require_complete
from pesnet.actionplan.domain.periods import plan_bounds
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.i18n import Localized
from pesnet.shared.terms import ACTIVITY_STATUSES
from pesnet.shared.translation import _

ActivityType = Literal[
    "training_programme",
    "workshop",
    "webinar",
    "study_visit",
    "expert_exchange",
    "study_report",
    "peer_learning",
]
ActivityStatus = Literal["planned", "ongoing", "completed", "postponed", "cancelled"]
ParticipantRole = Literal["implementing", "funding", "host"]

# Which activity status may follow which (completed and cancelled are final).
ACTIVITY_TRANSITIONS: dict[str, set[str]] = {
    "planned": {"ongoing", "postponed", "cancelled"},
    "ongoing": {"completed", "postponed", "cancelled"},
    "postponed": {"planned", "ongoing", "cancelled"},
    "completed": set(),
    "cancelled": set(),
}


class Participation(Entity):
    institution: str
    role: ParticipantRole


class StatusChange(Entity):
    status: str
    at: datetime
    note: str | None = None


class Activity(Entity):
    id: str
    thematic_area: str
    activity_type: ActivityType
    title: Localized
    summary: Localized | None = None
    lead_institutions: list[str]
    participants: list[Participation] = []
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    status: ActivityStatus = "planned"
    history: list[StatusChange] = []

    def move_to(
        self,
        status: ActivityStatus,
        *,
        period: str,
        now: datetime,
        note: str | None = None,
        actual: tuple[date | None, date | None] = (None, None),
        planned: tuple[date | None, date | None] = (None, None),
    ) -> None:
        """The activity in its next status (`period`: the plan's years, which its
        planned dates keep inside); a postponed one needs its new planned start."""
        if status not in ACTIVITY_TRANSITIONS[self.status]:
            raise Conflict(
                _("an activity that is {current} cannot become {status}"),
                field="status",
                params={
                    "current": ACTIVITY_STATUSES[self.status],
                    "status": ACTIVITY_STATUSES[status],
                },
            )
        if status == "postponed" and planned[0] is None:
            raise InvalidInput(
                _("a postponed activity needs its new planned start"), field="planned_start"
            )
        if planned != (None, None):
            self._replan(*planned, period=period)
        actual_start, actual_end = actual
        if status == "ongoing":
            self.actual_start = actual_start or self.actual_start or now.date()
        if status == "completed":
            self.actual_start = self.actual_start or actual_start
            self.actual_end = actual_end or now.date()
        check_dates(period, self.actual_start, self.actual_end, "actual")
        self.status = status
        self.history.append(StatusChange(status=status, at=now, note=note))

    def _replan(self, start: date | None, end: date | None, *, period: str) -> None:
        """New planned dates; a new start alone moves the whole activity (it keeps its
        duration)."""
        new_start = start or self.planned_start
        new_end = end or self.planned_end
        if end is None and start and self.planned_start and self.planned_end:
            new_end = start + (self.planned_end - self.planned_start)
        check_dates(period, new_start, new_end, "planned")
        self.planned_start, self.planned_end = new_start, new_end


def new_activity(
    activity_id: str,
    *,
    period: str,
    thematic_area: str,
    activity_type: ActivityType,
    title: Localized,
    summary: Localized | None,
    lead_institutions: list[str],
    participants: list[Participation],
    planned_start: date | None,
    planned_end: date | None,
    now: datetime,
) -> Activity:
    """A planned activity of a plan of `period`, its texts complete, led by someone,
    planned inside the plan's years."""
    require_complete(title, "title")
    if summary is not None:
        require_complete(summary, "summary")
    if not lead_institutions:
        raise InvalidInput(_("an activity needs a lead institution"), field="lead_institutions")
    check_dates(period, planned_start, planned_end, "planned")
    return Activity(
        id=activity_id,
        thematic_area=thematic_area,
        activity_type=activity_type,
        title=title,
        summary=summary,
        lead_institutions=list(dict.fromkeys(lead_institutions)),
        participants=participants,
        planned_start=planned_start,
        planned_end=planned_end,
        history=[StatusChange(status="planned", at=now)],
    )


def check_dates(period: str, start: date | None, end: date | None, prefix: str) -> None:
    """Planned dates are inside the plan's years; an activity ends after it starts."""
    first, last = plan_bounds(period)
    for name, value in ((f"{prefix}_start", start), (f"{prefix}_end", end)):
        if value is not None and prefix == "planned" and not first <= value <= last:
            raise InvalidInput(
                _("the date is outside the plan's years {period}"),
                field=name,
                params={"period": period},
            )
    if start is not None and end is not None and end < start:
        raise InvalidInput(_("the activity ends before it starts"), field=f"{prefix}_end")
