"""JSON views of the aggregate for the HTTP API. Plans are public: progress reports
show the reporting institution, never the focal point's name or e-mail."""

from __future__ import annotations

from typing import Any

from pesnet.actionplan.domain.model import Plan
from pesnet.actionplan.domain.rollup import area_rollups, indicator_progress, plan_rollup
from pesnet.shared.i18n import Localized


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


def plan_detail(plan: Plan, meetings: dict[str, Localized] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = plan.model_dump(mode="json", exclude={"progress"})
    # the meetings' titles, once the agenda has announced them
    view["meetings"] = {mid: title.model_dump() for mid, title in (meetings or {}).items()}
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
