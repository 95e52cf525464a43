"""The secretariat's console (accreditation officers): a meeting's pending
registrations by country with quota and waiting list, accredit or reject with a
reason (the same use cases as the API), the delegations."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.commands import (
    Confirm,
    Reject,
)
from pesnet.registration.domain.registration import Registration
from pesnet.registration.entrypoints import views
from pesnet.registration.entrypoints.http import Deps
from pesnet.registration.entrypoints.pages.rendering import (
    DEFAULT_MEETING,
    PACKAGE,
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
from pesnet.registration.service_layer import accreditation, meetings, registering
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.errors import (
    DomainError,
    NotFound,
)
from pesnet.shared.forms import check_csrf, read_form
from pesnet.shared.http import CurrentActor
from pesnet.shared.problems import request_language
from pesnet.shared.translation import N_, translate

router = APIRouter(include_in_schema=False)


async def _console_page(
    request: Request,
    deps: Deps,
    actor: Actor,
    meeting_id: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    language = request_language(request).value
    try:
        meeting, found = await meetings.delegations(meeting_id, deps.unit_of_work())
        registrations = await registering.list_registrations(
            meeting_id, actor, deps.unit_of_work(), status=None, country=None
        )
    except DomainError as exc:
        return error_page(request, exc)
    institutions = await reference_institutions(deps)
    summary = views.delegations_view(meeting, found)
    quota = {d["country"]: d for d in summary["delegations"] if d["country"]}
    pending: dict[str, list[Registration]] = {}
    for registration in registrations:
        if registration.status in (Status.registered, Status.waitlisted):
            pending.setdefault(registration.country or "", []).append(registration)
    groups = [
        {
            "country": country,
            "name": country_name(country, language)
            or translate(N_("OIC institutions and partners"), language, packages=(PACKAGE,)),
            "delegation": quota.get(country),
            "registrations": sorted(
                items,
                key=lambda r: (
                    r.status is Status.waitlisted,
                    r.waitlist_seq or 0,
                    r.registered_at,
                ),
            ),
        }
        for country, items in pending.items()
    ]
    groups.sort(key=lambda g: str(g["name"]))
    delegations = [
        {**d, "name": country_name(d["country"], language) or d.get("institution") or ""}
        for d in summary["delegations"]
    ]
    return await staff_render(
        request,
        deps,
        "console.html",
        {
            **meeting_context(request, meeting),
            "actor": actor,
            "groups": groups,
            "delegations": sorted(delegations, key=lambda d: str(d["name"])),
            "totals": summary["totals"],
            "institution_name": lambda r: institution_name(r, institutions, language),
            "notice": notice,
            "error": error,
        },
        meeting_id=meeting.id,
        status_code=status_code,
    )


@router.get("/console")
async def console(
    request: Request, actor: CurrentActor, deps: Deps, meeting: MeetingQuery = DEFAULT_MEETING
) -> Response:
    """Pending registrations by country with quota and waitlist, the delegations
    (accreditation officers)."""
    refusal = staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    return await _console_page(request, deps, actor, meeting)


@router.post("/console")
async def console_decide(request: Request, actor: CurrentActor, deps: Deps) -> Response:
    """Accredit (`confirm`) or reject with a reason (`reject`): the same use cases."""
    refusal = staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    meeting_id = form_meeting(form)
    registration_id = form.get("registration_id", "")
    language = request_language(request)
    try:
        check_csrf(request, form)
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", registration_id):
            raise NotFound(N_("no registration {id}"), params={"id": registration_id})
        if form.get("action") == "reject":
            reason = form.get("reason") or None
            rejected = await accreditation.reject(
                Reject(registration_id, actor, reason), deps.unit_of_work()
            )
            who = rejected.registration
            notice = translate(
                N_("{name}: not accredited."), language, {"name": _name(who)}, packages=(PACKAGE,)
            )
        else:
            accredited = await accreditation.confirm(
                Confirm(registration_id, actor), deps.unit_of_work(), badges=deps.badges
            )
            who = accredited.registration
            if accredited.waitlist_reason is not None:
                notice = translate(
                    N_("{name}: on the waiting list, place {position} ({reason})."),
                    language,
                    {
                        "name": _name(who),
                        "position": accredited.waitlist_position,
                        "reason": accredited.waitlist_reason.get(language, packages=(PACKAGE,)),
                    },
                    packages=(PACKAGE,),
                )
            else:
                notice = translate(
                    N_("{name}: accredited (confirmed)."),
                    language,
                    {"name": _name(who)},
                    packages=(PACKAGE,),
                )
    except DomainError as exc:
        return await _console_page(
            request, deps, actor, meeting_id, error=say(request, exc),
            status_code=status_of(exc),
        )  # fmt: skip
    return await _console_page(request, deps, actor, meeting_id, notice=notice)


def _name(registration: Registration) -> str:
    return " ".join(p for p in (registration.given_name, registration.family_name) if p)
