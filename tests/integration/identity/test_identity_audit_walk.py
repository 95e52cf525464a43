"""Every change identity's API makes shows in its `GET /audit`: an account's or a
token's event, or, for a sign-in (which no event records), its explicit entry (see
`tests/integration/audit_walk.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pesnet.identity.bootstrap import build_app
from pesnet.identity.settings import Settings
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.audit_walk import State, Step, walk
from tests.support import eventually

pytestmark = pytest.mark.integration

SHARED = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
PASSWORD = "a long enough password"
NEW_PASSWORD = "another long enough password"


def admin(state: State) -> dict[str, str]:
    return {"Authorization": f"Bearer {state['admin']}"}


def clerk(state: State) -> dict[str, str]:
    return {"Authorization": f"Bearer {state['clerk']}"}


async def signed_in(
    http: httpx.AsyncClient, state: State, who: str, username: str, password: str
) -> httpx.Response:
    response = await http.post("/auth/token", json={"username": username, "password": password})
    state[who] = response.json().get("access_token")
    return response


async def created(http: httpx.AsyncClient, state: State) -> httpx.Response:
    response = await http.post(
        "/accounts",
        json={"username": "walk.clerk", "password": PASSWORD, "roles": ["check_in_clerk"]},
        headers=admin(state),
    )
    state["account"] = response.json().get("id")
    return response


async def issued(http: httpx.AsyncClient, state: State) -> httpx.Response:
    response = await http.post(
        "/accounts/me/api-tokens", json={"name": "walk", "days": 1}, headers=clerk(state)
    )
    state["token"] = response.json().get("id")
    return response


async def clerk_signed_in(http: httpx.AsyncClient, state: State) -> httpx.Response:
    """The clerk's sign-in, once the service knows the account is enabled again: it was
    disabled and enabled earlier in the walk, and a service learns of both through
    identity's events, within seconds (`pesnet.shared.account_status`)."""
    response = await signed_in(http, state, "clerk", "walk.clerk", PASSWORD)

    async def accepted() -> bool:
        return (await http.get("/accounts/me", headers=clerk(state))).status_code == 200

    await eventually(accepted, within=20)
    return response


def account(state: State, tail: str = "") -> str:
    return f"/accounts/{state['account']}{tail}"


STEPS = [
    Step(
        ("POST", "/accounts/bootstrap"),
        lambda h, s: h.post(
            "/accounts/bootstrap",
            json={"username": "walk.admin", "password": PASSWORD},
            headers=SHARED,
        ),
        "account.created",
    ),
    Step(
        ("POST", "/auth/token"),
        lambda h, s: signed_in(h, s, "admin", "walk.admin", PASSWORD),
        "sign_in.succeeded",
    ),
    Step(
        ("POST", "/auth/session"),
        lambda h, s: h.post("/auth/session", json={"username": "walk.admin", "password": PASSWORD}),
        "sign_in.succeeded",
    ),
    Step(("POST", "/accounts"), created, "account.created"),
    Step(
        ("PUT", "/accounts/{account_id}/roles"),
        lambda h, s: h.put(
            account(s, "/roles"), json={"roles": ["accreditation_officer"]}, headers=admin(s)
        ),
        "account.roles_changed",
    ),
    Step(
        ("POST", "/accounts/{account_id}/disable"),
        lambda h, s: h.post(account(s, "/disable"), headers=admin(s)),
        "account.disabled",
    ),
    Step(
        ("POST", "/accounts/{account_id}/enable"),
        lambda h, s: h.post(account(s, "/enable"), headers=admin(s)),
        "account.enabled",
    ),
    Step(
        ("POST", "/accounts/{account_id}/unlock"),
        lambda h, s: h.post(account(s, "/unlock"), headers=admin(s)),
        "account.unlocked",
    ),
    Step(
        ("POST", "/accounts/{account_id}/password"),
        lambda h, s: h.post(account(s, "/password"), json={"password": PASSWORD}, headers=admin(s)),
        "account.password_reset",
    ),
    Step(("POST", "/auth/token"), clerk_signed_in, "sign_in.succeeded"),
    Step(
        ("POST", "/accounts/me/password"),
        lambda h, s: h.post(
            "/accounts/me/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=clerk(s),
        ),
        "account.password_reset",
    ),
    Step(("POST", "/accounts/me/api-tokens"), issued, "api_token.issued"),
    Step(
        ("DELETE", "/accounts/me/api-tokens/{token_id}"),
        lambda h, s: h.delete(f"/accounts/me/api-tokens/{s['token']}", headers=clerk(s)),
        "api_token.revoked",
    ),
    Step(("POST", "/accounts/me/api-tokens"), issued, "api_token.issued"),
    Step(
        ("DELETE", "/accounts/{account_id}/api-tokens/{token_id}"),
        lambda h, s: h.delete(account(s, f"/api-tokens/{s['token']}"), headers=admin(s)),
        "api_token.revoked",
    ),
]
UNCHANGING = {("DELETE", "/auth/session"): "the session cookie is deleted in the browser"}


async def test_every_change_identity_makes_is_in_its_audit_trail(
    make_settings: Callable[..., Any], start_service: Callable[..., Any]
) -> None:
    app = build_app(make_settings("identity", Settings))
    async with start_service(app) as svc:
        state: State = {}
        await walk(svc.http, app, STEPS, UNCHANGING, admin=SHARED, state=state)
