"""The kernel's page helpers: which clients want HTML, the CSRF double submit, the
middleware that opens a link's page for a browser, and reading a posted form."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from pesnet.shared.errors import Forbidden
from pesnet.shared.forms import (
    CSRF_COOKIE,
    CsrfRefused,
    FormTooLarge,
    HtmlFirst,
    check_csrf,
    csrf_token,
    read_form,
    wants_html,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def request(cookie: str | None = None, body: bytes = b"", session: str | None = None) -> Request:
    cookies = [f"{CSRF_COOKIE}={cookie}"] if cookie else []
    if session:
        cookies.append(f"pesnet_session={session}")
    headers = [(b"cookie", "; ".join(cookies).encode())] if cookies else []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers, "query_string": b""}
    return Request(scope, receive)


def test_browsers_want_html_and_api_clients_json() -> None:
    assert wants_html(BROWSER)
    assert wants_html("text/html")
    assert not wants_html("application/json")
    assert not wants_html("")
    assert not wants_html("*/*")
    assert not wants_html("text/html;q=0.5, application/json")


def test_a_form_passes_only_with_the_token_of_its_cookie() -> None:
    token = csrf_token(request())
    assert len(token) >= 32
    assert csrf_token(request(token)) == token  # the browser keeps its token
    check_csrf(request(token), {"csrf": token})
    with pytest.raises(CsrfRefused):
        check_csrf(request(token), {"csrf": token + "x"})
    with pytest.raises(CsrfRefused):
        check_csrf(request(None), {"csrf": token})
    with pytest.raises(Forbidden):
        check_csrf(request(token), {})


def test_a_form_token_is_tied_to_the_session_it_was_given_with() -> None:
    signed_in = csrf_token(request(session="eyJ.session-of-amina.sig"))
    check_csrf(request(signed_in, session="eyJ.session-of-amina.sig"), {"csrf": signed_in})
    # a pair planted from elsewhere (a sibling host can set the cookie) was made
    # without the session, and a signed-out form does not serve once signed in
    planted = csrf_token(request())
    for token, session in ((planted, "eyJ.session-of-amina.sig"), (signed_in, None)):
        with pytest.raises(CsrfRefused):
            check_csrf(request(token, session=session), {"csrf": token})
    # and a page of the new session gets a new token
    assert csrf_token(request(planted, session="eyJ.session-of-amina.sig")) != planted


async def test_a_posted_form_is_read_and_bounded() -> None:
    form = await read_form(request(body=b"a=%D9%81+&b=&a=2"))
    assert form == {"a": "ف", "b": ""}
    with pytest.raises(FormTooLarge):
        await read_form(request(body=b"a=" + b"x" * 70_000))


async def test_a_link_opens_its_page_for_a_browser_only() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["path"])

    async def nothing(*_: Any) -> Any:
        return None

    middleware = HtmlFirst(app, paths=[r"/registrations/[a-z0-9]+"], suffix="/manage")

    async def call(path: str, accept: str, method: str = "GET") -> None:
        headers = [(b"accept", accept.encode())]
        scope = {"type": "http", "method": method, "path": path, "headers": headers}
        await middleware(scope, nothing, nothing)

    await call("/registrations/abc", BROWSER)
    await call("/registrations/abc", "application/json")
    await call("/registrations/abc", BROWSER, method="POST")
    await call("/registrations/abc/badge.png", BROWSER)
    assert seen == [
        "/registrations/abc/manage",
        "/registrations/abc",
        "/registrations/abc",
        "/registrations/abc/badge.png",
    ]


def test_a_caller_with_a_bearer_token_is_no_forged_form() -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"authorization", b"Bearer x")],
        "query_string": b"",
    }
    check_csrf(Request(scope), {})
