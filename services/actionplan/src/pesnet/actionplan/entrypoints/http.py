"""HTTP API of the action-plan service (thin: parse, authorise, call a use case).

Auth: the secretariat's bearer token (kernel), or a focal-point token the secretariat
issued (`POST /focal-points`), which acts for exactly one institution."""

from __future__ import annotations

import hmac
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from pesnet.actionplan.adapters.report import render_csv, render_html
from pesnet.actionplan.domain.cooperation import Answer, Proposal
from pesnet.actionplan.domain.matching import Priority
from pesnet.actionplan.domain.model import (
    ActivityStatus,
    ActivityType,
    Measure,
    Participation,
    Target,
)
from pesnet.actionplan.entrypoints.views import plan_detail, plan_summary
from pesnet.actionplan.service_layer.services import ActionPlanService, Actor
from pesnet.shared.errors import Unauthorized
from pesnet.shared.events.common import Country
from pesnet.shared.http import Secretariat, bearer, get_runtime
from pesnet.shared.i18n import Language, Localized

AreaId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
InstitutionId = Annotated[str, Field(min_length=1, max_length=64)]
Topic = Annotated[str, Field(min_length=1, max_length=80)]


def get_service(request: Request) -> ActionPlanService:
    service: ActionPlanService = request.app.state.service
    return service


Service = Annotated[ActionPlanService, Depends(get_service)]


async def get_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    service: Service,
) -> Actor:
    """The secretariat (its bearer token) or a focal point (a token bound to an institution)."""
    if credentials is None:
        raise Unauthorized("a bearer token is required (secretariat or focal point)")
    expected = get_runtime(request).settings.secretariat_token
    if expected is not None and hmac.compare_digest(
        credentials.credentials.encode(), expected.get_secret_value().encode()
    ):
        return Actor(secretariat=True)
    actor = await service.actor_for_token(credentials.credentials)
    if actor is None:
        raise Unauthorized("unknown or revoked token")
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AreaIn(Body):
    id: AreaId
    title: Localized


class PlanIn(Body):
    period: str
    title: Localized | None = None
    thematic_areas: list[AreaIn] = []
    draft_meeting_id: str | None = Field(default=None, min_length=1, max_length=64)


class AdoptIn(Body):
    meeting_id: str = Field(min_length=1, max_length=64)
    adopted_on: date | None = None


class ActivityIn(Body):
    thematic_area: str
    activity_type: ActivityType
    title: Localized
    summary: Localized | None = None
    lead_institutions: list[InstitutionId] = Field(min_length=1)
    participants: list[Participation] = []
    planned_start: date | None = None
    planned_end: date | None = None


class ActivityStatusIn(Body):
    status: ActivityStatus
    note: str | None = Field(default=None, max_length=2000)
    actual_start: date | None = None
    actual_end: date | None = None
    planned_start: date | None = None
    planned_end: date | None = None


class IndicatorIn(Body):
    title: Localized
    measure: Measure
    ascending: bool = True
    activity_id: str | None = None
    thematic_area: str | None = None
    baseline: float | str | None = None
    baseline_year: int | None = Field(default=None, ge=2000, le=2100)
    targets: list[Target] = []


class ProgressIn(Body):
    indicator_id: str
    reporting_period: str
    actual_value: float | str
    comment: str | None = Field(default=None, max_length=4000)


class ReturnIn(Body):
    comment: str = Field(min_length=1, max_length=4000)


class FocalPointIn(Body):
    institution: InstitutionId
    country: Country | None = None
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    language: Language = Language.en


class NeedIn(Body):
    thematic_area: str
    priority: Priority
    title: Localized
    topics: list[Topic] = Field(default=[], max_length=20)
    formats: list[ActivityType] = []
    languages: list[Language] = []


class OfferIn(Body):
    thematic_area: str
    title: Localized
    topics: list[Topic] = Field(default=[], max_length=20)
    formats: list[ActivityType] = []
    languages: list[Language] = []
    capacity: int = Field(default=1, ge=1, le=50)


class AnswerIn(Body):
    answer: Answer


def proposal_view(proposal: Proposal) -> dict[str, Any]:
    return proposal.model_dump(mode="json")


router = APIRouter(tags=["plans"])


@router.get("/plans")
async def list_plans(service: Service) -> list[dict[str, Any]]:
    return [plan_summary(p) for p in await service.list_plans()]


@router.post("/plans", status_code=201, dependencies=[Secretariat])
async def create_plan(body: PlanIn, service: Service) -> dict[str, Any]:
    plan = await service.create_plan(
        body.period,
        body.title,
        [(a.id, a.title) for a in body.thematic_areas],
        draft_meeting_id=body.draft_meeting_id,
    )
    return plan_detail(plan)


@router.get("/plans/{period}")
async def get_plan(period: str, service: Service) -> dict[str, Any]:
    plan = await service.get_plan(period)
    return plan_detail(plan, await service.meeting_titles(plan))


@router.get("/plans/{period}/report", response_model=None)
async def get_report(
    period: str,
    service: Service,
    lang: Annotated[Language, Query()] = Language.en,
    format: Annotated[Literal["html", "csv"], Query()] = "html",
) -> Response:
    plan = await service.get_plan(period)
    if format == "csv":
        return Response(
            render_csv(plan, lang),
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="pesnet-plan-{period}-{lang}.csv"'
            },
        )
    return HTMLResponse(render_html(plan, lang, await service.meeting_titles(plan)))


@router.post("/plans/{period}/thematic-areas", status_code=201, dependencies=[Secretariat])
async def add_area(period: str, body: AreaIn, service: Service) -> dict[str, Any]:
    return plan_detail(await service.add_thematic_area(period, body.id, body.title))


@router.post("/plans/{period}/adopt", dependencies=[Secretariat])
async def adopt(period: str, body: AdoptIn, service: Service) -> dict[str, Any]:
    return plan_summary(await service.adopt_plan(period, body.meeting_id, body.adopted_on))


@router.post("/plans/{period}/close", dependencies=[Secretariat])
async def close(period: str, service: Service) -> dict[str, Any]:
    return plan_summary(await service.close_plan(period))


@router.post("/plans/{period}/activities", status_code=201, dependencies=[Secretariat])
async def add_activity(period: str, body: ActivityIn, service: Service) -> dict[str, Any]:
    activity = await service.add_activity(
        period,
        thematic_area=body.thematic_area,
        activity_type=body.activity_type,
        title=body.title,
        summary=body.summary,
        lead_institutions=body.lead_institutions,
        participants=body.participants,
        planned_start=body.planned_start,
        planned_end=body.planned_end,
    )
    return activity.model_dump(mode="json")


@router.post("/plans/{period}/activities/{activity_id}/status")
async def change_activity_status(
    period: str, activity_id: str, body: ActivityStatusIn, service: Service, actor: CurrentActor
) -> dict[str, Any]:
    activity = await service.change_activity_status(period, activity_id, actor, **body.model_dump())
    return activity.model_dump(mode="json")


@router.post("/plans/{period}/indicators", status_code=201, dependencies=[Secretariat])
async def add_indicator(period: str, body: IndicatorIn, service: Service) -> dict[str, Any]:
    indicator = await service.add_indicator(
        period,
        title=body.title,
        measure=body.measure,
        ascending=body.ascending,
        activity_id=body.activity_id,
        thematic_area=body.thematic_area,
        baseline=body.baseline,
        baseline_year=body.baseline_year,
        targets=body.targets,
    )
    return indicator.model_dump(mode="json")


@router.post("/plans/{period}/progress", status_code=201)
async def report_progress(
    period: str, body: ProgressIn, service: Service, actor: CurrentActor
) -> dict[str, Any]:
    report = await service.report_progress(period, actor, **body.model_dump())
    return report.model_dump(mode="json")


@router.post("/plans/{period}/progress/{report_id}/validate", dependencies=[Secretariat])
async def validate_progress(period: str, report_id: str, service: Service) -> dict[str, Any]:
    report = await service.review_report(period, report_id, outcome="validated", comment=None)
    return report.model_dump(mode="json")


@router.post("/plans/{period}/progress/{report_id}/return", dependencies=[Secretariat])
async def return_progress(
    period: str, report_id: str, body: ReturnIn, service: Service
) -> dict[str, Any]:
    report = await service.review_report(
        period, report_id, outcome="returned", comment=body.comment
    )
    return report.model_dump(mode="json")


cooperation = APIRouter(tags=["needs and cooperation"])


@cooperation.post("/focal-points", status_code=201, dependencies=[Secretariat])
async def register_focal_point(body: FocalPointIn, service: Service) -> dict[str, Any]:
    doc, token = await service.register_focal_point(**body.model_dump())
    return {
        "id": doc["_id"],
        "institution": doc["institution"],
        "country": doc["country"],
        "name": doc["name"],
        "email": doc["email"],
        "language": doc["language"],
        "token": token,
    }


@cooperation.delete("/focal-points/{focal_point_id}", status_code=204, dependencies=[Secretariat])
async def revoke_focal_point(focal_point_id: str, service: Service) -> Response:
    await service.revoke_focal_point(focal_point_id)
    return Response(status_code=204)


@cooperation.post("/plans/{period}/needs", status_code=201)
async def submit_need(
    period: str, body: NeedIn, service: Service, actor: CurrentActor
) -> dict[str, Any]:
    need = await service.submit_need(period, actor, **body.model_dump())
    return need.model_dump(mode="json")


@cooperation.post("/plans/{period}/offers", status_code=201)
async def submit_offer(
    period: str, body: OfferIn, service: Service, actor: CurrentActor
) -> dict[str, Any]:
    offer = await service.submit_offer(period, actor, **body.model_dump())
    return offer.model_dump(mode="json")


@cooperation.get("/plans/{period}/needs", dependencies=[Secretariat])
async def list_needs(period: str, service: Service) -> list[dict[str, Any]]:
    return [n.model_dump(mode="json") for n in await service.list_needs(period)]


@cooperation.get("/plans/{period}/offers", dependencies=[Secretariat])
async def list_offers(period: str, service: Service) -> list[dict[str, Any]]:
    return [o.model_dump(mode="json") for o in await service.list_offers(period)]


@cooperation.post("/plans/{period}/matching", dependencies=[Secretariat])
async def run_matching(period: str, service: Service) -> dict[str, Any]:
    created = await service.run_matching(period)
    return {"proposed": [proposal_view(p) for p in created]}


@cooperation.get("/cooperation/proposals")
async def list_proposals(
    service: Service, actor: CurrentActor, period: str | None = None
) -> list[dict[str, Any]]:
    """The secretariat sees every proposal; a focal point those its institution is party to."""
    institution = None if actor.secretariat else actor.institution
    return [proposal_view(p) for p in await service.list_proposals(period, institution)]


@cooperation.post("/cooperation/proposals/{proposal_id}/answer")
async def answer_proposal(
    proposal_id: str, body: AnswerIn, service: Service, actor: CurrentActor
) -> dict[str, Any]:
    return proposal_view(await service.answer_proposal(proposal_id, actor, body.answer))
