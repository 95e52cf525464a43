"""HTTP API of the action-plan service (thin: parse the request into a command, run the
use case, shape the answer).

Auth: the secretariat's bearer token, or a focal-point token, which acts for exactly one
institution: the token registration handed out with the focal point's nomination, or
one the action-plan officer issued here as an override (`POST /focal-points`).
Answers in one language (the report, lists) take `?lang=`, then `Accept-Language`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from pesnet.actionplan.domain.activities import (
    ActivityStatus,
    ActivityType,
    ParticipantRole,
    Participation,
)
from pesnet.actionplan.domain.commands import (
    AddActivity,
    AddIndicator,
    AddThematicArea,
    AdoptPlan,
    AnswerProposal,
    ChangeActivityStatus,
    ClosePlan,
    CreatePlan,
    ListProposals,
    RegisterFocalPoint,
    RenderReport,
    ReportFormat,
    ReportProgress,
    ReturnProgress,
    RevokeFocalPoint,
    RunMatching,
    SubmitNeed,
    SubmitOffer,
    ValidateProgress,
)
from pesnet.actionplan.domain.cooperation import Answer
from pesnet.actionplan.domain.matching import Priority
from pesnet.actionplan.domain.results import Measure, Target
from pesnet.actionplan.entrypoints.dependencies import Renderer, UoW
from pesnet.actionplan.entrypoints.views import (
    focal_point_view,
    institution_view,
    named,
    plan_detail,
    plan_summary,
    proposal_view,
)
from pesnet.actionplan.service_layer import (
    activities,
    cooperation,
    focal_points,
    institutions,
    plans,
)
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.emails import Email
from pesnet.shared.events.common import Country
from pesnet.shared.http import require
from pesnet.shared.i18n import Language
from pesnet.shared.json_types import CalendarDate, WholeNumber, YesNo
from pesnet.shared.numbers import FiniteNumber
from pesnet.shared.problems import request_language
from pesnet.shared.text import (
    CleanLocalized,
    CleanName,
    CleanParagraph,
    CleanText,
    NamedLocalized,
)

AreaId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
InstitutionId = Annotated[CleanText, Field(min_length=1, max_length=64)]
Topic = Annotated[CleanText, Field(min_length=1, max_length=80)]
# an indicator's value: a finite number, or a short text for a qualitative one
Value = FiniteNumber | Annotated[CleanText, Field(min_length=1, max_length=200)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AreaIn(Body):
    id: AreaId
    title: CleanLocalized


class PlanIn(Body):
    period: str
    title: NamedLocalized | None = None
    thematic_areas: list[AreaIn] = Field(default=[], max_length=50)
    draft_meeting_id: str | None = Field(default=None, min_length=1, max_length=64)


class AdoptIn(Body):
    meeting_id: str = Field(min_length=1, max_length=64)
    adopted_on: CalendarDate | None = None


class ActivityIn(Body):
    thematic_area: str
    activity_type: ActivityType
    title: NamedLocalized
    summary: CleanLocalized | None = None
    lead_institutions: list[InstitutionId] = Field(min_length=1, max_length=20)
    participants: list[ParticipationIn] = Field(default=[], max_length=100)
    planned_start: CalendarDate | None = None
    planned_end: CalendarDate | None = None


class ActivityStatusIn(Body):
    status: ActivityStatus
    note: CleanParagraph | None = Field(default=None, max_length=2000)
    actual_start: CalendarDate | None = None
    actual_end: CalendarDate | None = None
    planned_start: CalendarDate | None = None
    planned_end: CalendarDate | None = None


class TargetIn(Body):
    reporting_period: str = Field(min_length=1, max_length=20)
    value: FiniteNumber


class ParticipationIn(Body):
    institution: InstitutionId
    role: ParticipantRole


class IndicatorIn(Body):
    title: NamedLocalized
    measure: Measure
    ascending: YesNo = True
    activity_id: str | None = None
    thematic_area: str | None = None
    baseline: Value | None = None
    baseline_year: WholeNumber | None = Field(default=None, ge=2000, le=2100)
    targets: list[TargetIn] = Field(default=[], max_length=50)


class ProgressIn(Body):
    indicator_id: str
    reporting_period: str
    actual_value: Value
    comment: CleanParagraph | None = Field(default=None, max_length=4000)
    evidence_text: CleanParagraph | None = Field(default=None, max_length=4000)
    evidence_url: HttpUrl | None = None
    resubmits: str | None = Field(default=None, max_length=64)


class ReturnIn(Body):
    comment: CleanParagraph = Field(min_length=1, max_length=4000)


class FocalPointIn(Body):
    institution: InstitutionId
    country: Country | None = None
    name: CleanName = Field(min_length=1, max_length=200)
    email: Email
    language: Language = Language.en


class NeedIn(Body):
    thematic_area: str
    priority: Priority
    title: NamedLocalized
    topics: list[Topic] = Field(default=[], max_length=20)
    formats: list[ActivityType] = Field(default=[], max_length=10)
    languages: list[Language] = Field(default=[], max_length=3)


class OfferIn(Body):
    thematic_area: str
    title: NamedLocalized
    topics: list[Topic] = Field(default=[], max_length=20)
    formats: list[ActivityType] = Field(default=[], max_length=10)
    languages: list[Language] = Field(default=[], max_length=3)
    capacity: WholeNumber = Field(default=1, ge=1, le=50)


class AnswerIn(Body):
    answer: Answer


Lang = Annotated[
    Language | None,
    Query(description="The reader's language (default: `Accept-Language`, else en)."),
]


def language(request: Request, lang: Language | None) -> Language:
    """`?lang=` wins, then `Accept-Language` (the kernel's negotiation), then English."""
    return lang or request_language(request)


# Who may call what (the administrator may call everything): the action-plan officer
# runs the plans, activities, indicators, progress validation, focal points and
# cooperation; a national focal point acts for its institution (the use cases' rules).
ActionPlanOfficer = require(StaffRole.actionplan_officer)
FocalPointOrOfficer = Annotated[Actor, require(StaffRole.focal_point, StaffRole.actionplan_officer)]
FocalPoint = Annotated[Actor, require(StaffRole.focal_point)]

router = APIRouter(tags=["plans"])


@router.get("/plans")
async def list_plans(uow: UoW) -> list[dict[str, Any]]:
    return [plan_summary(p) for p in await plans.list_plans(uow)]


@router.post("/plans", status_code=201, dependencies=[ActionPlanOfficer])
async def create_plan(body: PlanIn, uow: UoW) -> dict[str, Any]:
    command = CreatePlan(
        period=body.period,
        title=body.title,
        thematic_areas=[(a.id, a.title) for a in body.thematic_areas],
        draft_meeting_id=body.draft_meeting_id,
    )
    return plan_detail(await plans.create_plan(command, uow))


@router.get("/plans/{period}")
async def get_plan(period: str, uow: UoW) -> dict[str, Any]:
    details = await plans.plan_details(period, uow)
    return plan_detail(details.plan, details.meeting_titles, details.institutions)


@router.get("/plans/{period}/report", response_model=None)
async def get_report(
    period: str,
    request: Request,
    uow: UoW,
    renderer: Renderer,
    lang: Lang = None,
    format: Annotated[ReportFormat, Query()] = "html",
) -> Response:
    """The implementation report in the reader's language, institutions by name."""
    lang = language(request, lang)
    content = await plans.render_report(RenderReport(period, lang, format), uow, renderer)
    if format == "csv":
        return Response(
            content,
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="pesnet-plan-{period}-{lang}.csv"'
            },
        )
    return HTMLResponse(content)


@router.post("/plans/{period}/thematic-areas", status_code=201, dependencies=[ActionPlanOfficer])
async def add_area(period: str, body: AreaIn, uow: UoW) -> dict[str, Any]:
    plan = await plans.add_thematic_area(AddThematicArea(period, body.id, body.title), uow)
    return plan_detail(plan)


@router.post("/plans/{period}/adopt", dependencies=[ActionPlanOfficer])
async def adopt(period: str, body: AdoptIn, uow: UoW) -> dict[str, Any]:
    command = AdoptPlan(period, body.meeting_id, body.adopted_on)
    return plan_summary(await plans.adopt_plan(command, uow))


@router.post("/plans/{period}/close", dependencies=[ActionPlanOfficer])
async def close(period: str, uow: UoW) -> dict[str, Any]:
    return plan_summary(await plans.close_plan(ClosePlan(period), uow))


@router.post("/plans/{period}/activities", status_code=201, dependencies=[ActionPlanOfficer])
async def add_activity(period: str, body: ActivityIn, uow: UoW) -> dict[str, Any]:
    command = AddActivity(
        period=period,
        thematic_area=body.thematic_area,
        activity_type=body.activity_type,
        title=body.title,
        summary=body.summary,
        lead_institutions=body.lead_institutions,
        participants=[Participation(**p.model_dump()) for p in body.participants],
        planned_start=body.planned_start,
        planned_end=body.planned_end,
    )
    return (await activities.add_activity(command, uow)).model_dump(mode="json")


@router.post("/plans/{period}/activities/{activity_id}/status")
async def change_activity_status(
    period: str, activity_id: str, body: ActivityStatusIn, uow: UoW, actor: FocalPointOrOfficer
) -> dict[str, Any]:
    command = ChangeActivityStatus(
        period=period,
        activity_id=activity_id,
        actor=actor,
        status=body.status,
        note=body.note,
        actual_start=body.actual_start,
        actual_end=body.actual_end,
        planned_start=body.planned_start,
        planned_end=body.planned_end,
    )
    return (await activities.change_activity_status(command, uow)).model_dump(mode="json")


@router.post("/plans/{period}/indicators", status_code=201, dependencies=[ActionPlanOfficer])
async def add_indicator(period: str, body: IndicatorIn, uow: UoW) -> dict[str, Any]:
    command = AddIndicator(
        period=period,
        title=body.title,
        measure=body.measure,
        ascending=body.ascending,
        activity_id=body.activity_id,
        thematic_area=body.thematic_area,
        baseline=body.baseline,
        baseline_year=body.baseline_year,
        targets=[Target(**t.model_dump()) for t in body.targets],
    )
    return (await activities.add_indicator(command, uow)).model_dump(mode="json")


@router.post("/plans/{period}/progress", status_code=201)
async def report_progress(
    period: str, body: ProgressIn, uow: UoW, actor: FocalPoint
) -> dict[str, Any]:
    command = ReportProgress(
        period=period,
        actor=actor,
        indicator_id=body.indicator_id,
        reporting_period=body.reporting_period,
        actual_value=body.actual_value,
        comment=body.comment,
        evidence_text=body.evidence_text,
        evidence_url=str(body.evidence_url) if body.evidence_url else None,
        resubmits=body.resubmits,
    )
    return (await activities.report_progress(command, uow)).model_dump(mode="json")


@router.post("/plans/{period}/progress/{report_id}/validate", dependencies=[ActionPlanOfficer])
async def validate_progress(period: str, report_id: str, uow: UoW) -> dict[str, Any]:
    report = await activities.validate_progress(ValidateProgress(period, report_id), uow)
    return report.model_dump(mode="json")


@router.post("/plans/{period}/progress/{report_id}/return", dependencies=[ActionPlanOfficer])
async def return_progress(period: str, report_id: str, body: ReturnIn, uow: UoW) -> dict[str, Any]:
    command = ReturnProgress(period, report_id, body.comment)
    return (await activities.return_progress(command, uow)).model_dump(mode="json")


cooperation_router = APIRouter(tags=["needs and cooperation"])


@router.get("/institutions")
async def list_institutions(request: Request, uow: UoW, lang: Lang = None) -> dict[str, Any]:
    """The institutions of the network's reference this service knows (registration owns
    the reference and announces it): the ids activities, needs and offers name, their
    names in ar/en/fr and `label` in the reader's language."""
    found = await institutions.list_institutions(uow)
    reader = language(request, lang)
    return {"institutions": [institution_view(i, reader) for i in found]}


@cooperation_router.get("/focal-points", dependencies=[ActionPlanOfficer])
async def list_focal_points(request: Request, uow: UoW, lang: Lang = None) -> dict[str, Any]:
    """The focal points: registration's nominations (`source: nomination`) and the
    officer's overrides (`source: override`), active or not; never a token."""
    listed = await focal_points.list_focal_points(uow)
    reader = language(request, lang)
    return {"focal_points": [focal_point_view(f, listed.names, reader) for f in listed.found]}


@cooperation_router.post("/focal-points", status_code=201, dependencies=[ActionPlanOfficer])
async def register_focal_point(body: FocalPointIn, uow: UoW) -> dict[str, Any]:
    """The officer's override: an interim focal point for an institution of the reference
    (focal points are otherwise registration's nominations). The token is shown once."""
    command = RegisterFocalPoint(
        institution=body.institution,
        country=body.country,
        name=body.name,
        email=body.email,
        language=body.language,
    )
    issued = await focal_points.register_focal_point(command, uow)
    focal_point = issued.focal_point
    return {
        "id": focal_point.id,
        "institution": focal_point.institution,
        "country": focal_point.country,
        "name": focal_point.name,
        "email": focal_point.email,
        "language": focal_point.language,
        "source": focal_point.source,
        "token": issued.token,
    }


@cooperation_router.delete(
    "/focal-points/{focal_point_id}", status_code=204, dependencies=[ActionPlanOfficer]
)
async def revoke_focal_point(focal_point_id: str, uow: UoW) -> Response:
    await focal_points.revoke_focal_point(RevokeFocalPoint(focal_point_id), uow)
    return Response(status_code=204)


@cooperation_router.post("/plans/{period}/needs", status_code=201)
async def submit_need(period: str, body: NeedIn, uow: UoW, actor: FocalPoint) -> dict[str, Any]:
    command = SubmitNeed(
        period=period,
        actor=actor,
        thematic_area=body.thematic_area,
        priority=body.priority,
        title=body.title,
        topics=body.topics,
        formats=body.formats,
        languages=body.languages,
    )
    return (await cooperation.submit_need(command, uow)).model_dump(mode="json")


@cooperation_router.post("/plans/{period}/offers", status_code=201)
async def submit_offer(period: str, body: OfferIn, uow: UoW, actor: FocalPoint) -> dict[str, Any]:
    command = SubmitOffer(
        period=period,
        actor=actor,
        thematic_area=body.thematic_area,
        title=body.title,
        topics=body.topics,
        formats=body.formats,
        languages=body.languages,
        capacity=body.capacity,
    )
    return (await cooperation.submit_offer(command, uow)).model_dump(mode="json")


@cooperation_router.get("/plans/{period}/needs", dependencies=[ActionPlanOfficer])
async def list_needs(
    period: str, request: Request, uow: UoW, lang: Lang = None
) -> list[dict[str, Any]]:
    """The needs filed, each with `institution_name` in the reader's language."""
    listed = await cooperation.list_needs(period, uow)
    reader = language(request, lang)
    return [named(n, listed.names, reader) for n in listed.found]


@cooperation_router.get("/plans/{period}/offers", dependencies=[ActionPlanOfficer])
async def list_offers(
    period: str, request: Request, uow: UoW, lang: Lang = None
) -> list[dict[str, Any]]:
    """The offers filed, each with `institution_name` in the reader's language."""
    listed = await cooperation.list_offers(period, uow)
    reader = language(request, lang)
    return [named(o, listed.names, reader) for o in listed.found]


@cooperation_router.post("/plans/{period}/matching", dependencies=[ActionPlanOfficer])
async def run_matching(period: str, uow: UoW) -> dict[str, Any]:
    created = await cooperation.run_matching(RunMatching(period), uow)
    return {"proposed": [proposal_view(p) for p in created]}


@cooperation_router.get("/cooperation/proposals")
async def list_proposals(
    request: Request,
    uow: UoW,
    actor: FocalPointOrOfficer,
    period: str | None = None,
    lang: Lang = None,
) -> list[dict[str, Any]]:
    """The secretariat sees every proposal; a focal point those its institution is party
    to. Each party's institution is named in the reader's language (`institution_name`)."""
    listed = await cooperation.list_proposals(ListProposals(actor, period), uow)
    reader = language(request, lang)
    return [proposal_view(p, listed.names, reader) for p in listed.found]


@cooperation_router.post("/cooperation/proposals/{proposal_id}/answer")
async def answer_proposal(
    proposal_id: str, body: AnswerIn, uow: UoW, actor: FocalPoint
) -> dict[str, Any]:
    command = AnswerProposal(proposal_id, actor, body.answer)
    return proposal_view(await cooperation.answer_proposal(command, uow))
