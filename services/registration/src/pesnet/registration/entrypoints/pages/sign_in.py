"""Staff sign in on the pages with their identity account (for the desk and the
console): the page exchanges the username and password at identity (`SignIn`) and
keeps the access token in the `pesnet_session` cookie, which every service reads."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from pesnet.registration.entrypoints.pages.rendering import (
    PACKAGE,
    page_settings,
    render,
    say,
)
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.forms import CsrfRefused, check_csrf, read_form
from pesnet.shared.http import SESSION_COOKIE
from pesnet.shared.problems import request_language
from pesnet.shared.staff_sign_in import SignInRefused
from pesnet.shared.translation import N_, translate

router = APIRouter(include_in_schema=False)


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
    return render(
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
        return _sign_in_page(request, next_url, error=say(request, exc), status_code=403)
    try:
        signed_in = await page_settings(request).sign_in.sign_in(
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
        secure=page_settings(request).secure_cookies,
    )
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    form = await read_form(request)
    check_csrf(request, form)
    response = RedirectResponse(f"/sign-in?lang={request_language(request).value}", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax",
        secure=page_settings(request).secure_cookies,
    )  # fmt: skip
    return response


def staff_refusal(request: Request, actor: Actor, role: StaffRole) -> Response | None:
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
