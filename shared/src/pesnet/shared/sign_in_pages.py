"""The sign-in page every service with staff pages serves as its own (`/sign-in`,
`/sign-out`): registration's desk and console, agenda's meetings and programme editor,
the action plan's focal points and secretariat. The username and password are exchanged
at identity (`staff_sign_in.SignIn`, which each bootstrap puts in `app.state.staff_sign_in`)
for an access token, kept in the `pesnet_session` cookie that every service reads.

Signed out, a staff page is this form (401), in the reader's language and without a word
of the page's data; it sends the person back to the page they asked for (`next`, only a
path of this service, never another site)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.forms import CsrfRefused, check_csrf, csrf_token, read_form, set_csrf_cookie
from pesnet.shared.http_security import clear_session_cookie, set_session_cookie
from pesnet.shared.problems import request_language
from pesnet.shared.staff_sign_in import SignIn, SignInRefused
from pesnet.shared.translation import N_, translate
from pesnet.shared.web import Pages

SAFE_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_\-.?=&%]*")
REFUSED = N_("Wrong username or password.")
LOCKED = N_("Too many failed attempts: this account is locked for a while.")
NOT_ALLOWED = N_("Your account may not use this page: sign in with another one.")


def staff_sign_in(request: Request) -> SignIn:
    """The exchange at identity that the service's bootstrap set up."""
    exchange: SignIn = request.app.state.staff_sign_in
    return exchange


class SignInPages:
    """A service's `/sign-in` and `/sign-out` (`router`), and the form shown in place of a
    staff page to someone signed out or without the role (`refusal`). `home` is where a
    sign-in without `next` leads."""

    def __init__(
        self, package: str, *, secure_cookies: Callable[[Request], bool], home: str
    ) -> None:
        self.pages = Pages(package)
        self.package = package
        self.home = home
        self._secure = secure_cookies
        self.router = self._routes()

    def safe_next(self, value: str | None) -> str:
        """Only a path of this service (never another site)."""
        return value if value and SAFE_PATH.fullmatch(value) else self.home

    def say(self, request: Request, message: str) -> str:
        return translate(message, request_language(request), packages=(self.package,))

    def form(
        self,
        request: Request,
        next_url: str,
        *,
        error: str | None = None,
        status_code: int = 200,
        actor: Actor | None = None,
    ) -> Response:
        token = csrf_token(request)
        language = request_language(request).value
        response = self.pages.render(
            request,
            "sign_in.html",
            {
                "csrf": token,
                "lang_query": f"lang={language}",
                "next": next_url,
                "error": error,
                "signed_in_as": actor.username if actor and not actor.is_anonymous else None,
            },
            status_code=status_code,
            headers={"cache-control": "no-store"},
        )
        return set_csrf_cookie(response, token, secure=self._secure(request))

    def refusal(self, request: Request, actor: Actor, *roles: StaffRole) -> Response | None:
        """The sign-in form unless `actor` holds one of `roles` (401 signed out, 403
        without them); None when they may use the page."""
        here = self.safe_next(
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
        )
        if actor.is_anonymous:
            return self.form(request, here, status_code=401)
        if not actor.has(*roles):
            error = self.say(request, NOT_ALLOWED)
            return self.form(request, here, error=error, status_code=403, actor=actor)
        return None

    async def _submit(self, request: Request) -> Response:
        form = await read_form(request)
        next_url = self.safe_next(form.get("next"))
        try:
            check_csrf(request, form)
        except CsrfRefused as exc:
            error = translate(exc.message, request_language(request), exc.params,
                              packages=(self.package,))  # fmt: skip
            return self.form(request, next_url, error=error, status_code=403)
        try:
            signed_in = await staff_sign_in(request).sign_in(
                form.get("username", ""), form.get("password", "")
            )
        except SignInRefused as refused:
            error = self.say(request, LOCKED if refused.locked else REFUSED)
            return self.form(request, next_url, error=error, status_code=401)
        response = RedirectResponse(next_url, status_code=303)
        set_session_cookie(
            response, signed_in.access_token, signed_in.expires_in, self._secure(request)
        )
        return response

    async def _sign_out(self, request: Request) -> Response:
        form = await read_form(request)
        check_csrf(request, form)
        language = request_language(request).value
        response = RedirectResponse(f"/sign-in?lang={language}", status_code=303)
        clear_session_cookie(response, self._secure(request))
        return response

    def _routes(self) -> APIRouter:
        router = APIRouter(include_in_schema=False)

        @router.get("/sign-in")
        async def sign_in_form(
            request: Request, next: Annotated[str | None, Query(max_length=500)] = None
        ) -> Response:
            """Staff and focal points sign in with their identity account."""
            return self.form(request, self.safe_next(next))

        router.add_api_route("/sign-in", self._submit, methods=["POST"])
        router.add_api_route("/sign-out", self._sign_out, methods=["POST"])
        return router


__all__ = ["SignInPages", "staff_sign_in"]
