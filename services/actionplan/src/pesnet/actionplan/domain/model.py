"""The action plan aggregate: a plan with its thematic areas, activities, results
framework (indicators and targets, after the IATI activity standard's results
model) and progress reports. Pure: no I/O; every rule raises a domain error that
names the offending field.

One plan is one aggregate (and one document): a plan has a handful of thematic
areas, a few dozen activities and indicators, and some progress reports per
reporting year, far from any size limit, and keeping them together makes every
rule (a target inside the plan's years, a report on a closed plan) a local check.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from pesnet.actionplan.domain.labels import PLAN_STATUSES, said
from pesnet.actionplan.domain.periods import parse_period, plan_bounds, reporting_periods
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from pesnet.shared.events.common import Contact, MeetingId
from pesnet.shared.i18n import Localized
from pesnet.shared.terms import ACTIVITY_STATUSES, LANGUAGE_NAMES, listing
from pesnet.shared.translation import _

PlanStatus = Literal["draft", "adopted", "closed"]
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
Measure = Literal["number", "percentage", "qualitative"]
ReportStatus = Literal["submitted", "validated", "returned"]
# what a second review of a report is told
REVIEWED: dict[str, str] = {
    "validated": _("the report is already validated"),
    "returned": _("the report was already returned for revision"),
}
Value = float | str

# Which activity status may follow which (completed and cancelled are final).
ACTIVITY_TRANSITIONS: dict[str, set[str]] = {
    "planned": {"ongoing", "postponed", "cancelled"},
    "ongoing": {"completed", "postponed", "cancelled"},
    "postponed": {"planned", "ongoing", "cancelled"},
    "completed": set(),
    "cancelled": set(),
}


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def require_complete(text: Localized, field: str) -> None:
    if missing := text.missing():
        raise InvalidInput(
            _("missing the {languages} text"),
            field=f"{field}.{missing[0]}",
            params={"languages": listing(LANGUAGE_NAMES[lang] for lang in missing)},
        )


class Entity(BaseModel):
    model_config = ConfigDict(validate_assignment=False)


class ThematicArea(Entity):
    id: str
    title: Localized


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


class Target(Entity):
    reporting_period: str
    value: float


class Indicator(Entity):
    id: str
    title: Localized
    thematic_area: str
    activity_id: str | None = None
    measure: Measure
    ascending: bool = True
    baseline: Value | None = None
    baseline_year: int | None = None
    targets: list[Target] = []

    def target_for(self, reporting_period: str) -> float | None:
        for target in self.targets:
            if target.reporting_period == reporting_period:
                return target.value
        return None


class ProgressReport(Entity):
    id: str
    indicator_id: str
    activity_id: str | None = None
    reporting_period: str
    actual_value: Value
    comment: str | None = None
    institution: str
    reporter: Contact
    status: ReportStatus = "submitted"
    submitted_at: datetime
    reviewed_at: datetime | None = None
    review_comment: str | None = None


_Part = TypeVar("_Part", ThematicArea, Activity, Indicator)


class Plan(Entity):
    period: str
    title: Localized
    status: PlanStatus = "draft"
    # the meeting where the draft was discussed (the 2024-2026 draft: pesnet-4)
    draft_meeting_id: MeetingId | None = None
    # the meeting that adopted the plan
    meeting_id: MeetingId | None = None
    adopted_at: datetime | None = None
    closed_at: datetime | None = None
    thematic_areas: list[ThematicArea] = []
    activities: list[Activity] = []
    indicators: list[Indicator] = []
    progress: list[ProgressReport] = []
    history: list[StatusChange] = []
    created_at: datetime

    # -- creation and life cycle ------------------------------------------------------------

    @classmethod
    def draft(
        cls,
        period: str,
        *,
        title: Localized | None,
        now: datetime,
        draft_meeting_id: str | None = None,
    ) -> Plan:
        parse_period(period)
        if title is None:
            title = default_title(period)
        require_complete(title, "title")
        return cls(
            period=period,
            title=title,
            draft_meeting_id=draft_meeting_id,
            created_at=now,
            history=[StatusChange(status="draft", at=now)],
        )

    def adopt(self, meeting_id: str, *, at: datetime) -> None:
        if self.status != "draft":
            raise Conflict(
                _("the {period} plan is already {status}"),
                params={"period": self.period, "status": PLAN_STATUSES[self.status]},
            )
        if not meeting_id.strip():
            raise InvalidInput(
                _("the meeting that adopts the plan is required"), field="meeting_id"
            )
        self.status = "adopted"
        self.meeting_id = meeting_id
        self.adopted_at = at
        self.history.append(StatusChange(status="adopted", at=at, note=meeting_id))

    def close(self, *, at: datetime) -> None:
        if self.status != "adopted":
            raise Conflict(
                _("only an adopted plan can be closed; the {period} plan is {status}"),
                params={"period": self.period, "status": PLAN_STATUSES[self.status]},
            )
        self.status = "closed"
        self.closed_at = at
        self.history.append(StatusChange(status="closed", at=at))

    def _require_open(self) -> None:
        if self.status == "closed":
            raise Conflict(_("the {period} plan is closed"), params={"period": self.period})

    # -- thematic areas, activities, indicators ----------------------------------------------

    def _find(self, items: list[_Part], wanted: str, message: str, field: str | None) -> _Part:
        """A part of the plan by id: an unknown id named in a request body is a 422 on
        that field, one in the URL a 404 (`message` names the plan and the id)."""
        for item in items:
            if item.id == wanted:
                return item
        params = {"period": self.period, "id": wanted}
        if field:
            raise InvalidInput(message, field=field, params=params)
        raise NotFound(message, params=params)

    def area(self, area_id: str, *, field: str = "thematic_area") -> ThematicArea:
        return self._find(
            self.thematic_areas, area_id, _("the {period} plan has no thematic area {id}"), field
        )

    def add_thematic_area(self, area_id: str, title: Localized) -> ThematicArea:
        self._require_open()
        if self.status != "draft":
            raise Conflict(_("thematic areas are set while the plan is a draft"))
        require_complete(title, "title")
        if any(a.id == area_id for a in self.thematic_areas):
            raise Conflict(
                _("the plan already has a thematic area {id}"), field="id", params={"id": area_id}
            )
        area = ThematicArea(id=area_id, title=title)
        self.thematic_areas.append(area)
        return area

    def activity(self, activity_id: str, *, field: str | None = None) -> Activity:
        return self._find(
            self.activities, activity_id, _("the {period} plan has no activity {id}"), field
        )

    def _check_dates(self, start: date | None, end: date | None, prefix: str) -> None:
        first, last = plan_bounds(self.period)
        for name, value in ((f"{prefix}_start", start), (f"{prefix}_end", end)):
            if value is not None and prefix == "planned" and not first <= value <= last:
                raise InvalidInput(
                    _("the date is outside the plan's years {period}"),
                    field=name,
                    params={"period": self.period},
                )
        if start is not None and end is not None and end < start:
            raise InvalidInput(_("the activity ends before it starts"), field=f"{prefix}_end")

    def add_activity(
        self,
        *,
        thematic_area: str,
        activity_type: ActivityType,
        title: Localized,
        summary: Localized | None,
        lead_institutions: list[str],
        participants: list[Participation],
        planned_start: date | None,
        planned_end: date | None,
        now: datetime,
        activity_id: str | None = None,
    ) -> Activity:
        self._require_open()
        self.area(thematic_area)
        require_complete(title, "title")
        if summary is not None:
            require_complete(summary, "summary")
        if not lead_institutions:
            raise InvalidInput(_("an activity needs a lead institution"), field="lead_institutions")
        self._check_dates(planned_start, planned_end, "planned")
        activity_id = activity_id or new_id("act")
        if any(a.id == activity_id for a in self.activities):
            raise Conflict(
                _("the plan already has an activity {id}"),
                field="activity_id",
                params={"id": activity_id},
            )
        activity = Activity(
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
        self.activities.append(activity)
        return activity

    def change_activity_status(
        self,
        activity_id: str,
        status: ActivityStatus,
        *,
        now: datetime,
        note: str | None = None,
        actual_start: date | None = None,
        actual_end: date | None = None,
        planned_start: date | None = None,
        planned_end: date | None = None,
    ) -> Activity:
        self._require_open()
        activity = self.activity(activity_id)
        if status not in ACTIVITY_TRANSITIONS[activity.status]:
            raise Conflict(
                _("an activity that is {current} cannot become {status}"),
                field="status",
                params={
                    "current": ACTIVITY_STATUSES[activity.status],
                    "status": ACTIVITY_STATUSES[status],
                },
            )
        if status == "postponed" and planned_start is None:
            raise InvalidInput(
                _("a postponed activity needs its new planned start"), field="planned_start"
            )
        if planned_start is not None or planned_end is not None:
            new_start = planned_start or activity.planned_start
            new_end = planned_end or activity.planned_end
            if (
                planned_end is None
                and planned_start
                and activity.planned_start
                and activity.planned_end
            ):
                # a new start alone moves the whole activity: it keeps its duration
                new_end = planned_start + (activity.planned_end - activity.planned_start)
            self._check_dates(new_start, new_end, "planned")
            activity.planned_start, activity.planned_end = new_start, new_end
        if status == "ongoing":
            activity.actual_start = actual_start or activity.actual_start or now.date()
        if status == "completed":
            activity.actual_start = activity.actual_start or actual_start
            activity.actual_end = actual_end or now.date()
        self._check_dates(activity.actual_start, activity.actual_end, "actual")
        activity.status = status
        activity.history.append(StatusChange(status=status, at=now, note=note))
        return activity

    def add_indicator(
        self,
        *,
        title: Localized,
        measure: Measure,
        ascending: bool,
        activity_id: str | None,
        thematic_area: str | None,
        baseline: Value | None,
        baseline_year: int | None,
        targets: list[Target],
        indicator_id: str | None = None,
    ) -> Indicator:
        self._require_open()
        require_complete(title, "title")
        if activity_id is not None:
            activity = self.activity(activity_id, field="activity_id")
            if thematic_area is not None and thematic_area != activity.thematic_area:
                raise InvalidInput(
                    _("the activity belongs to another thematic area"), field="thematic_area"
                )
            thematic_area = activity.thematic_area
        elif thematic_area is None:
            raise InvalidInput(
                _("an indicator measures an activity or a thematic area: give one"),
                field="activity_id",
            )
        self.area(thematic_area)
        check_value(measure, baseline, "baseline")
        if measure == "qualitative" and targets:
            raise InvalidInput(
                _(
                    "a qualitative indicator has no numeric targets (IATI: targets are for "
                    "quantitative measures)"
                ),
                field="targets",
            )
        allowed = reporting_periods(self.period)
        seen: set[str] = set()
        for i, target in enumerate(targets):
            if target.reporting_period not in allowed:
                raise InvalidInput(
                    _("reporting periods of the {period} plan are {periods}"),
                    field=f"targets.{i}.reporting_period",
                    params={"period": self.period, "periods": ", ".join(allowed)},
                )
            if target.reporting_period in seen:
                raise InvalidInput(
                    _("one target per reporting period"), field=f"targets.{i}.reporting_period"
                )
            seen.add(target.reporting_period)
            check_value(measure, target.value, f"targets.{i}.value")
        indicator = Indicator(
            id=indicator_id or new_id("ind"),
            title=title,
            thematic_area=thematic_area,
            activity_id=activity_id,
            measure=measure,
            ascending=ascending,
            baseline=baseline,
            baseline_year=baseline_year,
            targets=sorted(targets, key=lambda t: t.reporting_period),
        )
        if any(i.id == indicator.id for i in self.indicators):
            raise Conflict(
                _("the plan already has an indicator {id}"),
                field="indicator_id",
                params={"id": indicator.id},
            )
        self.indicators.append(indicator)
        return indicator

    def indicator(self, indicator_id: str, *, field: str | None = None) -> Indicator:
        return self._find(
            self.indicators, indicator_id, _("the {period} plan has no indicator {id}"), field
        )

    # -- progress --------------------------------------------------------------------------

    def reporting_institutions(self, indicator: Indicator) -> set[str]:
        """Who reports on an indicator: the lead institutions of its activity, or of the
        activities of its thematic area for an area-level indicator."""
        if indicator.activity_id is not None:
            return set(self.activity(indicator.activity_id).lead_institutions)
        return {
            inst
            for a in self.activities
            if a.thematic_area == indicator.thematic_area
            for inst in a.lead_institutions
        }

    def report_progress(
        self,
        *,
        indicator_id: str,
        reporting_period: str,
        actual_value: Value,
        comment: str | None,
        institution: str,
        reporter: Contact,
        now: datetime,
    ) -> ProgressReport:
        if self.status == "closed":
            raise Conflict(
                _("the {period} plan is closed: no more progress reports"),
                params={"period": self.period},
            )
        if self.status == "draft":
            raise Conflict(
                _("the {period} plan is a draft: progress is reported once adopted"),
                params={"period": self.period},
            )
        indicator = self.indicator(indicator_id, field="indicator_id")
        if institution not in self.reporting_institutions(indicator):
            raise Forbidden(
                _(
                    "{institution} does not lead the activity this indicator measures; its "
                    "lead institution's focal point reports on it"
                ),
                params={"institution": institution},
            )
        allowed = reporting_periods(self.period)
        if reporting_period not in allowed:
            raise InvalidInput(
                _("reporting periods of the {period} plan are {periods}"),
                field="reporting_period",
                params={"period": self.period, "periods": ", ".join(allowed)},
            )
        check_value(indicator.measure, actual_value, "actual_value")
        report = ProgressReport(
            id=new_id("rep"),
            indicator_id=indicator.id,
            activity_id=indicator.activity_id,
            reporting_period=reporting_period,
            actual_value=actual_value,
            comment=comment,
            institution=institution,
            reporter=reporter,
            submitted_at=now,
        )
        self.progress.append(report)
        return report

    def report(self, report_id: str) -> ProgressReport:
        for report in self.progress:
            if report.id == report_id:
                return report
        raise NotFound(
            _("the {period} plan has no progress report {id}"),
            params={"period": self.period, "id": report_id},
        )

    def validate_report(self, report_id: str, *, now: datetime) -> ProgressReport:
        self._require_open()
        report = self.report(report_id)
        if report.status != "submitted":
            raise Conflict(REVIEWED[report.status])
        report.status = "validated"
        report.reviewed_at = now
        return report

    def return_report(self, report_id: str, comment: str, *, now: datetime) -> ProgressReport:
        self._require_open()
        report = self.report(report_id)
        if report.status != "submitted":
            raise Conflict(REVIEWED[report.status])
        if not comment.strip():
            raise InvalidInput(_("say why the report goes back"), field="comment")
        report.status = "returned"
        report.reviewed_at = now
        report.review_comment = comment
        return report

    def latest_validated(self, indicator_id: str) -> ProgressReport | None:
        """The validated report of the latest reporting period (the newest one within it)."""
        reports = [
            r for r in self.progress if r.indicator_id == indicator_id and r.status == "validated"
        ]
        if not reports:
            return None
        return max(reports, key=lambda r: (r.reporting_period, r.reviewed_at or r.submitted_at))


def check_value(measure: Measure, value: Value | None, field: str) -> None:
    if value is None:
        return
    if measure == "qualitative":
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(_("a qualitative indicator takes a text"), field=field)
        return
    if isinstance(value, str):
        raise InvalidInput(_("this indicator takes a number"), field=field)
    if measure == "percentage" and not 0 <= value <= 100:
        raise InvalidInput(_("a percentage is between 0 and 100"), field=field)
    if measure == "number" and value < 0:
        raise InvalidInput(_("a count is not negative"), field=field)


def default_title(period: str) -> Localized:
    """The plan's name as the network writes it ("OIC-PESNET Action Plan 2021-2022")."""
    return said(_("OIC-PESNET Action Plan {period}"), period=period)


class PlanSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    period: str
    title: Localized
    status: PlanStatus
    meeting_id: str | None = None
    adopted_at: datetime | None = None
    closed_at: datetime | None = None
    thematic_areas: int = Field(ge=0)
    activities: int = Field(ge=0)
    indicators: int = Field(ge=0)
