"""The secretariat's pages about a meeting's participants: the list with its filters,
exports and badge sheet (`/participants`), and announcements written in the three
languages side by side, previewed (recipients per language) and sent
(`/announcements`). The same use cases as the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pesnet.registration.domain.access import Status
from pesnet.registration.domain.commands import Announce, Audience
from pesnet.registration.entrypoints.http import Deps
from pesnet.registration.entrypoints.pages.console import ConsoleFilters
from pesnet.registration.entrypoints.pages.paging import Pager, asked_page
from pesnet.registration.entrypoints.pages.rendering import (
    DEFAULT_MEETING,
    PACKAGE,
    MeetingQuery,
    countries,
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
from pesnet.registration.service_layer import announcements, meetings, participants
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.errors import DomainError, InvalidInput
from pesnet.shared.events.common import Role
from pesnet.shared.forms import check_csrf, read_form
from pesnet.shared.http import CurrentActor
from pesnet.shared.i18n import Localized, format_local_datetime
from pesnet.shared.problems import request_language
from pesnet.shared.translation import N_, ngettext

router = APIRouter(include_in_schema=False)
LANGUAGE_CODES = ("ar", "en", "fr")
# rows of the participants page (the exports have them all)
PAGE_SIZE = 100


def _audience(meeting_id: str, filters: ConsoleFilters) -> Audience:
    country = filters.country if filters.country != "-" else None
    return Audience(meeting_id, country, filters.status, filters.role)


def _choices(language: str, filters: ConsoleFilters) -> dict[str, Any]:
    return {
        "filters": filters,
        "countries": countries(language),
        "statuses": [s.value for s in Status],
        "roles": [r.value for r in Role],
    }


@router.get("/participants")
async def participants_page(
    request: Request, actor: CurrentActor, deps: Deps, meeting: MeetingQuery = DEFAULT_MEETING
) -> Response:
    """A meeting's participants, filtered by country, state and role, with the exports
    (CSV, XLSX) and the badge sheet of what is shown."""
    refusal = staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    language = request_language(request).value
    filters = ConsoleFilters.of(request.query_params)
    query = {
        k: v
        for k, v in (
            ("country", filters.country),
            ("status", filters.status),
            ("role", filters.role),
        )
        if v and v != "-"
    }
    audience = _audience(meeting, filters)
    asked = asked_page(request.query_params)
    try:
        found_meeting, total, found = await participants.participants_page(
            audience, actor, deps.unit_of_work(), skip=(asked - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        pager = Pager(asked, PAGE_SIZE, total, "/participants",
                      {"meeting": meeting, **query, "lang": language})  # fmt: skip
        if pager.number != asked:  # past the last page (the list got shorter): the last
            found_meeting, total, found = await participants.participants_page(
                audience, actor, deps.unit_of_work(), skip=pager.skip, limit=PAGE_SIZE
            )
    except DomainError as exc:
        return error_page(request, exc)
    institutions = await reference_institutions(deps)
    return await staff_render(
        request,
        deps,
        "participants.html",
        {
            **meeting_context(request, found_meeting),
            **_choices(language, filters),
            "actor": actor,
            "registrations": found,
            "pager": pager,
            "count": ngettext(
                "{n} participant", "{n} participants", total, language, packages=(PACKAGE,)
            ),
            "country_name": lambda code: country_name(code, language),
            "institution_name": lambda r: institution_name(r, institutions, language),
            "when": lambda at: (
                format_local_datetime(at, found_meeting.timezone, language, "short") if at else ""
            ),
            "export_query": urlencode({**query, "lang": language}),
            "badges_query": urlencode({"country": filters.country}) if "country" in query else "",
        },
        meeting_id=found_meeting.id,
    )


async def _announcement_page(
    request: Request,
    deps: Deps,
    actor: Actor,
    meeting_id: str,
    *,
    values: dict[str, Any],
    preview: dict[str, int] | None = None,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    language = request_language(request).value
    filters = values.get("filters") or ConsoleFilters()
    try:
        meeting, _counts = await meetings.delegations(meeting_id, deps.unit_of_work())
    except DomainError as exc:
        return error_page(request, exc)
    return await staff_render(
        request,
        deps,
        "announcements.html",
        {
            **meeting_context(request, meeting),
            **_choices(language, filters),
            "actor": actor,
            "values": values,
            "languages_side": LANGUAGE_CODES,
            "preview": preview,
            "notice": notice,
            "error": error,
        },
        meeting_id=meeting.id,
        status_code=status_code,
    )


@router.get("/announcements")
async def announcements_page(
    request: Request, actor: CurrentActor, deps: Deps, meeting: MeetingQuery = DEFAULT_MEETING
) -> Response:
    """Write to a meeting's participants (accreditation officers)."""
    refusal = staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    return await _announcement_page(request, deps, actor, meeting, values={})


def _localized(form: dict[str, str], name: str) -> Localized:
    texts = {lang: form.get(f"{name}_{lang}", "").strip() for lang in LANGUAGE_CODES}
    for lang, value in texts.items():
        if not value:
            raise InvalidInput(N_("write it in each language: {missing} missing"),
                               field=f"{name}.{lang}", params={"missing": lang})  # fmt: skip
    return Localized(**texts)


@router.post("/announcements")
async def announcements_submit(request: Request, actor: CurrentActor, deps: Deps) -> Response:
    """`preview` counts the recipients per language; `send` makes the announcement."""
    refusal = staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    meeting_id = form_meeting(form)
    filters = ConsoleFilters.of(form)
    values: dict[str, Any] = {**form, "filters": filters}
    audience = _audience(meeting_id, filters)
    language = request_language(request).value
    try:
        check_csrf(request, form)
        if form.get("action") != "send":
            found = await announcements.recipients(audience, actor, deps.unit_of_work())
            return await _announcement_page(
                request, deps, actor, meeting_id, values=values, preview=found.by_language
            )
        command = Announce(
            audience,
            _localized(form, "title"),
            _localized(form, "body"),
            critical=form.get("critical") == "yes",
            actor=actor,
        )
        made = await announcements.announce(command, deps.unit_of_work())
    except DomainError as exc:
        return await _announcement_page(
            request, deps, actor, meeting_id, values=values, error=say(request, exc),
            status_code=status_of(exc),
        )  # fmt: skip
    sent = ngettext(
        "Announcement sent to {n} person.",
        "Announcement sent to {n} people.",
        len(made.recipients.registrations),
        language,
        packages=(PACKAGE,),
    )
    return await _announcement_page(
        request, deps, actor, meeting_id, values={}, preview=made.recipients.by_language,
        notice=sent,
    )  # fmt: skip
