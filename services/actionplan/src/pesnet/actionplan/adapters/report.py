"""The implementation report of a plan: HTML in ar/en/fr (Arabic right-to-left) with
an SVG chart of progress per thematic area, and the same figures as CSV. Institutions
are named as the reader's language names them (the reference's names), never by id.

The chart is drawn here as plain SVG (bars for the share of indicators on track and
of activities completed per area): light, no plotting library, and it stays text, so
an Arabic label is shaped by the browser like the rest of the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from html import escape

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pesnet.actionplan.domain.decisions import DecisionState
from pesnet.actionplan.domain.institutions import Names, label_of
from pesnet.actionplan.domain.labels import (
    ACTIVITY_STATUSES,
    ACTIVITY_TYPES,
    INDICATOR_STATES,
    PLAN_STATUSES,
    said,
)
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.domain.results import Indicator
from pesnet.actionplan.domain.rollup import Rollup, area_rollups, indicator_progress, plan_rollup
from pesnet.shared.i18n import Language, Localized, direction, format_local_date
from pesnet.shared.translation import N_

# the report's own words, from the service's catalog
_WORDS: dict[str, str] = {
    "report": N_("Implementation report"),
    "status": N_("Status"),
    "adopted": N_("Adopted at"),
    "draft_meeting": N_("Draft discussed at"),
    "summary": N_("Summary"),
    "chart": N_("Progress per thematic area"),
    "on_track": N_("Indicators on track"),
    "completed": N_("Activities completed"),
    "area": N_("Thematic area"),
    "activities": N_("Activities"),
    "indicators": N_("Indicators"),
    "activity": N_("Activity"),
    "type": N_("Type"),
    "lead": N_("Lead institutions"),
    "planned": N_("Planned dates"),
    "indicator": N_("Indicator"),
    "baseline": N_("Baseline"),
    "target": N_("Target"),
    "actual": N_("Actual"),
    "period": N_("Reporting period"),
    "none": N_("No data yet"),
    "no_areas": N_("No thematic areas are recorded for this plan yet."),
}
TEXT: dict[str, Localized] = {key: said(message) for key, message in _WORDS.items()}
# the section on the meetings' decisions and what happened to them
DECISION_TEXT: dict[str, Localized] = {
    "decisions": said(N_("What the meetings decided, and what happened")),
    "decision": said(N_("Decision")),
    "meeting_number": said(N_("Meeting")),
}

_env = Environment(
    loader=PackageLoader("pesnet.actionplan.adapters", "templates"),
    autoescape=select_autoescape(["html"]),
)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def progress_chart(plan: Plan, lang: str) -> str:
    """Horizontal bars, two per thematic area: indicators on track, activities completed."""
    rollups = area_rollups(plan)
    width, label_w, bar_w, row_h = 720, 260, 400, 54
    height = 50 + row_h * max(len(rollups), 1)
    rtl = direction(lang) == "rtl"
    anchor_label = "end"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13" '
        f'direction="{"rtl" if rtl else "ltr"}">',
        f"<title>{escape(TEXT['chart'].get(lang))}</title>",
    ]
    legend = [("#2e7d32", TEXT["on_track"].get(lang)), ("#1565c0", TEXT["completed"].get(lang))]
    for i, (color, text) in enumerate(legend):
        x = 10 + i * 260
        parts.append(f'<rect x="{x}" y="8" width="14" height="14" fill="{color}"/>')
        parts.append(f'<text x="{x + 20}" y="20" text-anchor="start">{escape(text)}</text>')
    for row, rollup in enumerate(rollups):
        y = 40 + row * row_h
        title = rollup.title.get(lang) if rollup.title else (rollup.thematic_area or "")
        parts.append(
            f'<text x="{label_w - 10}" y="{y + 22}" text-anchor="{anchor_label}">{escape(title)}</text>'
        )
        for j, (share, color) in enumerate(
            ((rollup.share_on_track, "#2e7d32"), (rollup.share_activities_completed, "#1565c0"))
        ):
            bar_y = y + 4 + j * 20
            length = round((share or 0) * bar_w)
            parts.append(
                f'<rect x="{label_w}" y="{bar_y}" width="{bar_w}" height="16" fill="#eeeeee"/>'
            )
            parts.append(
                f'<rect x="{label_w}" y="{bar_y}" width="{length}" height="16" fill="{color}"/>'
            )
            parts.append(
                f'<text x="{label_w + bar_w + 8}" y="{bar_y + 13}" text-anchor="start">{_pct(share)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _value(value: float | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _names(ids: list[str], names: Names, lang: str) -> str:
    return ", ".join(label_of(names, i, lang) for i in ids)


def _leads(plan: Plan, indicator: Indicator) -> list[str]:
    """Who leads what an indicator measures: its activity's lead institutions, or those
    of its thematic area's activities for an area-level indicator (in plan order)."""
    activities = [
        a
        for a in plan.activities
        if a.id == indicator.activity_id
        or (indicator.activity_id is None and a.thematic_area == indicator.thematic_area)
    ]
    return list(dict.fromkeys(i for a in activities for i in a.lead_institutions))


def _rows(plan: Plan, lang: str, names: Names) -> list[dict[str, str]]:
    """One row per indicator: the figures a report reader compares."""
    rows = []
    for indicator in plan.indicators:
        progress = indicator_progress(plan, indicator)
        activity = plan.activity(indicator.activity_id) if indicator.activity_id else None
        rows.append(
            {
                "area": plan.area(indicator.thematic_area).title.get(lang),
                "activity": activity.title.get(lang) if activity else "",
                "lead": _names(_leads(plan, indicator), names, lang),
                "indicator": indicator.title.get(lang),
                "baseline": _value(indicator.baseline),
                "period": progress.reporting_period or "",
                "target": _value(progress.target),
                "actual": _value(progress.actual_value),
                "status": INDICATOR_STATES[progress.state].get(lang),
            }
        )
    return rows


def _decision_rows(decisions: Sequence[DecisionState], lang: str) -> list[dict[str, object]]:
    """Per decision of a meeting, the activities of the plan that carry it out and their
    state."""
    return [
        {
            "meeting": s.meeting_number,
            "number": s.decision.number,
            "text": s.decision.text.get(lang),
            "activities": [
                {
                    "title": a.activity.title.get(lang) if a.activity else a.activity_id,
                    "status": ACTIVITY_STATUSES[a.activity.status].get(lang) if a.activity else "–",
                }
                for a in s.activities
            ],
        }
        for s in decisions
    ]


def render_html(
    plan: Plan,
    lang: str,
    meetings: Mapping[str, Localized] | None = None,
    names: Names | None = None,
    decisions: Sequence[DecisionState] = (),
) -> str:
    """The report page; `meetings` names the plan's meetings (else their ids are shown),
    `names` the institutions of the reference it names, `decisions` the meetings'
    decisions its activities carry out."""

    def meeting(meeting_id: str | None) -> str | None:
        if meeting_id is None:
            return None
        title = (meetings or {}).get(meeting_id)
        return title.get(lang) if title else meeting_id

    overall: Rollup = plan_rollup(plan)
    return _env.get_template("report.html").render(
        lang=lang,
        dir=direction(lang),
        text={key: value.get(lang) for key, value in (TEXT | DECISION_TEXT).items()},
        title=plan.title.get(lang),
        period=plan.period,
        status=PLAN_STATUSES[plan.status].get(lang),
        meeting=meeting(plan.meeting_id),
        draft_meeting=meeting(plan.draft_meeting_id),
        adopted_on=format_local_date(plan.adopted_at.date(), lang, "long")
        if plan.adopted_at
        else None,
        overall={
            "on_track": _pct(overall.share_on_track),
            "completed": _pct(overall.share_activities_completed),
            "activities": overall.activities,
            "indicators": overall.indicators,
        },
        chart=Markup(progress_chart(plan, lang)),  # noqa: S704 - built above with every text escaped
        areas=_area_rows(plan, lang),
        activities=_activity_rows(plan, lang, names or {}),
        rows=_rows(plan, lang, names or {}),
        decisions=_decision_rows(decisions, lang),
    )


def _activity_rows(plan: Plan, lang: str, names: Names) -> list[dict[str, str]]:
    return [
        {
            "title": a.title.get(lang),
            "type": ACTIVITY_TYPES[a.activity_type].get(lang),
            "area": plan.area(a.thematic_area).title.get(lang),
            "lead": _names(a.lead_institutions, names, lang),
            "planned": " – ".join(
                format_local_date(d, lang, "medium") for d in (a.planned_start, a.planned_end) if d
            ),
            "status": ACTIVITY_STATUSES[a.status].get(lang),
        }
        for a in plan.activities
    ]


def _area_rows(plan: Plan, lang: str) -> list[dict[str, object]]:
    return [
        {
            "title": r.title.get(lang) if r.title else "",
            "on_track": _pct(r.share_on_track),
            "completed": _pct(r.share_activities_completed),
            "activities": r.activities,
            "indicators": r.indicators,
        }
        for r in area_rollups(plan)
    ]


def render_csv(plan: Plan, lang: str, names: Names | None = None) -> str:
    """The indicator table as CSV (UTF-8 with a BOM so spreadsheet programs read Arabic),
    with the institutions that lead what each indicator measures."""
    out = io.StringIO()
    keys = [
        "area",
        "activity",
        "lead",
        "indicator",
        "baseline",
        "period",
        "target",
        "actual",
        "status",
    ]
    writer = csv.writer(out)
    writer.writerow([TEXT[k].get(lang) for k in keys])
    for row in _rows(plan, lang, names or {}):
        writer.writerow([row[k] for k in keys])
    return "\ufeff" + out.getvalue()


class JinjaReportRenderer:
    """The service's `ReportRenderer`."""

    def html(
        self,
        plan: Plan,
        lang: Language,
        meetings: Mapping[str, Localized],
        names: Names,
        decisions: Sequence[DecisionState] = (),
    ) -> str:
        return render_html(plan, lang, meetings, names, decisions)

    def csv(self, plan: Plan, lang: Language, names: Names) -> str:
        return render_csv(plan, lang, names)
