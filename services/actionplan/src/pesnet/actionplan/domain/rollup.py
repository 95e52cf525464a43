"""Roll-up of a plan's progress, per thematic area and for the whole plan.

An indicator's state comes from its latest validated report (submitted or returned
reports do not count until the secretariat validates them):
- `on_track`: the actual value meets that reporting period's target (at least the
  target for an ascending indicator, at most for a descending one);
- `off_track`: it does not;
- `no_data`: nothing validated yet, although the indicator has targets;
- `no_target`: a quantitative value for a period without a target, or an indicator
  without targets: nothing to judge it against;
- `reported`: a qualitative indicator with a validated narrative.

The share on track is on_track / (indicators with targets): an indicator with
targets but no validated data counts as not on track, so silence does not look
like success. Cancelled activities are left out of the completion share.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.domain.results import Indicator
from pesnet.shared.i18n import Localized

IndicatorState = Literal["on_track", "off_track", "no_data", "no_target", "reported"]


class IndicatorProgress(BaseModel):
    model_config = ConfigDict(frozen=True)

    indicator_id: str
    state: IndicatorState
    reporting_period: str | None = None
    actual_value: float | str | None = None
    target: float | None = None


class Rollup(BaseModel):
    model_config = ConfigDict(frozen=True)

    thematic_area: str | None = None
    title: Localized | None = None
    indicators: int
    indicators_with_targets: int
    on_track: int
    off_track: int
    no_data: int
    share_on_track: float | None
    activities: int
    activities_completed: int
    activities_cancelled: int
    share_activities_completed: float | None


def indicator_progress(plan: Plan, indicator: Indicator) -> IndicatorProgress:
    latest = plan.latest_validated(indicator.id)
    has_targets = bool(indicator.targets)
    if latest is None:
        state: IndicatorState = "no_data" if has_targets else "no_target"
        return IndicatorProgress(indicator_id=indicator.id, state=state)
    if indicator.measure == "qualitative" or isinstance(latest.actual_value, str):
        return IndicatorProgress(
            indicator_id=indicator.id,
            state="reported",
            reporting_period=latest.reporting_period,
            actual_value=latest.actual_value,
        )
    target = indicator.target_for(latest.reporting_period)
    if target is None:
        state = "no_target"
    elif indicator.ascending:
        state = "on_track" if latest.actual_value >= target else "off_track"
    else:
        state = "on_track" if latest.actual_value <= target else "off_track"
    return IndicatorProgress(
        indicator_id=indicator.id,
        state=state,
        reporting_period=latest.reporting_period,
        actual_value=latest.actual_value,
        target=target,
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _rollup(plan: Plan, area_id: str | None) -> Rollup:
    indicators = [i for i in plan.indicators if area_id is None or i.thematic_area == area_id]
    activities = [a for a in plan.activities if area_id is None or a.thematic_area == area_id]
    states = [indicator_progress(plan, i) for i in indicators]
    with_targets = sum(1 for i in indicators if i.targets and i.measure != "qualitative")
    on_track = sum(1 for s in states if s.state == "on_track")
    completed = sum(1 for a in activities if a.status == "completed")
    cancelled = sum(1 for a in activities if a.status == "cancelled")
    title = None
    if area_id is not None:
        title = plan.area(area_id).title
    return Rollup(
        thematic_area=area_id,
        title=title,
        indicators=len(indicators),
        indicators_with_targets=with_targets,
        on_track=on_track,
        off_track=sum(1 for s in states if s.state == "off_track"),
        no_data=sum(1 for s in states if s.state == "no_data"),
        share_on_track=_share(on_track, with_targets),
        activities=len(activities),
        activities_completed=completed,
        activities_cancelled=cancelled,
        share_activities_completed=_share(completed, len(activities) - cancelled),
    )


def plan_rollup(plan: Plan) -> Rollup:
    return _rollup(plan, None)


def area_rollups(plan: Plan) -> list[Rollup]:
    return [_rollup(plan, area.id) for area in plan.thematic_areas]


class CountryRollup(BaseModel):
    """What one member state's institutions carry in a plan: the activities they lead,
    completed among them, and their progress reports by review state."""

    model_config = ConfigDict(frozen=True)

    country: str
    activities: int
    activities_completed: int
    reports_submitted: int
    reports_validated: int
    reports_returned: int


def country_rollups(plan: Plan, country_of: Mapping[str, str | None]) -> list[CountryRollup]:
    """Per member state (by its institutions' country in the reference; an institution
    the reference does not place counts under "")."""
    activities: dict[str, list[str]] = {}
    for activity in plan.activities:
        for country in {country_of.get(i) or "" for i in activity.lead_institutions}:
            activities.setdefault(country, []).append(activity.status)
    reports: dict[str, list[str]] = {}
    for report in plan.progress:
        reports.setdefault(country_of.get(report.institution) or "", []).append(report.status)
    return [
        CountryRollup(
            country=country,
            activities=len(activities.get(country, [])),
            activities_completed=activities.get(country, []).count("completed"),
            reports_submitted=reports.get(country, []).count("submitted"),
            reports_validated=reports.get(country, []).count("validated"),
            reports_returned=reports.get(country, []).count("returned"),
        )
        for country in sorted(set(activities) | set(reports))
    ]
