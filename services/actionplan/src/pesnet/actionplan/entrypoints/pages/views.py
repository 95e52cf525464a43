"""What the pages show, gathered from the use cases' queries: a focal point's plan (its
institution's activities, indicators with targets, reports, needs and offers,
proposals, and the consultation of a draft) and the secretariat's (reports to review,
the roll-up per thematic area and per member state, the consultation grouped by area
and by country)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from pesnet.actionplan.domain.commands import ListProposals
from pesnet.actionplan.domain.evidence import EVIDENCE_TYPES, MAX_EVIDENCE_BYTES
from pesnet.actionplan.domain.labels import (
    ACTIVITY_STATUSES,
    ACTIVITY_TYPES,
    INDICATOR_STATES,
    OUTCOMES,
    PLAN_STATUSES,
    PRIORITIES,
    REPORT_STATUSES,
    STANCES,
)
from pesnet.actionplan.domain.periods import reporting_periods
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.domain.rollup import (
    area_rollups,
    country_rollups,
    indicator_progress,
    plan_rollup,
)
from pesnet.actionplan.entrypoints.dependencies import UoW
from pesnet.actionplan.service_layer import cooperation, institutions, plans
from pesnet.shared.credentials import Actor
from pesnet.shared.institutions import label_of
from pesnet.shared.problems import request_language
from pesnet.shared.reference import member_states
from pesnet.shared.staff_pages import MeetingChoice, picked_meeting


def vocabularies(language: str) -> dict[str, Any]:
    """The words of the plan's vocabularies in the reader's language, by value."""

    def said(table: dict[str, Any]) -> dict[str, str]:
        return {k: v.get(language) for k, v in table.items()}

    return {
        "plan_statuses": said(PLAN_STATUSES),
        "report_statuses": said(REPORT_STATUSES),
        "activity_statuses": said(ACTIVITY_STATUSES),
        "activity_types": said(ACTIVITY_TYPES),
        "indicator_states": said(INDICATOR_STATES),
        "stances": said(STANCES),
        "outcomes": said(OUTCOMES),
        "priorities": said(PRIORITIES),
    }


def country_name(iso3: str | None, language: str) -> str:
    state = member_states().get(iso3 or "")
    return state.name.get(language) if state is not None else (iso3 or "")


async def _plan_context(request: Request, uow: UoW, plan: Plan | None) -> dict[str, Any]:
    language = request_language(request).value
    all_plans = await plans.list_plans(uow)
    context: dict[str, Any] = {
        "plan": plan,
        "plans": all_plans,
        "country_name": lambda iso3: country_name(iso3, language),
        **vocabularies(language),
    }
    if plan is None:
        return context
    details = await plans.plan_details(plan.period, uow)
    names = details.institutions
    context.update(
        {
            "institution_label": lambda iid: label_of(names, iid, language) if iid else "",
            "progress_of": {i.id: indicator_progress(plan, i) for i in plan.indicators},
            "indicators_by_id": {i.id: i for i in plan.indicators},
            "areas_by_id": {a.id: a for a in plan.thematic_areas},
            "activities_by_id": {a.id: a for a in plan.activities},
            "reporting_periods": reporting_periods(plan.period),
        }
    )
    return context


async def focal_point_context(
    request: Request, uow: UoW, actor: Actor, plan: Plan | None
) -> dict[str, Any]:
    context = await _plan_context(request, uow, plan)
    institution = actor.institution
    mine = await institutions.list_institutions(uow)
    own = next((i for i in mine if i.id == institution), None)
    language = request_language(request).value
    context.update(
        {
            "actor": actor,
            "institution": institution,
            "institution_name": own.label(language) if own else (institution or ""),
            "evidence_types": ", ".join(sorted(EVIDENCE_TYPES)),
            "evidence_accept": ",".join(f".{e}" for e in sorted(EVIDENCE_TYPES)),
            "evidence_max_kb": MAX_EVIDENCE_BYTES // 1024,
        }
    )
    if plan is None or institution is None:
        return context
    indicators = [i for i in plan.indicators if institution in plan.reporting_institutions(i)]
    context.update(
        {
            "activities": [a for a in plan.activities if institution in a.lead_institutions],
            "indicators": indicators,
            "indicator_options": [(i.id, i.title.get(language)) for i in indicators],
            "period_options": [(p, p) for p in reporting_periods(plan.period)],
            "reports": [r for r in reversed(plan.progress) if r.institution == institution],
            "needs": [
                n for n in (await cooperation.list_needs(plan.period, uow)).found
                if n.institution == institution
            ],
            "offers": [
                o for o in (await cooperation.list_offers(plan.period, uow)).found
                if o.institution == institution
            ],
            "proposals": (
                await cooperation.list_proposals(ListProposals(actor, plan.period), uow)
            ).found,
            "comments": [c for c in plan.consultation if c.country == actor.country],
        }
    )  # fmt: skip
    return context


async def delegation_context(
    request: Request, uow: UoW, actor: Actor, plan: Plan | None
) -> dict[str, Any]:
    """A head of delegation's draft: its areas and activities, their country's comments."""
    context = await _plan_context(request, uow, plan)
    context["actor"] = actor
    context["comments"] = (
        [c for c in plan.consultation if c.country == actor.country] if plan else []
    )
    return context


async def secretariat_context(request: Request, uow: UoW, plan: Plan) -> dict[str, Any]:
    context = await _plan_context(request, uow, plan)
    known = await institutions.list_institutions(uow)
    country_of = {i.id: i.country for i in known}
    by_area: dict[str, list[Any]] = {}
    by_country: dict[str, list[Any]] = {}
    for comment in plan.consultation:
        by_area.setdefault(comment.thematic_area or "", []).append(comment)
        by_country.setdefault(comment.country, []).append(comment)
    context.update(
        {
            "awaiting": [r for r in plan.progress if r.status == "submitted"],
            "reviewed": [r for r in reversed(plan.progress) if r.status != "submitted"],
            "plan_rollup": plan_rollup(plan),
            "area_rollups": area_rollups(plan),
            "country_rollups": country_rollups(plan, country_of),
            "comments_by_area": by_area,
            "comments_by_country": by_country,
            "unanswered": sum(1 for c in plan.consultation if c.answer is None),
        }
    )
    return context


async def meeting_picker(request: Request, uow: UoW, default: str | None = None) -> dict[str, Any]:
    """The staff pages' meeting picker (the kernel's `_meeting_picker.html`): the meetings
    the agenda announced, by their names in the reader's language, the picked one kept in
    the page's links (`meeting=`); `default` is picked when the address picks none."""
    language = request_language(request).value
    known = await plans.known_meetings(uow)
    current = picked_meeting(request) or default
    options = [MeetingChoice(m.meeting_id, m.title.get(language)) for m in known]
    if current and current not in {m.id for m in options}:
        # a plan's meeting the agenda has not announced here (yet): by its id
        options.append(MeetingChoice(current, current))
    query = {"lang": language, **({"meeting": current} if current else {})}
    return {
        "picker": {"meetings": options, "current": current},
        "meeting_options": [(m.id, m.label) for m in options],
        "lang_query": urlencode(query),
    }
