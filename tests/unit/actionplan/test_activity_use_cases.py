"""Activities, indicators and progress through their use cases, on the in-memory unit
of work: who may do what, what is announced, and that refused work changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from pesnet.actionplan.domain.activities import ActivityStatus
from pesnet.actionplan.domain.commands import (
    AddActivity,
    AddIndicator,
    ChangeActivityStatus,
    ClosePlan,
    ReportProgress,
    ReturnProgress,
    RevokeFocalPoint,
    ValidateProgress,
)
from pesnet.actionplan.service_layer import activities, focal_points, plans
from pesnet.shared.credentials import SECRETARIAT, Actor, StaffRole, account_actor
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput
from pesnet.shared.events.actionplan import (
    ActivityCreated,
    ActivityUpdated,
    ProgressReviewed,
    ProgressValidated,
)
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork
from tests.unit.actionplan.scenario import NOW, PERIOD, adopted_plan, clock, focal_point, text


async def test_an_added_activity_is_announced_with_its_participants() -> None:
    uow = FakeActionPlanUnitOfWork()
    activity_id, _ = await adopted_plan(uow)
    [created] = uow.events(ActivityCreated)
    assert isinstance(created, ActivityCreated)
    assert (created.activity_id, created.period, created.status) == (activity_id, PERIOD, "planned")
    assert created.lead_institutions == ["anapec"]
    assert [(p.institution, p.role) for p in created.participants] == [("iskur", "host")]


async def test_an_activity_outside_the_plan_years_is_refused_and_not_stored() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    command = AddActivity(
        period=PERIOD,
        thematic_area="digital",
        activity_type="webinar",
        title=text("Webinar"),
        lead_institutions=["anapec"],
        planned_start=date(2027, 1, 10),
    )
    with pytest.raises(InvalidInput) as refused:
        await activities.add_activity(command, uow, clock=clock)
    assert refused.value.field == "planned_start"
    plan = await uow.plans.get(PERIOD)
    assert plan is not None
    assert len(plan.activities) == 1
    assert len(uow.events(ActivityCreated)) == 1


async def test_the_lead_focal_point_or_the_secretariat_moves_an_activity() -> None:
    uow = FakeActionPlanUnitOfWork()
    activity_id, _ = await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    iskur = await focal_point(uow, "iskur")

    def move(
        actor: Actor,
        status: ActivityStatus,
        actual_start: date | None = None,
        actual_end: date | None = None,
    ) -> ChangeActivityStatus:
        return ChangeActivityStatus(
            PERIOD, activity_id, actor, status, actual_start=actual_start, actual_end=actual_end
        )

    # ISKUR hosts the visit but does not lead it
    with pytest.raises(Forbidden):
        await activities.change_activity_status(move(iskur, "ongoing"), uow, clock=clock)
    ongoing = await activities.change_activity_status(
        move(anapec, "ongoing", actual_start=date(2024, 10, 2)), uow, clock=clock
    )
    assert (ongoing.status, ongoing.actual_start) == ("ongoing", date(2024, 10, 2))
    done = await activities.change_activity_status(
        move(SECRETARIAT, "completed", actual_end=date(2024, 10, 6)), uow, clock=clock
    )
    assert [h.status for h in done.history] == ["planned", "ongoing", "completed"]
    with pytest.raises(Conflict):
        await activities.change_activity_status(move(SECRETARIAT, "planned"), uow, clock=clock)
    updates = uow.events(ActivityUpdated)
    assert [u.status for u in updates if isinstance(u, ActivityUpdated)] == ["ongoing", "completed"]


async def test_an_indicator_is_added_to_the_plan_with_sorted_targets() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    indicator = await activities.add_indicator(
        AddIndicator(
            period=PERIOD,
            title=text("Share of vacancies online"),
            measure="percentage",
            thematic_area="digital",
            baseline=10,
        ),
        uow,
    )
    plan = await uow.plans.get(PERIOD)
    assert plan is not None
    assert [i.id for i in plan.indicators][-1] == indicator.id
    with pytest.raises(InvalidInput) as refused:
        await activities.add_indicator(
            AddIndicator(
                period=PERIOD, title=text("Lessons"), measure="qualitative", activity_id="act-x"
            ),
            uow,
        )
    assert refused.value.field == "activity_id"


async def test_progress_comes_from_the_lead_focal_point_with_its_contact() -> None:
    uow = FakeActionPlanUnitOfWork()
    _, indicator_id = await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    iskur = await focal_point(uow, "iskur")
    report = ReportProgress(PERIOD, anapec, indicator_id, "2024", 25)
    with pytest.raises(Forbidden):
        await activities.report_progress(
            ReportProgress(PERIOD, iskur, indicator_id, "2024", 25), uow, clock=clock
        )
    with pytest.raises(Forbidden):  # the secretariat is no institution
        await activities.report_progress(
            ReportProgress(PERIOD, SECRETARIAT, indicator_id, "2024", 25), uow, clock=clock
        )
    submitted = await activities.report_progress(report, uow, clock=clock)
    assert (submitted.institution, submitted.status) == ("anapec", "submitted")
    assert submitted.reporter.email == "fp@anapec.example"
    # a submitted report is not announced: only its review is
    assert uow.events(ProgressReviewed) == uow.events(ProgressValidated) == []


async def test_a_revoked_focal_point_reports_nothing() -> None:
    uow = FakeActionPlanUnitOfWork()
    _, indicator_id = await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    assert anapec.focal_point_id is not None
    await focal_points.revoke_focal_point(RevokeFocalPoint(anapec.focal_point_id), uow)
    with pytest.raises(Forbidden):
        await activities.report_progress(
            ReportProgress(PERIOD, anapec, indicator_id, "2024", 25), uow, clock=clock
        )


async def test_validating_a_report_tells_the_public_and_the_reporter() -> None:
    uow = FakeActionPlanUnitOfWork()
    _, indicator_id = await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    report = await activities.report_progress(
        ReportProgress(PERIOD, anapec, indicator_id, "2024", 25), uow, clock=clock
    )
    validated = await activities.validate_progress(
        ValidateProgress(PERIOD, report.id), uow, clock=clock
    )
    assert validated.status == "validated"
    assert uow.events(ProgressValidated) == [
        ProgressValidated(
            report_id=report.id,
            period=PERIOD,
            indicator_id=indicator_id,
            activity_id=report.activity_id,
            reporting_period="2024",
            actual_value=25,
            validated_at=NOW,
        )
    ]
    [reviewed] = uow.events(ProgressReviewed)
    assert isinstance(reviewed, ProgressReviewed)
    assert (reviewed.outcome, reviewed.comment, reviewed.reporter.email) == (
        "validated",
        None,
        "fp@anapec.example",
    )
    with pytest.raises(Conflict):
        await activities.validate_progress(ValidateProgress(PERIOD, report.id), uow, clock=clock)
    assert len(uow.events(ProgressReviewed)) == 1


async def test_a_returned_report_goes_back_to_the_reporter_only() -> None:
    uow = FakeActionPlanUnitOfWork()
    _, indicator_id = await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    report = await activities.report_progress(
        ReportProgress(PERIOD, anapec, indicator_id, "2025", 31), uow, clock=clock
    )
    returned = await activities.return_progress(
        ReturnProgress(PERIOD, report.id, "Attach the attendance list"), uow, clock=clock
    )
    assert (returned.status, returned.review_comment) == ("returned", "Attach the attendance list")
    assert uow.events(ProgressValidated) == []
    [reviewed] = uow.events(ProgressReviewed)
    assert isinstance(reviewed, ProgressReviewed)
    assert (reviewed.outcome, reviewed.comment) == ("returned", "Attach the attendance list")


async def test_a_closed_plan_takes_no_more_progress() -> None:
    uow = FakeActionPlanUnitOfWork()
    _, indicator_id = await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    await plans.close_plan(ClosePlan(PERIOD), uow, clock=clock)
    with pytest.raises(Conflict):
        await activities.report_progress(
            ReportProgress(PERIOD, anapec, indicator_id, "2024", 25), uow, clock=clock
        )


async def test_the_action_plan_officer_runs_activities_and_every_change_is_audited() -> None:
    uow = FakeActionPlanUnitOfWork()
    officer = account_actor("acc_ap", "leila", frozenset({StaffRole.actionplan_officer}))
    editor = account_actor("acc_ed", "sara", frozenset({StaffRole.programme_editor}))
    uow.actor = officer
    activity_id, _ = await adopted_plan(uow)
    with pytest.raises(Forbidden):
        await activities.change_activity_status(
            ChangeActivityStatus(PERIOD, activity_id, editor, "ongoing"), uow, clock=clock
        )
    await activities.change_activity_status(
        ChangeActivityStatus(
            PERIOD, activity_id, officer, "ongoing", actual_start=date(2024, 10, 2)
        ),
        uow,
        clock=clock,
    )
    assert [(e.actor, e.action) for e in uow.audited] == [
        ("acc_ap", "plan.created"),
        ("acc_ap", "activity.created"),
        ("acc_ap", "indicator.added"),
        ("acc_ap", "plan.adopted"),
        ("acc_ap", "activity.updated"),
    ]
    assert uow.audited[3].meeting_id == "pesnet-4"
    assert uow.audited[-1].subject == activity_id
