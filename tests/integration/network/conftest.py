"""The five services in process on the real broker and database, the others trusting
identity's published keys (`PESNET_JWKS`): what tests of the whole network start."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from pesnet.actionplan.bootstrap import build_app as build_actionplan
from pesnet.actionplan.settings import Settings as ActionPlanSettings
from pesnet.agenda.bootstrap import build_app as build_agenda
from pesnet.agenda.settings import Settings as AgendaSettings
from pesnet.identity.bootstrap import build_app as build_identity
from pesnet.identity.settings import Settings as IdentitySettings
from pesnet.notifications.bootstrap import build_app as build_notifications
from pesnet.notifications.settings import Settings as NotificationsSettings
from pesnet.registration.bootstrap import build_app as build_registration
from pesnet.registration.settings import Settings as RegistrationSettings

ADMIN_PASSWORD = "admin password for tests"
STAFF_PASSWORD = "a member of staff's long passphrase"
OTHERS: dict[str, tuple[Callable[[Any], Any], type[Any]]] = {
    "registration": (build_registration, RegistrationSettings),
    "agenda": (build_agenda, AgendaSettings),
    "actionplan": (build_actionplan, ActionPlanSettings),
    "notifications": (build_notifications, NotificationsSettings),
}


@pytest.fixture
def service_overrides() -> dict[str, dict[str, Any]]:
    """Settings of one service in the network, by service (a module may override it)."""
    return {}


@pytest.fixture
async def network(
    make_settings: Callable[..., Any],
    start_service: Callable[..., Any],
    service_overrides: dict[str, dict[str, Any]],
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """`{service: client}` of the five running services; identity's development
    administrator is `admin` / `ADMIN_PASSWORD`."""
    async with AsyncExitStack() as stack:
        identity = await stack.enter_async_context(
            start_service(
                build_identity(
                    make_settings(
                        "identity",
                        IdentitySettings,
                        PESNET_DEV_ADMIN_USERNAME="admin",
                        PESNET_DEV_ADMIN_PASSWORD=ADMIN_PASSWORD,
                    )
                )
            )
        )
        jwks = (await identity.http.get("/.well-known/jwks.json")).json()
        clients = {"identity": identity.http}
        for name, (build, settings_class) in OTHERS.items():
            settings = make_settings(
                name,
                settings_class,
                PESNET_JWKS=json.dumps(jwks),
                ACTIONPLAN_REMINDERS_ENABLED=False,
                **service_overrides.get(name, {}),
            )
            clients[name] = (await stack.enter_async_context(start_service(build(settings)))).http
        yield clients


@dataclass(frozen=True)
class StaffAccount:
    """An account made at identity by its development administrator, signed in."""

    id: str
    headers: dict[str, str]  # its bearer token
    admin_headers: dict[str, str]  # the administrator's who made it


async def staff_account(
    identity: httpx.AsyncClient, username: str, roles: list[str]
) -> StaffAccount:
    admin = await identity.post(
        "/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    admin_headers = {"Authorization": f"Bearer {admin.json()['access_token']}"}
    created = await identity.post(
        "/accounts",
        json={"username": username, "password": STAFF_PASSWORD, "roles": roles},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    signed_in = await identity.post(
        "/auth/token", json={"username": username, "password": STAFF_PASSWORD}
    )
    token = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    return StaffAccount(created.json()["id"], token, admin_headers)
