"""The identity service on the real broker and database: signing in, the lockout,
API tokens, account administration and its events, the published keys, its audit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from pesnet.identity.bootstrap import build_app
from pesnet.identity.settings import Settings
from pesnet.shared.access_tokens import StaticKeys, TokenVerifier, TrustedIssuer
from pesnet.shared.credentials import StaffRole
from pesnet.shared.events.identity import AccountLocked, AccountRolesChanged, ApiTokenRevoked
from pesnet.shared.http import SESSION_COOKIE
from pesnet.shared.settings import ServiceSettings
from tests.conftest import RunningService
from tests.support import BusTap, bus_tap

pytestmark = pytest.mark.integration

ADMIN_PASSWORD = "admin password for tests"
PASSWORD = "a long enough password"


@pytest.fixture
def identity(
    make_settings: Callable[..., ServiceSettings],
    start_service: Callable[..., Any],
    rabbit_url: str,
) -> Callable[..., Any]:
    """`async with identity() as (svc, tap, admin_headers):` the running service, a tap
    on its events, and the administrator's bearer header."""

    @asynccontextmanager
    async def run(**overrides: Any) -> AsyncIterator[tuple[RunningService, BusTap, dict[str, str]]]:
        settings = make_settings(
            "identity",
            Settings,
            PESNET_DEV_ADMIN_USERNAME="admin",
            PESNET_DEV_ADMIN_PASSWORD=ADMIN_PASSWORD,
            **overrides,
        )
        assert isinstance(settings, Settings)
        async with (
            start_service(build_app(settings)) as svc,
            bus_tap(rabbit_url, "identity.#") as tap,
        ):
            signed_in = await svc.http.post(
                "/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}
            )
            assert signed_in.status_code == 200, signed_in.text
            yield svc, tap, {"Authorization": f"Bearer {signed_in.json()['access_token']}"}

    return run


async def create(svc: RunningService, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await svc.http.post("/accounts", json={"password": PASSWORD, **body}, headers=admin)
    assert response.status_code == 201, response.text
    account: dict[str, Any] = response.json()
    return account


async def test_a_token_for_a_password_verifies_against_the_published_keys(
    identity: Callable[..., Any],
) -> None:
    async with identity() as (svc, _, admin):
        officer = await create(svc, admin, username="amina", roles=["accreditation_officer"])
        response = await svc.http.post(
            "/auth/token", json={"username": "Amina", "password": PASSWORD}
        )
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 900

        jwks = (await svc.http.get("/.well-known/jwks.json")).json()
        assert jwks["keys"]
        assert all("d" not in key for key in jwks["keys"])  # public keys only
        config = (await svc.http.get("/.well-known/openid-configuration")).json()
        assert config["jwks_uri"].endswith("/.well-known/jwks.json")
        verifier = TokenVerifier([TrustedIssuer(config["issuer"], "pesnet", StaticKeys(jwks))])
        actor = await verifier.actor_for(body["access_token"])
        assert actor is not None
        assert actor.account_id == officer["id"]
        assert actor.roles == frozenset({StaffRole.accreditation_officer})

        wrong = await svc.http.post("/auth/token", json={"username": "amina", "password": "nope"})
        assert wrong.status_code == 401
        unknown = await svc.http.post(
            "/auth/token", json={"username": "nobody", "password": "nope"}
        )
        assert unknown.status_code == 401
        assert unknown.json() == wrong.json()


async def test_repeated_failures_lock_the_username_until_an_administrator_unlocks_it(
    identity: Callable[..., Any],
) -> None:
    async with identity(PESNET_IDENTITY_LOCKOUT_FAILURES=3) as (svc, tap, admin):
        account = await create(svc, admin, username="karim", roles=["check_in_clerk"])
        for _ in range(3):
            response = await svc.http.post(
                "/auth/token", json={"username": "karim", "password": "wrong"}
            )
            assert response.status_code == 401
        locked = await svc.http.post(
            "/auth/token", json={"username": "karim", "password": PASSWORD}
        )
        assert locked.status_code == 429
        assert locked.headers["content-type"] == "application/problem+json"
        assert int(locked.headers["retry-after"]) > 14 * 60
        assert locked.json()["detail"].endswith("try again in 15 minutes")
        in_arabic = await svc.http.post(
            "/auth/token",
            json={"username": "karim", "password": PASSWORD},
            headers={"accept-language": "ar"},
        )
        assert in_arabic.status_code == 429
        assert in_arabic.json()["title"] == "طلبات كثيرة جدًا"
        assert "حاول مرة أخرى بعد 15 دقيقة" in in_arabic.json()["detail"]
        [event] = await tap.wait_for(AccountLocked, account_id=account["id"])
        assert event["data"]["failures"] == 3

        for _ in range(3):
            await svc.http.post("/auth/token", json={"username": "ghost", "password": "wrong"})
        ghost = await svc.http.post("/auth/token", json={"username": "ghost", "password": "x"})
        assert ghost.status_code == 429
        assert ghost.json() == locked.json()  # no hint it does not exist

        unlocked = await svc.http.post(f"/accounts/{account['id']}/unlock", headers=admin)
        assert unlocked.status_code == 200
        again = await svc.http.post("/auth/token", json={"username": "karim", "password": PASSWORD})
        assert again.status_code == 200


async def test_an_api_token_is_exchanged_for_access_tokens_until_revoked(
    identity: Callable[..., Any],
) -> None:
    async with identity() as (svc, tap, admin):
        await create(svc, admin, username="script.owner", roles=["actionplan_officer"])
        signed_in = await svc.http.post(
            "/auth/token", json={"username": "script.owner", "password": PASSWORD}
        )
        mine = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        issued = await svc.http.post(
            "/accounts/me/api-tokens", json={"name": "progress import", "days": 30}, headers=mine
        )
        assert issued.status_code == 201
        secret = issued.json()["token"]
        listed = (await svc.http.get("/accounts/me/api-tokens", headers=mine)).json()
        assert [t["id"] for t in listed] == [issued.json()["id"]]
        assert secret not in json.dumps(listed)

        exchanged = await svc.http.post("/auth/token", json={"api_token": secret})
        assert exchanged.status_code == 200
        me = await svc.http.get(
            "/accounts/me",
            headers={"Authorization": f"Bearer {exchanged.json()['access_token']}"},
        )
        assert me.json()["username"] == "script.owner"

        revoked = await svc.http.delete(
            f"/accounts/me/api-tokens/{issued.json()['id']}", headers=mine
        )
        assert revoked.status_code == 200
        await tap.wait_for(ApiTokenRevoked, token_id=issued.json()["id"])
        refused = await svc.http.post("/auth/token", json={"api_token": secret})
        assert refused.status_code == 401
        # the token itself is a credential for identity only, never a bearer token
        assert (
            await svc.http.get("/accounts/me", headers={"Authorization": f"Bearer {secret}"})
        ).status_code == 401


async def test_a_role_change_is_an_event_and_an_audit_entry_without_any_password(
    identity: Callable[..., Any],
) -> None:
    async with identity() as (svc, tap, admin):
        account = await create(svc, admin, username="nfp.mar", roles=["check_in_clerk"])
        changed = await svc.http.put(
            f"/accounts/{account['id']}/roles",
            json={"roles": ["focal_point"], "country": "MAR", "institution": "ANAPEC"},
            headers=admin,
        )
        assert changed.status_code == 200
        assert changed.json()["country"] == "MAR"
        [event] = await tap.wait_for(AccountRolesChanged, account_id=account["id"])
        assert event["data"]["roles"] == ["focal_point"]
        assert event["data"]["previous_roles"] == ["check_in_clerk"]
        assert event["actorid"] == event["data"]["by"]
        assert event["actorid"].startswith("acc_")
        await svc.http.post("/auth/token", json={"username": "nfp.mar", "password": "wrong"})

        for published in tap.events:
            text = json.dumps(published)
            assert PASSWORD not in text
            assert ADMIN_PASSWORD not in text
            assert "$argon2" not in text

        audit = (await svc.http.get("/audit", headers=admin)).json()
        actions = [e["action"] for e in audit]
        assert actions[:2] == ["sign_in.failed", "account.roles_changed"]
        assert audit[0]["subject"] == account["id"]
        assert audit[1]["actor"] == event["actorid"]
        assert PASSWORD not in json.dumps(audit)

        bad_country = await svc.http.put(
            f"/accounts/{account['id']}/roles", json={"roles": ["focal_point"]}, headers=admin
        )
        assert bad_country.status_code == 422
        assert bad_country.json()["errors"][0]["field"] == "country"


async def test_account_administration_is_for_the_administrator_only(
    identity: Callable[..., Any],
) -> None:
    async with identity() as (svc, _, admin):
        account = await create(svc, admin, username="editor", roles=["programme_editor"])
        signed_in = await svc.http.post(
            "/auth/token", json={"username": "editor", "password": PASSWORD}
        )
        editor = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        assert (await svc.http.get("/accounts")).status_code == 401
        assert (await svc.http.get("/accounts", headers=editor)).status_code == 403
        listed = (await svc.http.get("/accounts", headers=admin)).json()
        assert {a["username"] for a in listed} == {"admin", "editor"}
        assert all("password" not in json.dumps(a) for a in listed)

        disabled = await svc.http.post(f"/accounts/{account['id']}/disable", headers=admin)
        assert disabled.json()["disabled"] is True
        refused = await svc.http.post(
            "/auth/token", json={"username": "editor", "password": PASSWORD}
        )
        assert refused.status_code == 401
        bootstrap = await svc.http.post(
            "/accounts/bootstrap",
            json={"username": "second", "password": PASSWORD},
            headers={"Authorization": "Bearer dev-secretariat-token"},
        )
        assert bootstrap.status_code == 409  # an administrator exists


async def test_the_session_cookie_is_http_only_and_lax_and_signs_pages_in(
    identity: Callable[..., Any],
) -> None:
    async with identity() as (svc, _, _admin):
        opened = await svc.http.post(
            "/auth/session", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert opened.status_code == 200
        cookie = opened.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Secure" not in cookie  # test mode; outside dev and test it is Secure
        me = await svc.http.get("/accounts/me")  # the client keeps the cookie
        assert me.status_code == 200
        assert me.json()["username"] == "admin"
        closed = await svc.http.delete("/auth/session")
        assert closed.status_code == 204
        assert (await svc.http.get("/accounts/me")).status_code == 401
