"""The registrant's pages: a meeting's registration form (public) and the manage page
behind the mail's manage link (read, correct, withdraw). A posted form calls the same
use case as the API (same idempotency, events and mails); a refused field is shown next
to it. The form's institution is picked from the network's reference, by its name in
the reader's language (registered by its id), or written in when the reference lacks it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Mapping
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from pesnet.registration.domain.access import ALLOWED_FROM, PUBLIC_ROLES, Action, Status
from pesnet.registration.domain.certificates import check_certificate
from pesnet.registration.domain.commands import (
    Correct,
    Register,
    Withdraw,
)
from pesnet.registration.domain.institution import Institution
from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.registration import Registration
from pesnet.registration.entrypoints import views
from pesnet.registration.entrypoints.http import Deps, MeetingId, RegistrationId
from pesnet.registration.entrypoints.limits import check_anonymous_registration
from pesnet.registration.entrypoints.pages.rendering import (
    PACKAGE,
    countries,
    country_name,
    error_page,
    institution_name,
    meeting_context,
    reference_institutions,
    render,
    say,
    status_of,
)
from pesnet.registration.entrypoints.schemas import Correction, NewRegistration
from pesnet.registration.service_layer import accreditation, meetings, registering
from pesnet.shared.audit import bind_actor
from pesnet.shared.credentials import Actor, is_link_token, resolve_actor
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import (
    DomainError,
    NotFound,
    Unauthorized,
)
from pesnet.shared.events.common import Role
from pesnet.shared.forms import CsrfRefused, check_csrf, read_form
from pesnet.shared.http import SESSION_COOKIE, CurrentActor, get_runtime
from pesnet.shared.i18n import LANGUAGES, format_local_datetime
from pesnet.shared.problems import request_language, validation_errors
from pesnet.shared.rate_limits import client_address
from pesnet.shared.translation import N_, translate

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
    "attendance",
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
    "attendance",
)

# The picker's choice for an institution the reference lacks (never an id: ids begin
# with a letter or a digit); its name is then written in the `institution` field.
OTHER_INSTITUTION = "-"
NO_INSTITUTION = N_("Choose your institution in the list, or write its name if it is not there.")
OTHER_UNNAMED = N_("Write the name of your institution.")


def institution_groups(institutions: dict[str, Institution], language: str) -> list[dict[str, Any]]:
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
            "name": country_name(country, language) if country else others,
            "options": sorted(options, key=lambda option: option[1]),
        }
        for country, options in groups.items()
    ]
    found.sort(key=lambda group: (not group["country"], group["name"]))
    return found


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
        meeting, found = await meetings.delegations(meeting_id, deps.unit_of_work())
    except NotFound as exc:
        return error_page(request, exc)
    language = request_language(request).value
    institutions = await reference_institutions(deps)
    summary = views.delegations_view(meeting, found)
    places = {
        d["country"]: d["places_left"]
        for d in summary["delegations"]
        if d["country"] and d["places_left"] is not None
    }
    return render(
        request,
        "register.html",
        {
            **meeting_context(request, meeting),
            "values": values,
            "errors": errors,
            "submission": submission,
            "countries": countries(language),
            "institution_groups": institution_groups(institutions, language),
            "other_institution": OTHER_INSTITUTION,
            # speakers, moderators and the secretariat come from the programme or an invitation
            "roles": [role.value for role in PUBLIC_ROLES],
            "full": sorted((country_name(c, language) for c, left in places.items() if left == 0)),
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
        return await again({"form": say(request, exc)}, 403)
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
        await check_anonymous_registration(request, actor, details.email)
        outcome = await registering.register(
            Register(
                meeting_id,
                details.details(),
                actor,
                f"page-{submission}",
                client_address(request),
            ),
            deps.unit_of_work(),
            public_url=deps.public_url,
        )
    except DomainError as exc:
        field = exc.field if exc.field in FORM_FIELDS else "form"
        return await again({field or "form": say(request, exc)}, status_of(exc))
    meeting, _ = await meetings.delegations(meeting_id, deps.unit_of_work())
    return render(
        request,
        "registered.html",
        {
            **meeting_context(request, meeting),
            "registration": outcome.registration,
            "manage_url": views.manage_url(outcome.registration, deps, language=language.value),
        },
        status_code=201,
    )


# the manage page ---------------------------------------------------------------------


async def link_actor(request: Request, token: str | None) -> Actor | None:
    """Who follows a manage link: its `?token=` (a manage token only), or a signed-in
    member of staff."""
    actor = await resolve_actor(
        (token if is_link_token(token) else None) or request.cookies.get(SESSION_COOKIE) or None,
        secretariat_token=get_runtime(request).settings.secretariat_token,
        store=getattr(request.app.state, "token_store", None),
        verifier=getattr(request.app.state, "token_verifier", None),
    )
    if actor is not None:
        bind_actor(actor)  # who acts, for the audit trail and the events' `actorid`
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
    confirm_withdraw: bool = False,
    status_code: int = 200,
) -> Response:
    actor = await link_actor(request, token)
    if actor is None:
        return error_page(request, Unauthorized(N_("this link is not valid (any more)")))
    language = request_language(request).value
    try:
        registration, position = await registering.read_registration_with_place(
            registration_id, actor, deps.unit_of_work()
        )
        meeting, _ = await meetings.delegations(registration.meeting_id, deps.unit_of_work())
    except DomainError as exc:
        return error_page(request, exc)
    current = _current_values(registration)
    institutions = await reference_institutions(deps)
    # an online participant collects no badge; a confirmed one gets the join link here
    badge = (
        registration.badge_token(deps.badges) is not None
        and not meeting.online
        and registration.attendance != "online"
    )
    join_url = (
        meeting.join_link_for(registration.attendance)
        if registration.status is Status.confirmed
        else None
    )
    link = quote(token or "")
    checked_in = (
        format_local_datetime(registration.checked_in_at, meeting.timezone, language, "short")
        if registration.checked_in_at is not None
        else None
    )
    context = meeting_context(request, meeting)
    if registration.status is Status.confirmed:
        # the agenda's personal calendar: the plenaries and the participant's own sessions
        context["calendar_url"] += f"&registration_id={quote(registration.id)}"
    return render(
        request,
        "manage.html",
        {
            **context,
            "registration": registration,
            "country_name": country_name(registration.country, language),
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
            "join_url": join_url,
            "consultation_url": _consultation_url(deps, registration, language),
            "certificate_url": (
                f"/registrations/{registration.id}/certificate.pdf?token={link}&lang={language}"
                if certificate_ready(registration, meeting)
                else None
            ),
            "can_correct": registration.status in ALLOWED_FROM[Action.correct],
            "can_withdraw": registration.status in ALLOWED_FROM[Action.withdraw],
            "confirm_withdraw": confirm_withdraw,
            "languages_all": [lang.value for lang in LANGUAGES],
        },
        status_code=status_code,
    )


def certificate_ready(registration: Registration, meeting: Meeting) -> bool:
    """Whether the participant's certificate of attendance can be downloaded now."""
    try:
        check_certificate(registration, meeting, utcnow())
    except DomainError:
        return False
    return True


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
            errors={"form": say(request, exc)}, status_code=403,
        )  # fmt: skip
    actor = await link_actor(request, token)
    if actor is None:
        return error_page(request, Unauthorized(N_("this link is not valid (any more)")))
    uow = deps.unit_of_work
    if form.get("action") == "withdraw":
        # it cannot be undone: a second step says so and asks again (no script needed)
        return await _manage_page(request, deps, registration_id, token, confirm_withdraw=True)
    try:
        if form.get("action") == "withdraw_confirmed":
            await accreditation.withdraw(
                Withdraw(registration_id, actor, f"page-withdraw-{registration_id}"),
                uow(),
                badges=deps.badges,
            )
            return RedirectResponse(
                _manage_url(registration_id, token, language, done="withdrawn"), status_code=303
            )
        registration = await registering.read_registration(registration_id, actor, uow())
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
        corrected = await registering.correct(
            Correct(registration_id, correction.changes(), actor), uow()
        )
    except DomainError as exc:
        field = exc.field if exc.field in CORRECTABLE else "form"
        return await _manage_page(
            request, deps, registration_id, token, values=values,
            errors={field or "form": say(request, exc)}, status_code=status_of(exc),
        )  # fmt: skip
    # a new language of correspondence is also the page's from now on
    shown = corrected.language.value if "language" in changes else language
    return RedirectResponse(
        _manage_url(registration_id, token, shown, done="corrected"), status_code=303
    )


def _consultation_url(deps: Deps, registration: Registration, language: str) -> str | None:
    """A confirmed head of delegation speaks for their member state in the consultation
    on a draft action plan, through a link of their own (no account needed)."""
    if deps.consultation is None or registration.role is not Role.head_of_delegation:
        return None
    if registration.status is not Status.confirmed or registration.country is None:
        return None
    return deps.consultation.url(
        registration.id, registration.country, registration.meeting_id, language
    )
