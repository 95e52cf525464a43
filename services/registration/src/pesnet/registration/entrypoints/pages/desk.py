"""The check-in desk (check-in clerks): type, paste or scan a badge; the same
`check_in` use case as `POST .../check-ins`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pesnet.registration.domain.commands import (
    CheckIn,
)
from pesnet.registration.entrypoints import views
from pesnet.registration.entrypoints.http import Deps
from pesnet.registration.entrypoints.pages.rendering import (
    DEFAULT_MEETING,
    MeetingQuery,
    country_name,
    error_page,
    form_meeting,
    institution_name,
    meeting_context,
    reference_institutions,
    say,
    staff_render,
    status_of,
)
from pesnet.registration.entrypoints.pages.sign_in import staff_refusal
from pesnet.registration.service_layer import check_in as on_site
from pesnet.registration.service_layer import meetings
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.errors import (
    DomainError,
    NotFound,
)
from pesnet.shared.forms import check_csrf, read_form
from pesnet.shared.http import CurrentActor
from pesnet.shared.problems import request_language
from pesnet.shared.terms import ROLES

router = APIRouter(include_in_schema=False)


async def _desk_page(
    request: Request,
    deps: Deps,
    actor: Actor,
    meeting_id: str,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        meeting, _ = await meetings.delegations(meeting_id, deps.unit_of_work())
    except NotFound as exc:
        return error_page(request, exc)
    return await staff_render(
        request,
        deps,
        "desk.html",
        {
            **meeting_context(request, meeting),
            "actor": actor,
            "result": result,
            "error": error,
        },
        meeting_id=meeting.id,
        status_code=status_code,
    )


@router.get("/desk")
async def desk(
    request: Request, actor: CurrentActor, deps: Deps, meeting: MeetingQuery = DEFAULT_MEETING
) -> Response:
    """The check-in desk: type, paste or scan a badge (check-in clerks)."""
    refusal = staff_refusal(request, actor, StaffRole.check_in_clerk)
    if refusal is not None:
        return refusal
    return await _desk_page(request, deps, actor, meeting)


@router.post("/desk")
async def desk_check_in(request: Request, actor: CurrentActor, deps: Deps) -> Response:
    """A badge checked in: the same `check_in` use case as `POST .../check-ins`."""
    refusal = staff_refusal(request, actor, StaffRole.check_in_clerk)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    meeting_id = form_meeting(form)
    language = request_language(request).value
    try:
        check_csrf(request, form)
        outcome = await on_site.check_in(
            CheckIn(actor, badge_token=form.get("badge_token", ""), meeting_id=meeting_id),
            deps.unit_of_work(),
            badges=deps.badges,
        )
    except DomainError as exc:
        return await _desk_page(
            request, deps, actor, meeting_id, error=say(request, exc),
            status_code=status_of(exc),
        )  # fmt: skip
    registration = outcome.registration
    assert registration.checked_in_at is not None
    institutions = await reference_institutions(deps)
    result = {
        "already": outcome.already,
        "message": views.check_in_message(outcome, language),
        "name": " ".join(p for p in (registration.given_name, registration.family_name) if p),
        "name_latin": registration.name_latin,
        "role": ROLES[registration.role].get(language),
        "country": country_name(registration.country, language)
        or institution_name(registration, institutions, language),
    }
    return await _desk_page(request, deps, actor, meeting_id, result=result)
