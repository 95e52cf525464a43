"""A national focal point's pages (`/focal-point`), signed in with their identity
account (its country and institution are the account's): their institution's
activities and indicators with their targets; progress reported for a period with its
evidence (a text, a link, a file the service keeps), a returned report with the
secretariat's comment and its resubmission; the institution's needs and offers per
thematic area; the cooperation proposals it is party to, answered; and, while a plan is
a draft, the delegation's comments on it. A posted form becomes the same command as
the JSON API's and goes to the same use case; a refusal shows next to its field."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from pesnet.actionplan.domain.commands import (
    AnswerProposal,
    CommentOnDraft,
    ReportProgress,
    SubmitNeed,
    SubmitOffer,
)
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.entrypoints.dependencies import UoW
from pesnet.actionplan.entrypoints.pages.forms import (
    answer_of,
    comment_fields,
    need_fields,
    offer_fields,
    progress_fields,
)
from pesnet.actionplan.entrypoints.pages.rendering import (
    PERIOD,
    field_errors,
    read_upload_form,
    render,
)
from pesnet.actionplan.entrypoints.pages.sign_in import refusal
from pesnet.actionplan.entrypoints.pages.views import focal_point_context
from pesnet.actionplan.service_layer import activities, consultation, cooperation, plans
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.errors import DomainError
from pesnet.shared.forms import check_csrf
from pesnet.shared.http import CurrentActor
from pesnet.shared.problems import request_language

router = APIRouter(include_in_schema=False)
PeriodQuery = Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{4}$")]


async def _choose_plan(uow: UoW, period: str | None) -> Plan | None:
    """The plan asked for, else the adopted one, else the newest draft."""
    found = await plans.list_plans(uow)
    if period is not None:
        return next((p for p in found if p.period == period), None)
    for status in ("adopted", "draft"):
        candidates = [p for p in found if p.status == status]
        if candidates:
            return candidates[-1]
    return found[-1] if found else None


async def _page(
    request: Request,
    uow: UoW,
    actor: Actor,
    period: str | None,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form: str | None = None,
    status_code: int = 200,
) -> Response:
    plan = await _choose_plan(uow, period)
    context = await focal_point_context(request, uow, actor, plan)
    context.update({"errors": errors or {}, "values": values or {}, "failed_form": form})
    return render(request, "focal_point.html", context, status_code=status_code)


@router.get("/focal-point")
async def focal_point_page(
    request: Request, uow: UoW, actor: CurrentActor, period: PeriodQuery = None
) -> Response:
    if (refused := refusal(request, actor, StaffRole.focal_point)) is not None:
        return refused
    return await _page(request, uow, actor, period)


def _back(request: Request, period: str, anchor: str) -> Response:
    language = request_language(request).value
    return RedirectResponse(f"/focal-point?period={period}&lang={language}#{anchor}", 303)


async def _posted(request: Request, actor: Actor) -> tuple[dict[str, str], Response | None]:
    """The posted form once the person may post it (CSRF, signed in as a focal point)."""
    if (refused := refusal(request, actor, StaffRole.focal_point)) is not None:
        return {}, refused
    values, files = await read_upload_form(request)
    check_csrf(request, values)
    request.state.files = files
    return values, None


@router.post("/focal-point/plans/{period}/progress")
async def report(period: str, request: Request, uow: UoW, actor: CurrentActor) -> Response:
    values, refused = await _posted(request, actor)
    if refused is not None or not PERIOD.match(period):
        return refused or Response(status_code=404)
    try:
        fields = progress_fields(values, request.state.files.get("evidence_file"))
        await activities.report_progress(ReportProgress(period=period, actor=actor, **fields), uow)
    except DomainError as exc:
        return await _page(
            request, uow, actor, period, errors=field_errors(request, exc), values=values,
            form=values.get("resubmits") or "progress", status_code=422,
        )  # fmt: skip
    return _back(request, period, "reports")


@router.post("/focal-point/plans/{period}/consultation")
async def comment(period: str, request: Request, uow: UoW, actor: CurrentActor) -> Response:
    values, refused = await _posted(request, actor)
    if refused is not None or not PERIOD.match(period):
        return refused or Response(status_code=404)
    try:
        fields = comment_fields(values)
        await consultation.comment_on_draft(
            CommentOnDraft(period=period, actor=actor, **fields), uow
        )
    except DomainError as exc:
        return await _page(
            request, uow, actor, period, errors=field_errors(request, exc), values=values,
            form="comment", status_code=422,
        )  # fmt: skip
    return _back(request, period, "consultation")


@router.post("/focal-point/plans/{period}/needs")
async def need(period: str, request: Request, uow: UoW, actor: CurrentActor) -> Response:
    values, refused = await _posted(request, actor)
    if refused is not None or not PERIOD.match(period):
        return refused or Response(status_code=404)
    try:
        fields = need_fields(values, request_language(request))
        await cooperation.submit_need(SubmitNeed(period=period, actor=actor, **fields), uow)
    except DomainError as exc:
        return await _page(
            request, uow, actor, period, errors=field_errors(request, exc), values=values,
            form="need", status_code=422,
        )  # fmt: skip
    return _back(request, period, "needs")


@router.post("/focal-point/plans/{period}/offers")
async def offer(period: str, request: Request, uow: UoW, actor: CurrentActor) -> Response:
    values, refused = await _posted(request, actor)
    if refused is not None or not PERIOD.match(period):
        return refused or Response(status_code=404)
    try:
        fields = offer_fields(values, request_language(request))
        await cooperation.submit_offer(SubmitOffer(period=period, actor=actor, **fields), uow)
    except DomainError as exc:
        return await _page(
            request, uow, actor, period, errors=field_errors(request, exc), values=values,
            form="offer", status_code=422,
        )  # fmt: skip
    return _back(request, period, "needs")


@router.post("/focal-point/proposals/{proposal_id}/answer")
async def answer(proposal_id: str, request: Request, uow: UoW, actor: CurrentActor) -> Response:
    values, refused = await _posted(request, actor)
    if refused is not None:
        return refused
    period = values.get("period") if PERIOD.match(values.get("period", "")) else None
    try:
        await cooperation.answer_proposal(
            AnswerProposal(proposal_id, actor, answer_of(values)), uow
        )
    except DomainError as exc:
        return await _page(
            request, uow, actor, period, errors=field_errors(request, exc), values=values,
            form="proposal", status_code=422,
        )  # fmt: skip
    return _back(request, period or "", "proposals")


__all__ = ["router"]
