"""The meetings' decisions and the activities that carry them out, over HTTP: the list
of a meeting's decisions with the state of their activities (public: a communiqué and a
plan are public), the action-plan officer's API to link and unlink, and the secretariat's
page (`/staff/decisions/{meeting_id}`) with the same control as a form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from pesnet.actionplan.domain.decisions import (
    DecisionState,
    LinkDecision,
    LinkedActivity,
    UnlinkDecision,
)
from pesnet.actionplan.domain.labels import ACTIVITY_STATUSES
from pesnet.actionplan.entrypoints.dependencies import UoW
from pesnet.actionplan.service_layer import decisions
from pesnet.shared.credentials import StaffRole
from pesnet.shared.errors import DomainError, InvalidInput
from pesnet.shared.forms import CsrfRefused, check_csrf, csrf_token, read_form, set_csrf_cookie
from pesnet.shared.http import CurrentActor, require
from pesnet.shared.i18n import Language
from pesnet.shared.problems import request_language
from pesnet.shared.translation import N_, _, translate
from pesnet.shared.web import Pages

router = APIRouter(tags=["decisions"])
ActionPlanOfficer = require(StaffRole.actionplan_officer)
PACKAGE = "pesnet.actionplan"
pages = Pages(PACKAGE)
Period = Annotated[str, Field(pattern=r"^\d{4}-\d{4}$")]
ActivityId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period
    activity_id: ActivityId


def state_json(state: DecisionState, lang: Language | None) -> dict[str, Any]:
    d = state.decision
    return {
        "meeting_id": state.meeting_id,
        "meeting_number": state.meeting_number,
        "paragraph_id": d.paragraph_id,
        "number": d.number,
        "kind": d.kind,
        "text": d.text.model_dump(),
        **({"label": d.text.get(lang)} if lang else {}),
        "illustrative": d.illustrative,
        "activities": [
            {
                "period": a.period,
                "activity_id": a.activity_id,
                "title": a.activity.title.model_dump() if a.activity else None,
                "status": a.activity.status if a.activity else None,
            }
            for a in state.activities
        ],
    }


@router.get("/meetings/{meeting_id}/decisions")
async def meeting_decisions(
    meeting_id: str, uow: UoW, lang: Language | None = None
) -> list[dict[str, Any]]:
    """The meeting's published decisions and recommendations, each with the plan
    activities that carry it out and their status."""
    return [state_json(s, lang) for s in await decisions.meeting_decisions(meeting_id, uow)]


@router.post(
    "/meetings/{meeting_id}/decisions/{paragraph_id}/activities",
    status_code=201,
    dependencies=[ActionPlanOfficer],
)
async def link_activity(
    meeting_id: str, paragraph_id: str, body: LinkIn, uow: UoW
) -> list[dict[str, Any]]:
    """Link a decision to an activity that carries it out (emits `DecisionActivityLinked`)."""
    activity = LinkedActivity(period=body.period, activity_id=body.activity_id)
    await decisions.link_decision(LinkDecision(meeting_id, paragraph_id, activity), uow)
    return [state_json(s, None) for s in await decisions.meeting_decisions(meeting_id, uow)]


@router.post(
    "/meetings/{meeting_id}/decisions/{paragraph_id}/activities/removal",
    dependencies=[ActionPlanOfficer],
)
async def unlink_activity(
    meeting_id: str, paragraph_id: str, body: LinkIn, uow: UoW
) -> list[dict[str, Any]]:
    """Remove a decision's link to an activity (emits `DecisionActivityUnlinked`)."""
    activity = LinkedActivity(period=body.period, activity_id=body.activity_id)
    await decisions.unlink_decision(UnlinkDecision(meeting_id, paragraph_id, activity), uow)
    return [state_json(s, None) for s in await decisions.meeting_decisions(meeting_id, uow)]


# the secretariat's page ------------------------------------------------------------------
def _say(message: str, language: str, params: dict[str, Any] | None = None) -> str:
    return translate(message, language, params or {}, packages=(PACKAGE,))


async def _page(
    request: Request,
    meeting_id: str,
    uow: UoW,
    *,
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    language = request_language(request).value
    token = csrf_token(request)
    states = await decisions.meeting_decisions(meeting_id, uow)
    choices = [
        (f"{plan.period}/{a.id}", f"{plan.period} · {a.title.get(language)}")
        for plan in await uow.plans.all()
        for a in plan.activities
    ]
    context = {
        "choices": choices,
        "meeting_id": meeting_id,
        "states": states,
        "status_label": lambda status: ACTIVITY_STATUSES[status].get(language),
        "csrf": token,
        "lang_query": f"lang={language}",
        "error": _say(error.message, language, error.params) if error else None,
        "error_field": error.field if error else None,
    }
    response = pages.render(
        request,
        "staff_decisions.html",
        context,
        status_code=status_code,
        headers={"cache-control": "no-store"},
    )
    return set_csrf_cookie(response, token, secure=request.url.scheme == "https")


def _refused(request: Request, actor: Any) -> Response | None:
    if actor.is_anonymous or not actor.has(StaffRole.actionplan_officer):
        message = (
            N_("Sign in as the secretariat first (the console's sign-in page).")
            if actor.is_anonymous
            else N_("Your account may not use this page: sign in with another one.")
        )
        language = request_language(request).value
        return pages.render(
            request,
            "staff_decisions_refused.html",
            {"message": _say(message, language)},
            status_code=401 if actor.is_anonymous else 403,
        )
    return None


@router.get("/staff/decisions/{meeting_id}", include_in_schema=False)
async def decisions_page(
    meeting_id: str, request: Request, actor: CurrentActor, uow: UoW
) -> Response:
    return _refused(request, actor) or await _page(request, meeting_id, uow)


@router.post("/staff/decisions/{meeting_id}", include_in_schema=False)
async def decisions_submit(
    meeting_id: str, request: Request, actor: CurrentActor, uow: UoW
) -> Response:
    refused = _refused(request, actor)
    if refused is not None:
        return refused
    form = await read_form(request)
    try:
        check_csrf(request, form)
        period, _sep, activity_id = form.get("activity", "").partition("/")
        if not period or not activity_id:
            raise InvalidInput(_("give the activity as period/activity id"), field="activity")
        activity = LinkedActivity(period=period, activity_id=activity_id)
        paragraph_id = form.get("paragraph_id", "")
        if form.get("action") == "unlink":
            await decisions.unlink_decision(UnlinkDecision(meeting_id, paragraph_id, activity), uow)
        else:
            await decisions.link_decision(LinkDecision(meeting_id, paragraph_id, activity), uow)
    except DomainError as refusal:
        code = 403 if isinstance(refusal, CsrfRefused) else 422
        return await _page(request, meeting_id, uow, error=refusal, status_code=code)
    language = request_language(request).value
    return RedirectResponse(f"/staff/decisions/{meeting_id}?lang={language}", status_code=303)
