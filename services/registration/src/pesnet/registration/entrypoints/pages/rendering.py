"""What every page of the registration service shares: the settings bootstrap hands
them, rendering with the kernel's `Pages` (the reader's language, the CSRF token in
every form), problems shown in the reader's language, and how a meeting, a country and
an institution are named on a page."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Query, Request
from fastapi.responses import Response

from pesnet.registration.domain.delegation import Delegation
from pesnet.registration.domain.institution import Institution, known_as
from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.registration import Registration
from pesnet.registration.domain.roster import Listed
from pesnet.registration.entrypoints.http import Deps
from pesnet.registration.service_layer import institutions as reference
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
)
from pesnet.shared.forms import csrf_token, set_csrf_cookie
from pesnet.shared.i18n import format_local_date, list_separator
from pesnet.shared.problems import request_language
from pesnet.shared.reference import member_states
from pesnet.shared.staff_pages import MeetingChoice
from pesnet.shared.terms import ATTENDANCES, PARTICIPANT_STATUSES, ROLES, labels, term
from pesnet.shared.translation import N_, translate
from pesnet.shared.web import Pages

PACKAGE = "pesnet.registration"
ASSETS = "/static/registration"
pages = Pages(PACKAGE)

# what a status means to the person, after its name (the kernel's term)
STATUS_MEANS: dict[str, str] = {
    "registered": N_("waiting for accreditation by the secretariat"),
    "confirmed": N_("accredited, the badge is ready"),
    "waitlisted": N_("a place may still free up"),
}


def status_text(status: str, language: str) -> str:
    """A registration's status for its holder: the term, and what it means."""
    name = term(PARTICIPANT_STATUSES, status).get(language)
    means = STATUS_MEANS.get(status)
    if means is None:
        return name
    return translate(
        N_("{status}: {meaning}"),
        language,
        {"status": name, "meaning": translate(means, language, packages=(PACKAGE,))},
        packages=(PACKAGE,),
    )


STATUS_CODE: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthorized: 401,
}
DEFAULT_MEETING = "pesnet-demo"
MeetingQuery = Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


@dataclass(frozen=True)
class PageSettings:
    """What bootstrap hands the pages: where the agenda is (programme and calendar
    links), how staff sign in, and whether cookies need HTTPS."""

    agenda_url: str
    secure_cookies: bool


def page_settings(request: Request) -> PageSettings:
    settings: PageSettings = request.app.state.pages
    return settings


def status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_CODE:
            return STATUS_CODE[cls]
    return 400


def say(request: Request, exc: DomainError) -> str:
    return translate(exc.message, request_language(request), exc.params, packages=(PACKAGE,))


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """A page with this browser's CSRF token in its forms (and its cookie)."""
    token = csrf_token(request)
    language = request_language(request).value
    response = pages.render(
        request,
        name,
        {
            "csrf": token,
            "page_assets": ASSETS,
            "lang_query": f"lang={language}",
            "role_labels": labels(ROLES),
            "status_text": lambda status: status_text(status, language),
            "status_label": lambda status: term(PARTICIPANT_STATUSES, status).get(language),
            **context,
        },
        status_code=status_code,
        headers={"cache-control": "no-store"},
    )
    return set_csrf_cookie(response, token, secure=page_settings(request).secure_cookies)


async def staff_render(
    request: Request,
    deps: Deps,
    name: str,
    context: dict[str, Any],
    *,
    meeting_id: str,
    status_code: int = 200,
) -> Response:
    """A staff page (desk, console): the meeting picker over every meeting registration
    knows, and the picked meeting kept in the language links and the forms' addresses
    (a form's answer, whose own address has no `meeting=`, included)."""
    language = request_language(request).value
    known = await deps.unit_of_work().meetings.all()
    known.sort(key=lambda m: (m.number or 0, m.id), reverse=True)
    picked = {"meeting": meeting_id}
    return render(
        request,
        name,
        {
            "picker": {
                "meetings": [MeetingChoice(m.id, m.title.get(language)) for m in known],
                "current": meeting_id,
            },
            "lang_query": urlencode({"lang": language, **picked}),
            "lang_href": lambda code: (
                "?" + urlencode({**request.query_params, **picked, "lang": code})
            ),
            **context,
        },
        status_code=status_code,
    )


def error_page(request: Request, exc: DomainError) -> Response:
    return render(request, "error.html", {"message": say(request, exc)}, status_code=status_of(exc))


def countries(language: str) -> list[tuple[str, str]]:
    states = member_states()
    return sorted(
        ((iso3, state.name.get(language)) for iso3, state in states.items()),
        key=lambda item: item[1],
    )


def country_name(iso3: str | None, language: str) -> str:
    if not iso3:
        return ""
    state = member_states().get(iso3)
    return state.name.get(language) if state is not None else iso3


async def reference_institutions(deps: Deps) -> dict[str, Institution]:
    """The network's reference of institutions, by id."""
    return {i.id: i for i in await reference.institutions(None, deps.unit_of_work())}


def institution_name(
    registration: Registration | Listed, institutions: Mapping[str, Institution], language: str
) -> str:
    """How a reader of `language` reads a registration's institution: the reference's
    name in that language when it picked or names one (by its id, acronym or a name),
    else the registrant's own words."""
    found = institutions.get(registration.institution_id or "") or known_as(
        institutions.values(), registration.institution
    )
    if found is not None:
        return found.label(language)
    return registration.institution or ""


def delegation_name(
    delegation: Delegation, institutions: Mapping[str, Institution], language: str
) -> str:
    """How a reader of `language` reads a delegation: its member state, else the
    reference's institution it was grouped by (`org:<id>`) or that its registrants'
    words name, in that language; else those words."""
    if delegation.country:
        return country_name(delegation.country, language)
    grouped_by = delegation.key.removeprefix("org:")
    found = institutions.get(grouped_by) or known_as(institutions.values(), delegation.institution)
    if found is not None:
        return found.label(language)
    return delegation.institution or ""


def _day(value: date | None, language: str) -> str:
    return format_local_date(value, language, "long") if value is not None else ""


def meeting_context(request: Request, meeting: Meeting) -> dict[str, Any]:
    language = request_language(request).value
    agenda = page_settings(request).agenda_url.rstrip("/")
    closed = None
    try:
        meeting.check_open(utcnow())
    except Conflict as exc:
        closed = say(request, exc)
    return {
        "meeting": meeting,
        "start": _day(meeting.start_date, language),
        "end": _day(meeting.end_date, language),
        "venue": list_separator(language).join(
            part
            for part in (
                meeting.venue.get(language) if meeting.venue else "",
                meeting.city.get(language) if meeting.city else "",
                country_name(meeting.country, language),
            )
            if part
        ),
        "programme_url": f"{agenda}/meetings/{quote(meeting.id)}/programme?lang={language}&format=html",
        "calendar_url": f"{agenda}/meetings/{quote(meeting.id)}/programme?lang={language}&format=ics",
        "closed": closed,
        # a hybrid meeting's participant chooses how to take part (the kernel's terms)
        "attendance_options": [(value, term.get(language)) for value, term in ATTENDANCES.items()],
    }


def form_meeting(form: Mapping[str, str]) -> str:
    """The meeting a staff form names, or the default one for a missing or odd id."""
    meeting_id = form.get("meeting", "")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", meeting_id):
        return DEFAULT_MEETING
    return meeting_id
