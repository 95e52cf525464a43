"""The check-in desk (check-in clerks): type, paste or scan a badge; the same
`check_in` use case as `POST .../check-ins`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pesnet.registration.domain.badges import normalized_short_code
from pesnet.registration.domain.commands import (
    CheckIn,
)
from pesnet.registration.domain.outcomes import CheckedIn
from pesnet.registration.domain.registration import Registration
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
from pesnet.registration.service_layer import meetings, participants
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
    matches: list[dict[str, Any]] | None = None,
    typed: str = "",
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
            "matches": matches,
            "typed": typed,
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
    """What the desk typed or scanned: a badge's token (a USB scanner types it and
    Enter) or its short code checks the person in; a name lists who matches, each with
    a button that checks them in. The same `check_in` use case as `POST .../check-ins`."""
    refusal = staff_refusal(request, actor, StaffRole.check_in_clerk)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    meeting_id = form_meeting(form)
    typed = form.get("badge_token", "").strip()
    chosen = form.get("registration_id", "")
    try:
        check_csrf(request, form)
        if chosen:
            command = CheckIn(actor, registration_id=chosen, meeting_id=meeting_id)
        elif typed.startswith("b1.") or not typed:
            command = CheckIn(actor, badge_token=typed, meeting_id=meeting_id)
        else:
            found = await participants.find(
                meeting_id, typed, actor, deps.unit_of_work(), badges=deps.badges
            )
            code = normalized_short_code(typed)
            if not (code and len(found) == 1 and found[0].short_code == code):
                return await _matches_page(request, deps, actor, meeting_id, typed, found)
            command = CheckIn(actor, registration_id=found[0].id, meeting_id=meeting_id)
        outcome = await on_site.check_in(command, deps.unit_of_work(), badges=deps.badges)
    except DomainError as exc:
        return await _desk_page(
            request, deps, actor, meeting_id, error=say(request, exc),
            status_code=status_of(exc),
        )  # fmt: skip
    result = await _result(deps, outcome, request_language(request).value)
    return await _desk_page(request, deps, actor, meeting_id, result=result)


async def _result(deps: Deps, outcome: CheckedIn, language: str) -> dict[str, Any]:
    registration = outcome.registration
    institutions = await reference_institutions(deps)
    return {
        "already": outcome.already,
        "message": views.check_in_message(outcome, language),
        "name": " ".join(p for p in (registration.given_name, registration.family_name) if p),
        "name_latin": registration.name_latin,
        "role": ROLES[registration.role].get(language),
        "country": country_name(registration.country, language)
        or institution_name(registration, institutions, language),
    }


async def _matches_page(
    request: Request,
    deps: Deps,
    actor: Actor,
    meeting_id: str,
    typed: str,
    found: list[Registration],
) -> Response:
    language = request_language(request).value
    institutions = await reference_institutions(deps)
    matches = [
        {
            "id": r.id,
            "name": " ".join(p for p in (r.given_name, r.family_name) if p),
            "name_latin": r.name_latin,
            "where": country_name(r.country, language)
            or institution_name(r, institutions, language),
            "institution": institution_name(r, institutions, language),
            "role": ROLES[r.role].get(language),
            "status": r.status.value,
            "checked_in": r.checked_in_at is not None,
        }
        for r in found
    ]
    return await _desk_page(request, deps, actor, meeting_id, matches=matches, typed=typed)
