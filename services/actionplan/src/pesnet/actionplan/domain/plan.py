"""The action plan aggregate: a plan with its thematic areas, activities
(`activities.py`), results framework and progress reports (`results.py`). Pure: no I/O;
every rule raises a domain error that names the offending field.

One plan is one aggregate (and one document): a plan has a handful of thematic
areas, a few dozen activities and indicators, and some progress reports per
reporting year, far from any size limit, and keeping them together makes every
rule (a target inside the plan's years, a report on a closed plan) a local check.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from pesnet.actionplan.domain.activities import (
    Activity,
    ActivityStatus,
    ActivityType,
    Participation,
    StatusChange,
    new_activity,
)
from pesnet.actionplan.domain.consultation import (
    DraftComment,
    Outcome,
    RecordedChange,
    Stance,
    find_comment,
    new_comment,
    record_of,
    require_answered,
)
from pesnet.actionplan.domain.entity import Entity, new_id, require_complete
from pesnet.actionplan.domain.evidence import Evidence
from pesnet.actionplan.domain.labels import PLAN_STATUSES, said
from pesnet.actionplan.domain.periods import parse_period
from pesnet.actionplan.domain.results import (
    Indicator,
    Measure,
    ProgressReport,
    Target,
    Value,
    check_reporting_period,
    check_targets,
    check_value,
    returned_report,
)
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from pesnet.shared.events.common import Contact, MeetingId
from pesnet.shared.i18n import Localized
from pesnet.shared.terms import NETWORK_NAME
from pesnet.shared.translation import _

PlanStatus = Literal["draft", "adopted", "closed"]


class ThematicArea(Entity):
    id: str
    title: Localized


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
    # the consultation on the draft, and what the adoption kept of it
    consultation: list[DraftComment] = []
    adoption_record: list[RecordedChange] = []

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
        require_answered(self.consultation)
        self.adoption_record = record_of(self.consultation)
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
        activity = new_activity(
            activity_id or new_id("act"),
            period=self.period,
            thematic_area=thematic_area,
            activity_type=activity_type,
            title=title,
            summary=summary,
            lead_institutions=lead_institutions,
            participants=participants,
            planned_start=planned_start,
            planned_end=planned_end,
            now=now,
        )
        if any(a.id == activity.id for a in self.activities):
            raise Conflict(
                _("the plan already has an activity {id}"),
                field="activity_id",
                params={"id": activity.id},
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
        activity.move_to(
            status,
            period=self.period,
            now=now,
            note=note,
            actual=(actual_start, actual_end),
            planned=(planned_start, planned_end),
        )
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
        area = self._measured_area(activity_id, thematic_area)
        check_value(measure, baseline, "baseline")
        check_targets(self.period, measure, targets)
        indicator = Indicator(
            id=indicator_id or new_id("ind"),
            title=title,
            thematic_area=area,
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

    def _measured_area(self, activity_id: str | None, thematic_area: str | None) -> str:
        """The thematic area an indicator measures: its activity's, or the one given."""
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
        return self.area(thematic_area).id

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
        evidence: Evidence | None = None,
        resubmits: str | None = None,
    ) -> ProgressReport:
        self._require_reporting()
        indicator = self.indicator(indicator_id, field="indicator_id")
        returned = returned_report(self.progress, resubmits, indicator_id, institution)
        if returned is not None and returned.evidence is not None and returned.evidence.file:
            # a resubmission without a new file keeps the file of the report it answers
            evidence = evidence or Evidence()
            evidence.file = evidence.file or returned.evidence.file
        if institution not in self.reporting_institutions(indicator):
            raise Forbidden(
                _(
                    "{institution} does not lead the activity this indicator measures; its "
                    "lead institution's focal point reports on it"
                ),
                params={"institution": institution},
            )
        check_reporting_period(self.period, reporting_period, "reporting_period")
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
            evidence=evidence if evidence is not None and not evidence.empty else None,
            resubmits=resubmits,
        )
        if returned is not None:
            returned.resubmitted_as = report.id
        self.progress.append(report)
        return report

    # -- the consultation on the draft -------------------------------------------------------

    def comment_on_draft(
        self,
        *,
        country: str,
        institution: str | None,
        thematic_area: str | None,
        activity_id: str | None,
        stance: Stance,
        text: str,
        proposed_text: str | None = None,
        needs: str | None = None,
        capacities: str | None = None,
        now: datetime,
        illustrative: bool = False,
    ) -> DraftComment:
        if self.status != "draft":
            raise Conflict(
                _("the {period} plan is {status}: comments are taken while it is a draft"),
                params={"period": self.period, "status": PLAN_STATUSES[self.status]},
            )
        if activity_id is not None:
            activity = self.activity(activity_id, field="activity_id")
            thematic_area = thematic_area or activity.thematic_area
        if thematic_area is not None:
            self.area(thematic_area)
        comment = new_comment(
            country=country,
            institution=institution,
            thematic_area=thematic_area,
            activity_id=activity_id,
            stance=stance,
            text=text,
            proposed_text=proposed_text,
            needs=needs,
            capacities=capacities,
            now=now,
            illustrative=illustrative,
        )
        self.consultation.append(comment)
        return comment

    def answer_comment(
        self, comment_id: str, outcome: Outcome, reason: str, *, now: datetime
    ) -> DraftComment:
        if self.status != "draft":
            raise Conflict(
                _("the {period} plan is {status}: its consultation is closed"),
                params={"period": self.period, "status": PLAN_STATUSES[self.status]},
            )
        comment = find_comment(self.consultation, comment_id)
        comment.answer_with(outcome, reason, now=now)
        return comment

    def _require_reporting(self) -> None:
        """Progress is reported on an adopted plan only."""
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
        report.mark_validated(now=now)
        return report

    def return_report(self, report_id: str, comment: str, *, now: datetime) -> ProgressReport:
        self._require_open()
        report = self.report(report_id)
        report.return_for_revision(comment, now=now)
        return report

    def latest_validated(self, indicator_id: str) -> ProgressReport | None:
        """The validated report of the latest reporting period (the newest one within it)."""
        reports = [
            r for r in self.progress if r.indicator_id == indicator_id and r.status == "validated"
        ]
        if not reports:
            return None
        return max(reports, key=lambda r: (r.reporting_period, r.reviewed_at or r.submitted_at))


def default_title(period: str) -> Localized:
    """The plan's name ("Action Plan 2021-2022 of the ..."), the network named by the
    kernel's term."""
    return said(_("Action Plan {period} of the {network}"), period=period, network=NETWORK_NAME)


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
