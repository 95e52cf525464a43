"""The meetings' decisions and what happened to them: the projection of the agenda's
published communiqués (`CommuniquePublished`), the secretariat's links from a decision to
the plan activities that carry it out, and, per decision, the state of those activities
(for the decision list and for the plan's implementation report)."""

from __future__ import annotations

from pesnet.actionplan.domain.activities import Activity
from pesnet.actionplan.domain.decisions import (
    DecisionActivity,
    DecisionState,
    LinkDecision,
    MeetingOutcome,
    RecordCommunique,
    UnlinkDecision,
)
from pesnet.actionplan.domain.periods import parse_period
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.errors import NotFound
from pesnet.shared.events.actionplan import DecisionActivityLinked, DecisionActivityUnlinked
from pesnet.shared.translation import _


async def record_communique(cmd: RecordCommunique, uow: ActionPlanUnitOfWork) -> None:
    """Keep the newest publication of a meeting's communiqué, and the links of the
    paragraphs it still has."""

    async def work(uow: ActionPlanUnitOfWork) -> None:
        known = await uow.outcomes.get(cmd.outcome.meeting_id)
        await uow.outcomes.save(known.republished(cmd.outcome) if known else cmd.outcome)

    await uow.run(work)


async def require_plan(uow: ActionPlanUnitOfWork, period: str) -> Plan:
    parse_period(period)
    plan = await uow.plans.get(period)
    if plan is None:
        raise NotFound(_("no plan for {period}"), field="period", params={"period": period})
    return plan


async def _outcome(uow: ActionPlanUnitOfWork, meeting_id: str) -> MeetingOutcome:
    outcome = await uow.outcomes.get(meeting_id)
    if outcome is None:
        raise NotFound(
            _("no published communiqué of meeting {meeting} is known here"),
            field="meeting_id",
            params={"meeting": meeting_id},
        )
    return outcome


async def link_decision(cmd: LinkDecision, uow: ActionPlanUnitOfWork) -> MeetingOutcome:
    """Link a decision to an activity of a plan (both must exist)."""

    async def work(uow: ActionPlanUnitOfWork) -> MeetingOutcome:
        outcome = await _outcome(uow, cmd.meeting_id)
        plan = await require_plan(uow, cmd.activity.period)
        plan.activity(cmd.activity.activity_id, field="activity_id")
        linked = outcome.link(cmd.paragraph_id, cmd.activity)
        await uow.outcomes.save(linked)
        uow.emit(
            DecisionActivityLinked(
                meeting_id=cmd.meeting_id,
                paragraph_id=cmd.paragraph_id,
                period=cmd.activity.period,
                activity_id=cmd.activity.activity_id,
            ),
            subject=cmd.meeting_id,
        )
        return linked

    return await uow.run(work)


async def unlink_decision(cmd: UnlinkDecision, uow: ActionPlanUnitOfWork) -> MeetingOutcome:
    async def work(uow: ActionPlanUnitOfWork) -> MeetingOutcome:
        outcome = (await _outcome(uow, cmd.meeting_id)).unlink(cmd.paragraph_id, cmd.activity)
        await uow.outcomes.save(outcome)
        uow.emit(
            DecisionActivityUnlinked(
                meeting_id=cmd.meeting_id,
                paragraph_id=cmd.paragraph_id,
                period=cmd.activity.period,
                activity_id=cmd.activity.activity_id,
            ),
            subject=cmd.meeting_id,
        )
        return outcome

    return await uow.run(work)


# -- queries -------------------------------------------------------------------------------


def _states(outcome: MeetingOutcome, plans: dict[str, Plan | None]) -> list[DecisionState]:
    def found(period: str, activity_id: str) -> Activity | None:
        plan = plans.get(period)
        return next((a for a in plan.activities if a.id == activity_id), None) if plan else None

    return [
        DecisionState(
            meeting_id=outcome.meeting_id,
            meeting_number=outcome.meeting_number,
            decision=d,
            activities=[
                DecisionActivity(a.period, a.activity_id, found(a.period, a.activity_id))
                for a in d.activities
            ],
        )
        for d in outcome.decisions
    ]


async def meeting_decisions(meeting_id: str, uow: ActionPlanUnitOfWork) -> list[DecisionState]:
    """Every decision and recommendation of the meeting, with its activities' states."""
    outcome = await _outcome(uow, meeting_id)
    periods = {a.period for d in outcome.decisions for a in d.activities}
    plans = {period: await uow.plans.get(period) for period in periods}
    return _states(outcome, plans)


async def plan_decisions(period: str, uow: ActionPlanUnitOfWork) -> list[DecisionState]:
    """The meetings' decisions that activities of the plan carry out, by meeting."""
    plan = await require_plan(uow, period)
    found: list[DecisionState] = []
    for outcome in await uow.outcomes.all():
        for state in _states(outcome, {period: plan}):
            if any(a.period == period for a in state.activities):
                mine = [a for a in state.activities if a.period == period]
                found.append(
                    DecisionState(state.meeting_id, state.meeting_number, state.decision, mine)
                )
    return found
