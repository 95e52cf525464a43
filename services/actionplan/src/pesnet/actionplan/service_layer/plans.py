"""Plans: drafting, thematic areas, adoption at a meeting, closing; reading a plan with
the titles of its meetings, its implementation report, and the agenda's meetings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pesnet.actionplan.domain.commands import (
    AddThematicArea,
    AdoptPlan,
    ClosePlan,
    CreatePlan,
    RecordMeeting,
    RenderReport,
)
from pesnet.actionplan.domain.consultation import outcome_counts
from pesnet.actionplan.domain.institutions import Names
from pesnet.actionplan.domain.meetings import Meeting
from pesnet.actionplan.domain.periods import parse_period
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.service_layer.decisions import plan_decisions
from pesnet.actionplan.service_layer.institutions import institutions_of, names_of
from pesnet.actionplan.service_layer.ports import Clock, ReportRenderer
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict, NotFound
from pesnet.shared.events.actionplan import (
    PlanAdopted,
    PlanClosed,
    PlanCreated,
    ThematicAreaAdded,
    ThematicAreaRef,
)
from pesnet.shared.i18n import Localized
from pesnet.shared.translation import _


async def require_plan(uow: ActionPlanUnitOfWork, period: str) -> Plan:
    """The plan of `period`: a malformed period is a 422 on `period`, an unknown one a 404."""
    parse_period(period)
    plan = await uow.plans.get(period)
    if plan is None:
        raise NotFound(_("no plan for {period}"), params={"period": period})
    return plan


# -- commands ---------------------------------------------------------------------------------


async def create_plan(cmd: CreatePlan, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow) -> Plan:
    plan = Plan.draft(
        cmd.period, title=cmd.title, now=clock(), draft_meeting_id=cmd.draft_meeting_id
    )
    for area_id, area_title in cmd.thematic_areas:
        plan.add_thematic_area(area_id, area_title)

    async def work(uow: ActionPlanUnitOfWork) -> Plan:
        if await uow.plans.get(cmd.period) is not None:
            raise Conflict(
                _("a plan for {period} exists already"),
                field="period",
                params={"period": cmd.period},
            )
        await uow.plans.add(plan)
        uow.emit(PlanCreated(period=plan.period), subject=plan.period)
        return plan

    return await uow.run(work)


async def add_thematic_area(cmd: AddThematicArea, uow: ActionPlanUnitOfWork) -> Plan:
    async def work(uow: ActionPlanUnitOfWork) -> Plan:
        plan = await require_plan(uow, cmd.period)
        plan.add_thematic_area(cmd.area_id, cmd.title)
        await uow.plans.save(plan)
        uow.emit(
            ThematicAreaAdded(period=plan.period, area_id=cmd.area_id),
            subject=f"thematic-area/{cmd.area_id}",
        )
        return plan

    return await uow.run(work)


async def adopt_plan(cmd: AdoptPlan, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow) -> Plan:
    async def work(uow: ActionPlanUnitOfWork) -> Plan:
        plan = await require_plan(uow, cmd.period)
        at = clock()
        if cmd.adopted_on is not None:
            day = cmd.adopted_on
            at = datetime(day.year, day.month, day.day, tzinfo=at.tzinfo)
        plan.adopt(cmd.meeting_id, at=at)
        await uow.plans.save(plan)
        uow.emit(
            PlanAdopted(
                period=plan.period,
                meeting_id=plan.meeting_id,
                adopted_at=at,
                thematic_areas=[
                    ThematicAreaRef(id=a.id, title=a.title) for a in plan.thematic_areas
                ],
                consultation=outcome_counts(plan.consultation),
            ),
            subject=plan.period,
        )
        return plan

    return await uow.run(work)


async def close_plan(cmd: ClosePlan, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow) -> Plan:
    async def work(uow: ActionPlanUnitOfWork) -> Plan:
        plan = await require_plan(uow, cmd.period)
        at = clock()
        plan.close(at=at)
        await uow.plans.save(plan)
        uow.emit(PlanClosed(period=plan.period, closed_at=at), subject=plan.period)
        return plan

    return await uow.run(work)


async def record_meeting(cmd: RecordMeeting, uow: ActionPlanUnitOfWork) -> None:
    """The agenda's announcement carries the whole meeting: keep the latest."""
    meeting = Meeting(
        meeting_id=cmd.meeting_id,
        number=cmd.number,
        title=cmd.title,
        city=cmd.city,
        start_date=cmd.start_date,
        end_date=cmd.end_date,
        timezone=cmd.timezone,
    )

    async def work(uow: ActionPlanUnitOfWork) -> None:
        await uow.meetings.save(meeting)

    await uow.run(work)


# -- queries (read without a transaction) -----------------------------------------------------


@dataclass(frozen=True)
class PlanDetails:
    plan: Plan
    # titles of the plan's meetings that the agenda has announced
    meeting_titles: dict[str, Localized]
    # the institutions the plan names, from the reference
    institutions: Names


async def known_meetings(uow: ActionPlanUnitOfWork) -> list[Meeting]:
    """The meetings the agenda announced, newest first (what the staff pick from)."""
    return await uow.meetings.all()


async def list_plans(uow: ActionPlanUnitOfWork) -> list[Plan]:
    return await uow.plans.all()


async def meeting_titles(uow: ActionPlanUnitOfWork, plan: Plan) -> dict[str, Localized]:
    ids = [m for m in (plan.meeting_id, plan.draft_meeting_id) if m]
    return {mid: m.title for mid, m in (await uow.meetings.get_many(ids)).items()}


async def plan_details(period: str, uow: ActionPlanUnitOfWork) -> PlanDetails:
    plan = await require_plan(uow, period)
    names = await names_of(uow, institutions_of(plan))
    return PlanDetails(plan, await meeting_titles(uow, plan), names)


async def render_report(
    query: RenderReport, uow: ActionPlanUnitOfWork, renderer: ReportRenderer
) -> str:
    """The report in the reader's language, institutions by their names."""
    plan = await require_plan(uow, query.period)
    names = await names_of(uow, institutions_of(plan))
    if query.format == "csv":
        return renderer.csv(plan, query.lang, names)
    # what the meetings decided that the plan's activities carry out
    decided = await plan_decisions(query.period, uow)
    return renderer.html(plan, query.lang, await meeting_titles(uow, plan), names, decided)
