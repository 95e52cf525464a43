"""Activities, indicators and progress: the secretariat builds the results framework,
the lead institutions' focal points report and the secretariat reviews their reports."""

from __future__ import annotations

from pesnet.actionplan.domain.access import institution_of, require_lead
from pesnet.actionplan.domain.activities import Activity
from pesnet.actionplan.domain.commands import (
    AddActivity,
    AddIndicator,
    ChangeActivityStatus,
    ReadEvidence,
    ReportProgress,
    ReturnProgress,
    ValidateProgress,
)
from pesnet.actionplan.domain.evidence import Evidence, StoredFile, accept_file
from pesnet.actionplan.domain.institutions import require_known
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.domain.results import Indicator, ProgressReport
from pesnet.actionplan.service_layer.focal_points import contacts_of
from pesnet.actionplan.service_layer.institutions import names_of
from pesnet.actionplan.service_layer.plans import require_plan
from pesnet.actionplan.service_layer.ports import Clock
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Forbidden, NotFound
from pesnet.shared.events.actionplan import (
    ActivityChanged,
    ActivityCreated,
    ActivityParticipant,
    ActivityUpdated,
    IndicatorAdded,
    ProgressReported,
    ProgressReviewed,
    ProgressValidated,
)
from pesnet.shared.events.common import Contact
from pesnet.shared.translation import _


def activity_payload(
    plan: Plan, activity: Activity, model: type[ActivityChanged]
) -> ActivityChanged:
    return model(
        activity_id=activity.id,
        period=plan.period,
        title=activity.title,
        activity_type=activity.activity_type,
        thematic_area=activity.thematic_area,
        lead_institutions=activity.lead_institutions,
        status=activity.status,
        planned_start=activity.planned_start,
        planned_end=activity.planned_end,
        actual_start=activity.actual_start,
        actual_end=activity.actual_end,
        summary=activity.summary,
        participants=[
            ActivityParticipant(institution=p.institution, role=p.role)
            for p in activity.participants
        ],
    )


async def add_activity(
    cmd: AddActivity, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> Activity:
    """An activity, led by institutions of the reference (and with participants of it):
    an institution registration has not announced is a 422 on its field."""
    named = [(f"lead_institutions.{i}", lead) for i, lead in enumerate(cmd.lead_institutions)]
    named += [
        (f"participants.{i}.institution", p.institution) for i, p in enumerate(cmd.participants)
    ]

    async def work(uow: ActionPlanUnitOfWork) -> Activity:
        plan = await require_plan(uow, cmd.period)
        require_known(await names_of(uow, (i for _, i in named)), named)
        activity = plan.add_activity(
            thematic_area=cmd.thematic_area,
            activity_type=cmd.activity_type,
            title=cmd.title,
            summary=cmd.summary,
            lead_institutions=cmd.lead_institutions,
            participants=cmd.participants,
            planned_start=cmd.planned_start,
            planned_end=cmd.planned_end,
            now=clock(),
        )
        await uow.plans.save(plan)
        uow.emit(activity_payload(plan, activity, ActivityCreated), subject=activity.id)
        return activity

    return await uow.run(work)


async def change_activity_status(
    cmd: ChangeActivityStatus, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> Activity:
    async def work(uow: ActionPlanUnitOfWork) -> Activity:
        plan = await require_plan(uow, cmd.period)
        require_lead(plan, cmd.activity_id, cmd.actor)
        activity = plan.change_activity_status(
            cmd.activity_id,
            cmd.status,
            now=clock(),
            note=cmd.note,
            actual_start=cmd.actual_start,
            actual_end=cmd.actual_end,
            planned_start=cmd.planned_start,
            planned_end=cmd.planned_end,
        )
        await uow.plans.save(plan)
        uow.emit(activity_payload(plan, activity, ActivityUpdated), subject=activity.id)
        return activity

    return await uow.run(work)


async def add_indicator(cmd: AddIndicator, uow: ActionPlanUnitOfWork) -> Indicator:
    async def work(uow: ActionPlanUnitOfWork) -> Indicator:
        plan = await require_plan(uow, cmd.period)
        indicator = plan.add_indicator(
            title=cmd.title,
            measure=cmd.measure,
            ascending=cmd.ascending,
            activity_id=cmd.activity_id,
            thematic_area=cmd.thematic_area,
            baseline=cmd.baseline,
            baseline_year=cmd.baseline_year,
            targets=cmd.targets,
        )
        await uow.plans.save(plan)
        uow.emit(
            IndicatorAdded(period=plan.period, indicator_id=indicator.id), subject=indicator.id
        )
        return indicator

    return await uow.run(work)


async def _reporter(uow: ActionPlanUnitOfWork, actor: Actor, institution: str) -> Contact:
    """Whom the review of a report goes to (kept with the report). A focal point's token
    names its own focal point. A national focal point's account (identity's, scoped to a
    country and an institution of the reference) reports for that institution if it is of
    the account's country, and the review goes to the institution's nominated focal point."""
    reporter = None
    if actor.focal_point_id is not None:
        focal_point = await uow.focal_points.get(actor.focal_point_id)
        reporter = focal_point.contact if focal_point is not None else None
    elif actor.account_id is not None:
        known = await uow.institutions.get(institution)
        if known is None or known.country not in (None, actor.country):
            raise Forbidden(
                _(
                    "this account's institution is not an institution of its country in the "
                    "network's reference"
                )
            )
        nominated = (await contacts_of(uow, [institution]))[institution]
        reporter = nominated[0] if nominated else None
    if reporter is None:
        raise Forbidden(_("progress is reported by a focal point nominated for the institution"))
    return reporter


async def report_progress(
    cmd: ReportProgress, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> ProgressReport:
    """A progress report from the focal point of an institution that leads what the
    indicator measures: with the token of its nomination (or of the officer's override),
    or with a national focal point's account scoped to that institution."""
    institution = institution_of(cmd.actor)
    upload = accept_file(*cmd.evidence_file) if cmd.evidence_file is not None else None
    evidence = Evidence(text=cmd.evidence_text, url=cmd.evidence_url, file=upload)

    async def work(uow: ActionPlanUnitOfWork) -> ProgressReport:
        reporter = await _reporter(uow, cmd.actor, institution)
        plan = await require_plan(uow, cmd.period)
        report = plan.report_progress(
            indicator_id=cmd.indicator_id,
            reporting_period=cmd.reporting_period,
            actual_value=cmd.actual_value,
            comment=cmd.comment,
            institution=institution,
            reporter=reporter,
            now=clock(),
            evidence=evidence,
            resubmits=cmd.resubmits,
        )
        await uow.plans.save(plan)
        if upload is not None and cmd.evidence_file is not None:
            await uow.evidence.add(
                StoredFile(
                    id=upload.id,
                    period=plan.period,
                    report_id=report.id,
                    institution=institution,
                    filename=upload.filename,
                    content_type=upload.content_type,
                    data=cmd.evidence_file[1],
                )
            )
        uow.emit(
            ProgressReported(
                period=plan.period,
                report_id=report.id,
                activity_id=report.activity_id,
                institution=institution,
                resubmits=report.resubmits,
                evidence_file=upload is not None,
            ),
            subject=report.id,
        )
        return report

    return await uow.run(work)


def _emit_review(uow: ActionPlanUnitOfWork, plan: Plan, report: ProgressReport) -> None:
    """The public fact of a validated value, and the reporter's private answer."""
    indicator = plan.indicator(report.indicator_id)
    validated = report.status == "validated"
    if validated:
        assert report.reviewed_at is not None
        uow.emit(
            ProgressValidated(
                report_id=report.id,
                period=plan.period,
                indicator_id=indicator.id,
                activity_id=report.activity_id,
                reporting_period=report.reporting_period,
                actual_value=report.actual_value,
                validated_at=report.reviewed_at,
            ),
            subject=report.id,
        )
    uow.emit(
        ProgressReviewed(
            report_id=report.id,
            period=plan.period,
            indicator_id=indicator.id,
            activity_id=report.activity_id,
            indicator_title=indicator.title,
            outcome="validated" if validated else "returned",
            comment=report.review_comment,
            reporter=report.reporter,
        ),
        subject=report.id,
    )


async def validate_progress(
    cmd: ValidateProgress, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> ProgressReport:
    async def work(uow: ActionPlanUnitOfWork) -> ProgressReport:
        plan = await require_plan(uow, cmd.period)
        report = plan.validate_report(cmd.report_id, now=clock())
        await uow.plans.save(plan)
        _emit_review(uow, plan, report)
        return report

    return await uow.run(work)


async def return_progress(
    cmd: ReturnProgress, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> ProgressReport:
    async def work(uow: ActionPlanUnitOfWork) -> ProgressReport:
        plan = await require_plan(uow, cmd.period)
        report = plan.return_report(cmd.report_id, cmd.comment, now=clock())
        await uow.plans.save(plan)
        _emit_review(uow, plan, report)
        return report

    return await uow.run(work)


async def read_evidence(cmd: ReadEvidence, uow: ActionPlanUnitOfWork) -> StoredFile:
    """A report's file, for the action-plan officer or a focal point of the reporting
    institution only; reading it is no change, so no event."""
    plan = await require_plan(uow, cmd.period)
    report = plan.report(cmd.report_id)
    officer = cmd.actor.has(StaffRole.actionplan_officer) and cmd.actor.institution is None
    if not officer and institution_of(cmd.actor) != report.institution:
        raise Forbidden(_("this file is shown to the reporting institution and the secretariat"))
    if report.evidence is None or report.evidence.file is None:
        raise NotFound(_("this report has no file"))
    if report.evidence.file.erased_at is not None:
        raise NotFound(_("this report's file was erased when its retention ended"))
    stored = await uow.evidence.get(report.evidence.file.id)
    if stored is None or stored.institution != report.institution:
        raise NotFound(_("this report has no file"))
    return stored
