"""The secretariat's pages of the action plan (`/staff/plans`, the action-plan officer's
and the administrator's): the progress reports to review, validated or returned with a
comment; the plan's roll-up per thematic area and per member state, with the
implementation report (HTML, CSV) linked; and, while a plan is a draft, the
consultation's comments grouped by thematic area and by country, each answered, and
the adoption."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pesnet.actionplan.domain.commands import (
    AdoptPlan,
    AnswerComment,
    ReturnProgress,
    ValidateProgress,
)
from pesnet.actionplan.entrypoints.dependencies import UoW
from pesnet.actionplan.entrypoints.pages.forms import answer_fields
from pesnet.actionplan.entrypoints.pages.rendering import PERIOD, field_errors, render
from pesnet.actionplan.entrypoints.pages.sign_in import refusal
from pesnet.actionplan.entrypoints.pages.views import (
    meeting_picker,
    secretariat_context,
    vocabularies,
)
from pesnet.actionplan.service_layer import activities, consultation, plans
from pesnet.shared.credentials import StaffRole
from pesnet.shared.errors import DomainError, InvalidInput
from pesnet.shared.forms import check_csrf, read_form
from pesnet.shared.http import CurrentActor
from pesnet.shared.problems import request_language
from pesnet.shared.translation import _

router = APIRouter(include_in_schema=False)
OFFICER = StaffRole.actionplan_officer


@router.get("/staff/plans")
async def plans_page(request: Request, uow: UoW, actor: CurrentActor) -> Response:
    if (refused := refusal(request, actor, OFFICER)) is not None:
        return refused
    language = request_language(request).value
    found = await plans.list_plans(uow)
    picker = await meeting_picker(request, uow)
    return render(request, "staff_plans.html", {"plans": found, **vocabularies(language), **picker})


async def _plan_page(
    request: Request,
    uow: UoW,
    period: str,
    *,
    errors: dict[str, str] | None = None,
    form: str | None = None,
    status_code: int = 200,
) -> Response:
    plan = (await plans.plan_details(period, uow)).plan
    context = await secretariat_context(request, uow, plan)
    context.update({"errors": errors or {}, "failed_form": form})
    context.update(await meeting_picker(request, uow, plan.meeting_id or plan.draft_meeting_id))
    return render(request, "staff_plan.html", context, status_code=status_code)


@router.get("/staff/plans/{period}")
async def plan_page(period: str, request: Request, uow: UoW, actor: CurrentActor) -> Response:
    if (refused := refusal(request, actor, OFFICER)) is not None:
        return refused
    if not PERIOD.match(period):
        return Response(status_code=404)
    return await _plan_page(request, uow, period)


def _back(request: Request, period: str, anchor: str) -> Response:
    language = request_language(request).value
    return RedirectResponse(f"/staff/plans/{period}?lang={language}#{anchor}", 303)


async def _posted(request: Request, actor: CurrentActor) -> tuple[dict[str, str], Response | None]:
    if (refused := refusal(request, actor, OFFICER)) is not None:
        return {}, refused
    form = await read_form(request)
    check_csrf(request, form)
    return form, None


@router.post("/staff/plans/{period}/progress/{report_id}/review")
async def review(
    period: str, report_id: str, request: Request, uow: UoW, actor: CurrentActor
) -> Response:
    form, refused = await _posted(request, actor)
    if refused is not None:
        return refused
    try:
        if form.get("decision") == "validate":
            await activities.validate_progress(ValidateProgress(period, report_id), uow)
        else:
            comment = form.get("comment", "")
            if not comment:
                raise InvalidInput(_("say why the report goes back"), field="comment")
            await activities.return_progress(ReturnProgress(period, report_id, comment), uow)
    except DomainError as exc:
        return await _plan_page(
            request, uow, period, errors=field_errors(request, exc), form=report_id,
            status_code=422,
        )  # fmt: skip
    return _back(request, period, "reports")


@router.post("/staff/plans/{period}/consultation/{comment_id}/answer")
async def answer(
    period: str, comment_id: str, request: Request, uow: UoW, actor: CurrentActor
) -> Response:
    form, refused = await _posted(request, actor)
    if refused is not None:
        return refused
    try:
        outcome, reason = answer_fields(form)
        await consultation.answer_comment(AnswerComment(period, comment_id, outcome, reason), uow)
    except DomainError as exc:
        return await _plan_page(
            request, uow, period, errors=field_errors(request, exc), form=comment_id,
            status_code=422,
        )  # fmt: skip
    return _back(request, period, "consultation")


@router.post("/staff/plans/{period}/adopt")
async def adopt(period: str, request: Request, uow: UoW, actor: CurrentActor) -> Response:
    form, refused = await _posted(request, actor)
    if refused is not None:
        return refused
    try:
        meeting_id = form.get("meeting_id", "")
        if not meeting_id:
            raise InvalidInput(
                _("the meeting that adopts the plan is required"), field="meeting_id"
            )
        day = form.get("adopted_on", "")
        try:
            adopted_on = date.fromisoformat(day) if day else None
        except ValueError:
            raise InvalidInput(_("a date such as 2024-03-01"), field="adopted_on") from None
        await plans.adopt_plan(AdoptPlan(period, meeting_id, adopted_on), uow)
    except DomainError as exc:
        return await _plan_page(
            request, uow, period, errors=field_errors(request, exc), form="adopt",
            status_code=422,
        )  # fmt: skip
    return _back(request, period, "consultation")
