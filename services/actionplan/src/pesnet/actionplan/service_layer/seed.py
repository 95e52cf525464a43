"""`POST /dev/seed`: the network's two action plans as records, from the facts of the
4th meeting's programme (network history): the 2021-2022 plan adopted at the 3rd
meeting (2-3 June 2021), a record with a period, a status and its meetings; the
2024-2026 plan a draft discussed at the 4th, with the thematic areas its programme
names and illustrative activities, indicators and comments (`seed_draft.py`). Idempotent, through the
same use cases as real requests (the adoption event goes through the outbox)."""

from __future__ import annotations

from datetime import date

from pesnet.actionplan.domain.commands import AdoptPlan, CreatePlan
from pesnet.actionplan.domain.results import Target
from pesnet.actionplan.service_layer.activities import activity_payload
from pesnet.actionplan.service_layer.plans import adopt_plan, create_plan, require_plan
from pesnet.actionplan.service_layer.ports import Clock
from pesnet.actionplan.service_layer.seed_draft import (
    ACTIVITIES,
    AREAS,
    COMMENTS,
    ILLUSTRATIVE,
    INDICATORS,
)
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.envelope import utcnow
from pesnet.shared.events.actionplan import ActivityCreated, DraftCommented
from pesnet.shared.i18n import Localized

THIRD_MEETING = "pesnet-3"
FOURTH_MEETING = "pesnet-4"
# The 3rd meeting met on 2-3 June 2021 and adopted the plan; the sources give no
# day, so the record carries the meeting's closing day.
THIRD_MEETING_CLOSING_DAY = date(2021, 6, 3)


async def seed(uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow) -> dict[str, str]:
    """The changes made, by period (nothing the second time)."""
    done: dict[str, str] = {}
    existing = {p.period for p in await uow.plans.all()}
    if "2021-2022" not in existing:
        await create_plan(CreatePlan("2021-2022"), uow, clock=clock)
        done["2021-2022"] = "created"
    if (await require_plan(uow, "2021-2022")).status == "draft":
        adopt = AdoptPlan("2021-2022", THIRD_MEETING, THIRD_MEETING_CLOSING_DAY)
        await adopt_plan(adopt, uow, clock=clock)
        done["2021-2022"] = "adopted"
    if "2024-2026" not in existing:
        draft = CreatePlan("2024-2026", draft_meeting_id=FOURTH_MEETING)
        await create_plan(draft, uow, clock=clock)
        done["2024-2026"] = "created"
    if await _fill_draft(uow, clock=clock):
        done["2024-2026"] = "drafted"
    return done


async def _fill_draft(uow: ActionPlanUnitOfWork, *, clock: Clock) -> bool:
    """The draft's thematic areas, illustrative activities, indicators and comments
    (`seed_draft`), once, while it is an empty draft. Written through the aggregate in
    one unit of work with the events of each change (the lead institutions are the
    reference's ids, which registration announces after this seed runs)."""

    async def work(uow: ActionPlanUnitOfWork) -> bool:
        plan = await require_plan(uow, "2024-2026")
        if plan.status != "draft" or plan.thematic_areas:
            return False
        now = clock()
        for area in AREAS:
            plan.add_thematic_area(area["id"], Localized(**area["title"]))
        for item in ACTIVITIES:
            activity = plan.add_activity(
                activity_id=item["id"],
                thematic_area=item["thematic_area"],
                activity_type=item["activity_type"],
                title=Localized(**item["title"]),
                summary=Localized(**ILLUSTRATIVE),
                lead_institutions=item["lead_institutions"],
                participants=[],
                planned_start=date.fromisoformat(item["planned_start"]),
                planned_end=date.fromisoformat(item["planned_end"]),
                now=now,
            )
            uow.emit(activity_payload(plan, activity, ActivityCreated), subject=activity.id)
        for item in INDICATORS:
            plan.add_indicator(
                indicator_id=item["id"],
                title=Localized(**item["title"]),
                measure=item["measure"],
                ascending=True,
                activity_id=item["activity_id"],
                thematic_area=None,
                baseline=item["baseline"],
                baseline_year=2023,
                targets=[Target(reporting_period=p, value=v) for p, v in item["targets"]],
            )
        for item in COMMENTS:
            comment = plan.comment_on_draft(
                country=item["country"],
                institution=None,
                thematic_area=item.get("thematic_area"),
                activity_id=item.get("activity_id"),
                stance=item["stance"],
                text=item["text"],
                proposed_text=item.get("proposed_text"),
                needs=item.get("needs"),
                capacities=item.get("capacities"),
                now=now,
                illustrative=True,
            )
            uow.emit(
                DraftCommented(
                    period=plan.period,
                    comment_id=comment.id,
                    country=comment.country,
                    thematic_area=comment.thematic_area,
                    activity_id=comment.activity_id,
                    stance=comment.stance,
                    illustrative=True,
                ),
                subject=comment.id,
            )
        await uow.plans.save(plan)
        return True

    return await uow.run(work)
