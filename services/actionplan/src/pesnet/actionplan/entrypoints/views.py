"""JSON views of the aggregate for the HTTP API. Plans are public: progress reports
show the reporting institution, never the focal point's name or e-mail. Institutions
keep their ids (`lead_institutions`, `institution`) and are named beside them: a plan
carries `institutions` (each one's names in ar/en/fr), a list answered in one language
an `institution_name` per item."""

from __future__ import annotations

from typing import Any

from pesnet.actionplan.domain.cooperation import Proposal
from pesnet.actionplan.domain.focal_points import FocalPoint
from pesnet.actionplan.domain.institutions import Institution, Names, label_of
from pesnet.actionplan.domain.matching import Need, Offer
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.domain.rollup import area_rollups, indicator_progress, plan_rollup
from pesnet.shared.i18n import Language, Localized


def plan_summary(plan: Plan) -> dict[str, Any]:
    return {
        "period": plan.period,
        "title": plan.title.model_dump(),
        "status": plan.status,
        "meeting_id": plan.meeting_id,
        "adopted_at": plan.adopted_at.isoformat() if plan.adopted_at else None,
        "closed_at": plan.closed_at.isoformat() if plan.closed_at else None,
        "thematic_areas": len(plan.thematic_areas),
        "activities": len(plan.activities),
        "indicators": len(plan.indicators),
        "rollup": plan_rollup(plan).model_dump(mode="json"),
    }


def institution_view(institution: Institution, language: Language) -> dict[str, Any]:
    return {
        "id": institution.id,
        "name": institution.name.model_dump(),
        "acronym": institution.acronym,
        "country": institution.country,
        "label": institution.label(language),
    }


def plan_detail(
    plan: Plan, meetings: dict[str, Localized] | None = None, names: Names | None = None
) -> dict[str, Any]:
    view: dict[str, Any] = plan.model_dump(mode="json", exclude={"progress"})
    # the meetings' titles, once the agenda has announced them
    view["meetings"] = {mid: title.model_dump() for mid, title in (meetings or {}).items()}
    # the institutions the plan names, from the reference: names in ar/en/fr
    view["institutions"] = {
        iid: {
            "name": found.name.model_dump(),
            "label": found.labels.model_dump(),
            "acronym": found.acronym,
            "country": found.country,
        }
        for iid, found in (names or {}).items()
    }
    view["progress"] = [
        report.model_dump(mode="json", exclude={"reporter"}) for report in plan.progress
    ]
    for indicator in view["indicators"]:
        indicator["progress"] = indicator_progress(
            plan, plan.indicator(indicator["id"])
        ).model_dump(mode="json", exclude={"indicator_id"})
    view["rollup"] = {
        "plan": plan_rollup(plan).model_dump(mode="json"),
        "thematic_areas": [r.model_dump(mode="json") for r in area_rollups(plan)],
    }
    return view


def named(item: Need | Offer, names: Names, language: Language) -> dict[str, Any]:
    """A need or an offer, with its institution's name in `language`."""
    view: dict[str, Any] = item.model_dump(mode="json")
    view["institution_name"] = label_of(names, item.institution, language)
    return view


def proposal_view(
    proposal: Proposal, names: Names | None = None, language: Language = Language.en
) -> dict[str, Any]:
    """A proposal; with `names`, each party's institution named in `language`."""
    view: dict[str, Any] = proposal.model_dump(mode="json")
    if names is not None:
        for party in view["parties"]:
            party["institution_name"] = label_of(names, party["institution"], language)
    return view


def focal_point_view(focal_point: FocalPoint, names: Names, language: Language) -> dict[str, Any]:
    """A focal point for the secretariat (personal data; never the token or its digest)."""
    institution = focal_point.institution
    return {
        "id": focal_point.id,
        "institution": institution,
        "institution_name": label_of(names, institution, language) if institution else None,
        "country": focal_point.country,
        "name": focal_point.name,
        "email": focal_point.email,
        "language": focal_point.language.value,
        "source": focal_point.source,
        "active": focal_point.active,
    }
