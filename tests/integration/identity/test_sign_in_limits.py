"""Sign-in limits that hold when the attempts come all at once (the real service, the
real database, argon2 as in production): fifty wrong passwords in parallel lock the
username (429 with `Retry-After`) after the five allowed, a right password inside such
a batch does not sign in, and one client address cannot try username after username."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pesnet.identity.bootstrap import build_app
from pesnet.identity.settings import Settings
from pesnet.shared.events.identity import AccountLocked
from tests.support import BusTap, bus_tap

pytestmark = pytest.mark.integration

ADMIN_PASSWORD = "admin password for tests"
PASSWORD = "a long enough password"


@pytest.fixture
async def identity(
    make_settings: Callable[..., Settings],
    start_service: Callable[..., Any],
    rabbit_url: str,
) -> AsyncIterator[tuple[httpx.AsyncClient, BusTap, str]]:
    """The service with an officer's account; its client, a tap on its events and the
    officer's account id."""
    settings = make_settings(
        "identity",
        Settings,
        PESNET_DEV_ADMIN_USERNAME="admin",
        PESNET_DEV_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PESNET_IDENTITY_SIGN_IN_PER_ADDRESS=1000,
    )
    async with (
        start_service(build_app(settings)) as svc,
        bus_tap(rabbit_url, "identity.#") as tap,
    ):
        admin = await svc.http.post(
            "/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        created = await svc.http.post(
            "/accounts",
            json={"username": "amina", "password": PASSWORD, "roles": ["accreditation_officer"]},
            headers={"Authorization": f"Bearer {admin.json()['access_token']}"},
        )
        assert created.status_code == 201, created.text
        yield svc.http, tap, created.json()["id"]


async def sign_in(http: httpx.AsyncClient, password: str) -> httpx.Response:
    return await http.post(
        "/auth/token",
        json={"username": "amina", "password": password},
        headers={"Accept-Language": "fr"},
    )


async def test_fifty_wrong_passwords_at_once_lock_the_username(
    identity: tuple[httpx.AsyncClient, BusTap, str],
) -> None:
    http, tap, account_id = identity
    answers = await asyncio.gather(*(sign_in(http, f"wrong {n}") for n in range(50)))
    statuses = Counter(a.status_code for a in answers)
    print(f"50 wrong passwords at once: {dict(statuses)}")
    assert set(statuses) == {401, 429}
    assert statuses[401] <= 5  # at most the five allowed were checked
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 15 * 60
    assert refused.json()["title"] == "Trop de requêtes"

    # locked: the right password waits as well
    after = await sign_in(http, PASSWORD)
    assert after.status_code == 429
    [locked] = await tap.wait_for(AccountLocked, account_id=account_id)
    assert locked["data"]["failures"] >= 5


async def test_a_right_password_inside_a_batch_of_wrong_ones_does_not_sign_in(
    identity: tuple[httpx.AsyncClient, BusTap, str],
) -> None:
    http, _, _ = identity
    passwords = [f"wrong {n}" for n in range(49)]
    passwords.insert(25, PASSWORD)
    answers = await asyncio.gather(*(sign_in(http, p) for p in passwords))
    statuses = Counter(a.status_code for a in answers)
    print(f"49 wrong and 1 right password at once: {dict(statuses)}")
    assert 200 not in statuses
    assert answers[25].status_code == 429


async def test_one_client_address_cannot_try_username_after_username(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any]
) -> None:
    settings = make_settings(
        "identity",
        Settings,
        PESNET_IDENTITY_SIGN_IN_PER_ADDRESS=8,
        PESNET_IDENTITY_SIGN_IN_ADDRESS_WINDOW_SECONDS=600,
    )
    async with start_service(build_app(settings)) as svc:
        answers = await asyncio.gather(
            *(
                svc.http.post(
                    "/auth/token",
                    json={"username": f"guess{n}", "password": "a password guess"},
                    headers={"Accept-Language": "ar"},
                )
                for n in range(12)
            )
        )
        statuses = Counter(a.status_code for a in answers)
        assert statuses == {401: 8, 429: 4}
        refused = next(a for a in answers if a.status_code == 429)
        assert int(refused.headers["retry-after"]) > 0
        assert refused.json()["detail"].startswith("طلبات كثيرة جدًا")
        # sessions for pages count against the same address
        session = await svc.http.post(
            "/auth/session", json={"username": "guess0", "password": "a password guess"}
        )
        assert session.status_code == 429
