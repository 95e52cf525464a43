"""Pages for people, served by the registration service in ar/en/fr (the kernel's
`Pages`): the registration form of a meeting, the manage page behind a registrant's
manage link, the check-in desk and the secretariat's console. Thin, like the JSON API:
a posted form becomes the same command and goes to the same use case (same
idempotency, same events, same mails); errors are the same problems, shown next to
their field in the reader's language. Every form carries a CSRF token (double submit,
`pesnet.shared.forms`). The form's institution is picked from the network's reference,
by its name in the reader's language (registered by its id), or written in when the
reference lacks it; every page names a reference institution in the reader's language.

Staff (desk, console) sign in with their identity account on `/sign-in`: the page
exchanges the username and password at identity (`SignIn`) and keeps the access token
in the `pesnet_session` cookie, which every service reads."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from pesnet.registration.domain.commands import (
    CheckIn,
    Confirm,
    Correct,
    Correction,
    NewRegistration,
    Register,
    Reject,
    Withdraw,
)
from pesnet.registration.domain.institutions import Institution
from pesnet.registration.domain.labels import ALREADY_CHECKED_IN, CHECKED_IN, ROLE_LABELS
from pesnet.registration.domain.model import ALLOWED_FROM, Action, Meeting, Registration, Status
from pesnet.registration.entrypoints import views
from pesnet.registration.entrypoints.http import Deps, MeetingId, RegistrationId
from pesnet.registration.service_layer import handlers
from pesnet.registration.service_layer import institutions as reference
from pesnet.registration.service_layer.sign_in import SignIn, SignInRefused
from pesnet.shared.credentials import Actor, StaffRole, is_link_token, resolve_actor
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
)
from pesnet.shared.events.common import Role
from pesnet.shared.forms import CsrfRefused, check_csrf, csrf_token, read_form, set_csrf_cookie
from pesnet.shared.http import SESSION_COOKIE, CurrentActor, get_runtime
from pesnet.shared.i18n import LANGUAGES, format_local_date, format_local_datetime
from pesnet.shared.problems import request_language, validation_errors
from pesnet.shared.reference import member_states
from pesnet.shared.terms import PARTICIPANT_STATUSES, term
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


FORM_FIELDS = (
    "given_name",
    "family_name",
    "name_latin",
    "email",
    "country",
    "institution_id",
    "institution",
    "position",
    "role",
    "language",
    "accessibility_notes",
    "dietary_notes",
)
CORRECTABLE = (
    "given_name",
    "family_name",
    "name_latin",
    "email",
    "institution",
    "position",
    "language",
    "accessibility_notes",
    "dietary_notes",
)
STATUS_CODE: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthorized: 401,
}
# The picker's choice for an institution the reference lacks (never an id: ids begin
# with a letter or a digit); its name is then written in the `institution` field.
OTHER_INSTITUTION = "-"
NO_INSTITUTION = N_("Choose your institution in the list, or write its name if it is not there.")
OTHER_UNNAMED = N_("Write the name of your institution.")
DEFAULT_MEETING = "pesnet-demo"
MeetingQuery = Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


@dataclass(frozen=True)
class PageSettings:
    """What bootstrap hands the pages: where the agenda is (programme and calendar
    links), how staff sign in, and whether cookies need HTTPS."""

    agenda_url: str
    sign_in: SignIn
    secure_cookies: bool


def _settings(request: Request) -> PageSettings:
    settings: PageSettings = request.app.state.pages
    return settings


def _status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_CODE:
            return STATUS_CODE[cls]
    return 400


def _say(request: Request, exc: DomainError) -> str:
    return translate(exc.message, request_language(request), exc.params, packages=(PACKAGE,))


def _render(
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
            "role_labels": ROLE_LABELS,
            "status_text": lambda status: status_text(status, language),
            **context,
        },
        status_code=status_code,
        headers={"cache-control": "no-store"},
    )
    return set_csrf_cookie(response, token, secure=_settings(request).secure_cookies)


def _error_page(request: Request, exc: DomainError) -> Response:
    return _render(
        request, "error.html", {"message": _say(request, exc)}, status_code=_status_of(exc)
    )


def _countries(language: str) -> list[tuple[str, str]]:
    states = member_states()
    return sorted(
        ((iso3, state.name.get(language)) for iso3, state in states.items()),
        key=lambda item: item[1],
    )


def _country_name(iso3: str | None, language: str) -> str:
    if not iso3:
        return ""
    state = member_states().get(iso3)
    return state.name.get(language) if state is not None else iso3


async def _reference(deps: Deps) -> dict[str, Institution]:
    """The network's reference of institutions, by id."""
    return {i.id: i for i in await reference.institutions(None, deps.unit_of_work())}


def _institution_groups(
    institutions: dict[str, Institution], language: str
) -> list[dict[str, Any]]:
    """The picker's options: the reference's institutions by their name in `language`,
    grouped by member state (by name), those of no member state last."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for institution in institutions.values():
        label = institution.label(language)
        groups.setdefault(institution.country or "", []).append((institution.id, label))
    others = translate(N_("OIC institutions and partners"), language, packages=(PACKAGE,))
    found = [
        {
            "country": country,
            "name": _country_name(country, language) if country else others,
            "options": sorted(options, key=lambda option: option[1]),
        }
        for country, options in groups.items()
    ]
    found.sort(key=lambda group: (not group["country"], group["name"]))
    return found


def institution_name(
    registration: Registration, institutions: Mapping[str, Institution], language: str
) -> str:
    """How a reader of `language` reads a registration's institution: the reference's
    name in that language when it names one, else the registrant's own words."""
    found = institutions.get(registration.institution_id or "")
    if found is not None:
        return found.label(language)
    return registration.institution or ""


def _registration_body(values: Mapping[str, str]) -> dict[str, str]:
    """The form as the API's body: an institution picked from the reference is sent by
    its id (its name is then the reference's, in the registrant's language), one it
    lacks by the name written in."""
    body = {name: value for name, value in values.items() if value and name != "institution_id"}
    chosen = values.get("institution_id", "")
    if chosen and chosen != OTHER_INSTITUTION:
        body["institution_id"] = chosen
        body.pop("institution", None)
    return body


def _day(value: date | None, language: str) -> str:
    return format_local_date(value, language, "long") if value is not None else ""


def _meeting_context(request: Request, meeting: Meeting) -> dict[str, Any]:
    language = request_language(request).value
    agenda = _settings(request).agenda_url.rstrip("/")
    closed = None
    try:
        meeting.check_open(utcnow())
    except Conflict as exc:
        closed = _say(request, exc)
    return {
        "meeting": meeting,
        "start": _day(meeting.start_date, language),
        "end": _day(meeting.end_date, language),
        "venue": ", ".join(
            part
            for part in (
                meeting.city.get(language) if meeting.city else "",
                _country_name(meeting.country, language),
            )
            if part
        ),
        "programme_url": f"{agenda}/meetings/{quote(meeting.id)}/programme?lang={language}&format=html",
        "calendar_url": f"{agenda}/meetings/{quote(meeting.id)}/programme?lang={language}&format=ics",
        "closed": closed,
    }


# the registration form ---------------------------------------------------------------

router = APIRouter(include_in_schema=False)


async def _form_page(
    request: Request,
    deps: Deps,
    meeting_id: str,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    submission: str,
    status_code: int = 200,
) -> Response:
    try:
        meeting, found = await handlers.delegations(meeting_id, deps.unit_of_work())
    except NotFound as exc:
        return _error_page(request, exc)
    language = request_language(request).value
    institutions = await _reference(deps)
    summary = views.delegations_view(meeting, found)
    places = {
        d["country"]: d["places_left"]
        for d in summary["delegations"]
        if d["country"] and d["places_left"] is not None
    }
    return _render(
        request,
        "register.html",
        {
            **_meeting_context(request, meeting),
            "values": values,
            "errors": errors,
            "submission": submission,
            "countries": _countries(language),
            "institution_groups": _institution_groups(institutions, language),
            "other_institution": OTHER_INSTITUTION,
            "roles": [role.value for role in Role],
            "full": sorted((_country_name(c, language) for c, left in places.items() if left == 0)),
        },
        status_code=status_code,
    )


@router.get("/meetings/{meeting_id}/register")
async def register_form(meeting_id: MeetingId, request: Request, deps: Deps) -> Response:
    """The registration form of a meeting (public)."""
    language = request_language(request).value
    return await _form_page(
        request,
        deps,
        meeting_id,
        values={"language": language, "role": "delegate"},
        errors={},
        submission=uuid.uuid4().hex,
    )


@router.post("/meetings/{meeting_id}/register")
async def register_submit(
    meeting_id: MeetingId, request: Request, actor: CurrentActor, deps: Deps
) -> Response:
    """The form, posted: the same `register` use case as `POST .../registrations`."""
    form = await read_form(request)
    values = {name: form.get(name, "") for name in FORM_FIELDS}
    submission = form.get("submission", "")
    if not re.fullmatch(r"[0-9a-f]{32}", submission):
        submission = uuid.uuid4().hex

    def again(errors: dict[str, str], status_code: int) -> Awaitable[Response]:
        return _form_page(
            request,
            deps,
            meeting_id,
            values=values,
            errors=errors,
            submission=submission,
            status_code=status_code,
        )

    try:
        check_csrf(request, form)
    except CsrfRefused as exc:
        return await again({"form": _say(request, exc)}, 403)
    language = request_language(request)
    try:
        details = NewRegistration.model_validate(_registration_body(values))
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for entry in validation_errors(exc.errors(), language, (PACKAGE,)):
            field = entry["field"] if entry["field"] in FORM_FIELDS else "form"
            errors.setdefault(field, entry["msg"])
        if "institution" in errors and not values["institution"]:
            # neither picked nor written: said where the person chooses
            errors.pop("institution")
            if values["institution_id"] == OTHER_INSTITUTION:
                errors["institution"] = translate(OTHER_UNNAMED, language, packages=(PACKAGE,))
            else:
                errors["institution_id"] = translate(NO_INSTITUTION, language, packages=(PACKAGE,))
        return await again(errors, 422)
    try:
        outcome = await handlers.register(
            Register(meeting_id, details, actor, f"page-{submission}"),
            deps.unit_of_work(),
            public_url=deps.public_url,
        )
    except DomainError as exc:
        field = exc.field if exc.field in FORM_FIELDS else "form"
        return await again({field or "form": _say(request, exc)}, _status_of(exc))
    meeting, _ = await handlers.delegations(meeting_id, deps.unit_of_work())
    return _render(
        request,
        "registered.html",
        {
            **_meeting_context(request, meeting),
            "registration": outcome.registration,
            "manage_url": f"{outcome.manage_url}&lang={language.value}",
        },
        status_code=201,
    )


# the manage page ---------------------------------------------------------------------


async def _link_actor(request: Request, token: str | None) -> Actor | None:
    """Who follows a manage link: its `?token=` (a manage token only), or a signed-in
    member of staff."""
    actor = await resolve_actor(
        (token if is_link_token(token) else None) or request.cookies.get(SESSION_COOKIE) or None,
        secretariat_token=get_runtime(request).settings.secretariat_token,
        store=getattr(request.app.state, "token_store", None),
        verifier=getattr(request.app.state, "token_verifier", None),
    )
    return actor


def _manage_url(registration_id: str, token: str | None, language: str, **extra: str) -> str:
    query = {"token": token or "", "lang": language, **extra}
    if not token:
        query.pop("token")
    return f"/registrations/{registration_id}/manage?{urlencode(query)}"


async def _manage_page(
    request: Request,
    deps: Deps,
    registration_id: str,
    token: str | None,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    actor = await _link_actor(request, token)
    if actor is None:
        return _error_page(request, Unauthorized(N_("this link is not valid (any more)")))
    language = request_language(request).value
    try:
        registration, position = await handlers.read_registration_with_place(
            registration_id, actor, deps.unit_of_work()
        )
        meeting, _ = await handlers.delegations(registration.meeting_id, deps.unit_of_work())
    except DomainError as exc:
        return _error_page(request, exc)
    current = _current_values(registration)
    institutions = await _reference(deps)
    badge = registration.badge_token(deps.badges) is not None
    link = quote(token or "")
    checked_in = (
        format_local_datetime(registration.checked_in_at, meeting.timezone, language, "short")
        if registration.checked_in_at is not None
        else None
    )
    context = _meeting_context(request, meeting)
    if registration.status is Status.confirmed:
        # the agenda's personal calendar: the plenaries and the participant's own sessions
        context["calendar_url"] += f"&registration_id={quote(registration.id)}"
    return _render(
        request,
        "manage.html",
        {
            **context,
            "registration": registration,
            "country_name": _country_name(registration.country, language),
            "institution_name": institution_name(registration, institutions, language),
            # the reference names it: no words of the registrant's to correct beside it
            "institution_correctable": registration.institution_id is None,
            "position": position,
            "values": {**current, **(values or {})},
            "errors": errors or {},
            "notice": notice,
            "token": token or "",
            "checked_in": checked_in,
            "badge_url": (
                f"/registrations/{registration.id}/badge.png?token={link}" if badge else None
            ),
            "can_correct": registration.status in ALLOWED_FROM[Action.correct],
            "can_withdraw": registration.status in ALLOWED_FROM[Action.withdraw],
            "languages_all": [lang.value for lang in LANGUAGES],
        },
        status_code=status_code,
    )


def _current_values(registration: Registration) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in CORRECTABLE:
        value = getattr(registration, name)
        values[name] = "" if value is None else str(getattr(value, "value", value))
    return values


@router.get("/registrations/{registration_id}/manage")
async def manage(
    registration_id: RegistrationId,
    request: Request,
    deps: Deps,
    token: Annotated[str | None, Query(max_length=200)] = None,
    done: Annotated[str | None, Query(pattern=r"^(corrected|withdrawn|unchanged)$")] = None,
) -> Response:
    """The page behind a registrant's manage link (`GET /registrations/{id}?token=`
    opens it when a browser asks for HTML)."""
    notices = {
        "corrected": N_("Your registration has been corrected."),
        "withdrawn": N_("Your registration has been withdrawn."),
        "unchanged": N_("Nothing was changed."),
    }
    notice = (
        translate(notices[done], request_language(request), packages=(PACKAGE,)) if done else None
    )
    return await _manage_page(request, deps, registration_id, token, notice=notice)


@router.post("/registrations/{registration_id}/manage")
async def manage_submit(registration_id: RegistrationId, request: Request, deps: Deps) -> Response:
    """Correct (the same `correct` use case as `PATCH`) or withdraw (`withdraw`)."""
    form = await read_form(request)
    token = form.get("token") or None
    language = request_language(request).value
    # the fields the form has (an institution the reference names has no field)
    values = {name: form.get(name, "") for name in CORRECTABLE if name in form}
    try:
        check_csrf(request, form)
    except CsrfRefused as exc:
        return await _manage_page(
            request, deps, registration_id, token, values=values,
            errors={"form": _say(request, exc)}, status_code=403,
        )  # fmt: skip
    actor = await _link_actor(request, token)
    if actor is None:
        return _error_page(request, Unauthorized(N_("this link is not valid (any more)")))
    uow = deps.unit_of_work
    try:
        if form.get("action") == "withdraw":
            await handlers.withdraw(
                Withdraw(registration_id, actor, f"page-withdraw-{registration_id}"),
                uow(),
                badges=deps.badges,
            )
            return RedirectResponse(
                _manage_url(registration_id, token, language, done="withdrawn"), status_code=303
            )
        registration = await handlers.read_registration(registration_id, actor, uow())
        current = _current_values(registration)
        changes: dict[str, str | None] = {
            name: (value or None) for name, value in values.items() if value != current[name]
        }
        if registration.institution_id is not None:
            # the reference's name stands: the page offers no field to change it
            changes.pop("institution", None)
        if not changes:
            return RedirectResponse(
                _manage_url(registration_id, token, language, done="unchanged"), status_code=303
            )
        try:
            correction = Correction.model_validate(changes)
        except ValidationError as exc:
            errors: dict[str, str] = {}
            for entry in validation_errors(exc.errors(), request_language(request), (PACKAGE,)):
                field = entry["field"] if entry["field"] in CORRECTABLE else "form"
                errors.setdefault(field, entry["msg"])
            return await _manage_page(
                request, deps, registration_id, token, values=values, errors=errors,
                status_code=422,
            )  # fmt: skip
        corrected = await handlers.correct(Correct(registration_id, correction, actor), uow())
    except DomainError as exc:
        field = exc.field if exc.field in CORRECTABLE else "form"
        return await _manage_page(
            request, deps, registration_id, token, values=values,
            errors={field or "form": _say(request, exc)}, status_code=_status_of(exc),
        )  # fmt: skip
    # a new language of correspondence is also the page's from now on
    shown = corrected.language.value if "language" in changes else language
    return RedirectResponse(
        _manage_url(registration_id, token, shown, done="corrected"), status_code=303
    )


# staff: signing in ---------------------------------------------------------------------


def _safe_next(value: str | None) -> str:
    """Only a path of this service (never another site)."""
    if value and re.fullmatch(r"/(?![/\\])[A-Za-z0-9/_\-.?=&%]*", value):
        return value
    return "/desk"


def _sign_in_page(
    request: Request,
    next_url: str,
    *,
    error: str | None = None,
    status_code: int = 401,
    actor: Actor | None = None,
) -> Response:
    return _render(
        request,
        "sign_in.html",
        {
            "next": next_url,
            "error": error,
            "signed_in_as": actor.username if actor and not actor.is_anonymous else None,
        },
        status_code=status_code,
    )


@router.get("/sign-in")
async def sign_in_form(
    request: Request, next: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    """Staff sign in with their identity account (for the desk and the console)."""
    return _sign_in_page(request, _safe_next(next), status_code=200)


@router.post("/sign-in")
async def sign_in_submit(request: Request) -> Response:
    form = await read_form(request)
    next_url = _safe_next(form.get("next"))
    language = request_language(request)
    try:
        check_csrf(request, form)
    except CsrfRefused as exc:
        return _sign_in_page(request, next_url, error=_say(request, exc), status_code=403)
    try:
        signed_in = await _settings(request).sign_in.sign_in(
            form.get("username", ""), form.get("password", "")
        )
    except SignInRefused as refused:
        message = (
            N_("Too many failed attempts: this account is locked for a while.")
            if refused.locked
            else N_("Wrong username or password.")
        )
        return _sign_in_page(
            request, next_url, error=translate(message, language, packages=(PACKAGE,))
        )
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed_in.access_token,
        max_age=signed_in.expires_in,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_settings(request).secure_cookies,
    )
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    form = await read_form(request)
    check_csrf(request, form)
    response = RedirectResponse(f"/sign-in?lang={request_language(request).value}", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax",
        secure=_settings(request).secure_cookies,
    )  # fmt: skip
    return response


def _staff_refusal(request: Request, actor: Actor, role: StaffRole) -> Response | None:
    """The sign-in page unless `actor` holds `role` (401 signed out, 403 without it)."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if actor.is_anonymous:
        return _sign_in_page(request, _safe_next(here))
    if not actor.has(role):
        message = translate(
            N_("Your account may not use this page: sign in with another one."),
            request_language(request),
            packages=(PACKAGE,),
        )
        return _sign_in_page(request, _safe_next(here), error=message, status_code=403, actor=actor)
    return None


# the check-in desk ---------------------------------------------------------------------


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
        meeting, _ = await handlers.delegations(meeting_id, deps.unit_of_work())
    except NotFound as exc:
        return _error_page(request, exc)
    return _render(
        request,
        "desk.html",
        {
            **_meeting_context(request, meeting),
            "actor": actor,
            "result": result,
            "error": error,
        },
        status_code=status_code,
    )


def _form_meeting(form: Mapping[str, str]) -> str:
    """The meeting a staff form names, or the default one for a missing or odd id."""
    meeting_id = form.get("meeting", "")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", meeting_id):
        return DEFAULT_MEETING
    return meeting_id


@router.get("/desk")
async def desk(
    request: Request, actor: CurrentActor, deps: Deps, meeting: MeetingQuery = DEFAULT_MEETING
) -> Response:
    """The check-in desk: type, paste or scan a badge (check-in clerks)."""
    refusal = _staff_refusal(request, actor, StaffRole.check_in_clerk)
    if refusal is not None:
        return refusal
    return await _desk_page(request, deps, actor, meeting)


@router.post("/desk")
async def desk_check_in(request: Request, actor: CurrentActor, deps: Deps) -> Response:
    """A badge checked in: the same `check_in` use case as `POST .../check-ins`."""
    refusal = _staff_refusal(request, actor, StaffRole.check_in_clerk)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    meeting_id = _form_meeting(form)
    language = request_language(request).value
    try:
        check_csrf(request, form)
        outcome = await handlers.check_in(
            CheckIn(actor, badge_token=form.get("badge_token", ""), meeting_id=meeting_id),
            deps.unit_of_work(),
            badges=deps.badges,
        )
    except DomainError as exc:
        return await _desk_page(
            request, deps, actor, meeting_id, error=_say(request, exc),
            status_code=_status_of(exc),
        )  # fmt: skip
    registration = outcome.registration
    assert registration.checked_in_at is not None
    institutions = await _reference(deps)
    template = ALREADY_CHECKED_IN if outcome.already else CHECKED_IN
    at = format_local_datetime(
        registration.checked_in_at, outcome.meeting.timezone, language, "short"
    )
    result = {
        "already": outcome.already,
        "message": template.get(language).format(time=at),
        "name": " ".join(p for p in (registration.given_name, registration.family_name) if p),
        "name_latin": registration.name_latin,
        "role": ROLE_LABELS[registration.role.value].get(language),
        "country": _country_name(registration.country, language)
        or institution_name(registration, institutions, language),
    }
    return await _desk_page(request, deps, actor, meeting_id, result=result)


# the secretariat's console ---------------------------------------------------------------


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
        meeting, found = await handlers.delegations(meeting_id, deps.unit_of_work())
        registrations = await handlers.list_registrations(
            meeting_id, actor, deps.unit_of_work(), status=None, country=None
        )
    except DomainError as exc:
        return _error_page(request, exc)
    institutions = await _reference(deps)
    summary = views.delegations_view(meeting, found)
    quota = {d["country"]: d for d in summary["delegations"] if d["country"]}
    pending: dict[str, list[Registration]] = {}
    for registration in registrations:
        if registration.status in (Status.registered, Status.waitlisted):
            pending.setdefault(registration.country or "", []).append(registration)
    groups = [
        {
            "country": country,
            "name": _country_name(country, language)
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
        {**d, "name": _country_name(d["country"], language) or d.get("institution") or ""}
        for d in summary["delegations"]
    ]
    return _render(
        request,
        "console.html",
        {
            **_meeting_context(request, meeting),
            "actor": actor,
            "groups": groups,
            "delegations": sorted(delegations, key=lambda d: str(d["name"])),
            "totals": summary["totals"],
            "institution_name": lambda r: institution_name(r, institutions, language),
            "notice": notice,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/console")
async def console(
    request: Request, actor: CurrentActor, deps: Deps, meeting: MeetingQuery = DEFAULT_MEETING
) -> Response:
    """Pending registrations by country with quota and waitlist, the delegations
    (accreditation officers)."""
    refusal = _staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    return await _console_page(request, deps, actor, meeting)


@router.post("/console")
async def console_decide(request: Request, actor: CurrentActor, deps: Deps) -> Response:
    """Accredit (`confirm`) or reject with a reason (`reject`): the same use cases."""
    refusal = _staff_refusal(request, actor, StaffRole.accreditation_officer)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    meeting_id = _form_meeting(form)
    registration_id = form.get("registration_id", "")
    language = request_language(request)
    try:
        check_csrf(request, form)
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", registration_id):
            raise NotFound(N_("no registration {id}"), params={"id": registration_id})
        if form.get("action") == "reject":
            reason = form.get("reason") or None
            rejected = await handlers.reject(
                Reject(registration_id, actor, reason), deps.unit_of_work()
            )
            who = rejected.registration
            notice = translate(
                N_("{name}: not accredited."), language, {"name": _name(who)}, packages=(PACKAGE,)
            )
        else:
            accredited = await handlers.confirm(
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
            request, deps, actor, meeting_id, error=_say(request, exc),
            status_code=_status_of(exc),
        )  # fmt: skip
    return await _console_page(request, deps, actor, meeting_id, notice=notice)


def _name(registration: Registration) -> str:
    return " ".join(p for p in (registration.given_name, registration.family_name) if p)


__all__ = ["ASSETS", "PageSettings", "router"]
