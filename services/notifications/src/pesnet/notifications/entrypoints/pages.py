"""The preferences page, behind the link at the foot of every mail (`GET /preferences?
token=` opens it when a browser asks for HTML; the JSON API stays for API clients): the
language of future mails, optional notices, and how programme changes are grouped into
one mail (the digest). The posted form goes to the same `change_preferences` use case
as `PUT /preferences`; it carries a CSRF token (`pesnet.shared.forms`)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from pesnet.notifications.domain.commands import ChangePreferences
from pesnet.notifications.entrypoints.http import Deps
from pesnet.notifications.entrypoints.limits import PreferencesPerAddress
from pesnet.notifications.service_layer import preferences
from pesnet.shared.errors import DomainError
from pesnet.shared.forms import check_csrf, csrf_token, read_form, set_csrf_cookie
from pesnet.shared.i18n import Language
from pesnet.shared.problems import request_language
from pesnet.shared.translation import N_, translate
from pesnet.shared.web import Pages

PACKAGE = "pesnet.notifications"
pages = Pages(PACKAGE)
router = APIRouter(include_in_schema=False)
Token = Annotated[str, Query(min_length=3, max_length=500)]


def _render(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    token = csrf_token(request)
    dev_mode: bool = request.app.state.dependencies.dev_mode
    response = pages.render(
        request,
        "pages/preferences.html",
        {"csrf": token, "lang_query": f"lang={request_language(request).value}", **context},
        status_code=status_code,
        headers={"cache-control": "no-store"},
    )
    return set_csrf_cookie(response, token, secure=not dev_mode)


def _say(request: Request, exc: DomainError) -> str:
    return translate(exc.message, request_language(request), exc.params, packages=(PACKAGE,))


@router.get("/preferences/page")
async def preferences_page(
    request: Request,
    deps: Deps,
    token: Token,
    saved: Annotated[bool, Query()] = False,
) -> Response:
    try:
        chosen = await preferences.preferences_of(token, deps.uow(), deps.links)
    except DomainError as exc:
        return _render(request, {"error": _say(request, exc), "prefs": None}, 401)
    minutes = max(1, round(deps.mailing.digest_window.total_seconds() / 60))
    notice = (
        translate(
            N_("Your preferences have been saved."), request_language(request), packages=(PACKAGE,)
        )
        if saved
        else None
    )
    return _render(request, {"prefs": chosen, "token": token, "minutes": minutes, "notice": notice})


@router.post("/preferences/page", dependencies=[PreferencesPerAddress])
async def preferences_submit(request: Request, deps: Deps) -> Response:
    form = await read_form(request)
    token = form.get("token", "")
    try:
        check_csrf(request, form)
        language = form.get("language", "")
        await preferences.change_preferences(
            ChangePreferences(
                token,
                language=Language(language) if language in ("ar", "en", "fr") else None,
                opted_out=form.get("optional") != "yes",
            ),
            deps.uow(),
            deps.links,
        )
    except DomainError as exc:
        return _render(request, {"error": _say(request, exc), "prefs": None}, 403)
    shown = form.get("language") or request_language(request).value
    query = urlencode({"token": token, "lang": shown, "saved": "true"})
    return RedirectResponse(f"/preferences/page?{query}", status_code=303)
