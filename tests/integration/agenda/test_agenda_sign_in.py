"""Staff sign in on agenda's own pages (the kernel's sign-in page, the same one
registration and action plan serve): signed out, a staff page is the sign-in form in
the reader's language, without a word of its data; a wrong password is said there;
signed in, the browser goes back to the page it asked for, holding the session cookie.
Identity's password check is the one stand-in here (the exchange at `/auth/token` is
identity's own test)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pesnet.agenda.bootstrap import build_app
from pesnet.agenda.settings import Settings
from pesnet.shared.staff_sign_in import SignedIn, SignInRefused
from tests.integration.agenda.test_meeting_pages import ADMIN_TOKEN
from tests.integration.audit_walk import csrf_of
from tests.integration.roles import TRUST, bearer

pytestmark = pytest.mark.integration


class Identity:
    """Knows one account: the secretariat's administrator."""

    async def sign_in(self, username: str, password: str) -> SignedIn:
        if (username, password) != ("amina", "the right passphrase"):
            raise SignInRefused(locked=False)
        return SignedIn(ADMIN_TOKEN, 900)


@pytest.fixture
async def agenda_pages(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any], unique: str
) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(make_settings(f"agenda-{unique}", Settings, **TRUST))
    app.state.staff_sign_in = Identity()
    async with start_service(app) as svc:
        assert (await svc.http.post("/dev/seed", headers=bearer(ADMIN_TOKEN))).status_code == 200
        yield svc.http


async def test_staff_sign_in_on_agenda_and_come_back_to_their_page(
    agenda_pages: httpx.AsyncClient,
) -> None:
    http = agenda_pages
    asked = await http.get("/staff/meetings", params={"lang": "ar"})
    assert asked.status_code == 401
    assert 'dir="rtl"' in asked.text
    assert 'action="/sign-in?' in asked.text
    assert 'name="next" value="/staff/meetings?lang=ar"' in asked.text
    assert "pesnet-4" not in asked.text

    own = await http.get("/sign-in", params={"lang": "ar", "next": "/staff/meetings"})
    assert own.status_code == 200
    assert 'id="f-password"' in own.text

    wrong = await http.post(
        "/sign-in?lang=ar",
        data={"csrf": csrf_of(asked.text), "next": "/staff/meetings?lang=ar",
              "username": "amina", "password": "wrong"},
    )  # fmt: skip
    assert wrong.status_code == 401
    error = re.search(r'id="sign-in-error">([^<]+)<', wrong.text)
    assert error is not None
    assert re.search(r"[\u0600-\u06FF]", error.group(1))
    assert "pesnet_session" not in wrong.cookies

    signed_in = await http.post(
        "/sign-in?lang=ar",
        data={"csrf": csrf_of(wrong.text), "next": "/staff/meetings?lang=ar",
              "username": "amina", "password": "the right passphrase"},
    )  # fmt: skip
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/staff/meetings?lang=ar"
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith("pesnet_session=")
    assert "HttpOnly" in cookie
    back = await http.get(signed_in.headers["location"])
    assert back.status_code == 200
    assert "pesnet-4" in back.text

    # another site is never where a sign-in leads
    elsewhere = await http.get("/sign-in", params={"next": "//evil.example/x"})
    assert 'name="next" value="/staff/meetings"' in elsewhere.text

    signed_out = await http.post("/sign-out?lang=ar", data={"csrf": csrf_of(back.text)})
    assert signed_out.status_code == 303
    assert (await http.get("/staff/meetings")).status_code == 401
