"""An API token's name is text a person reads in a list: control characters (NUL,
BEL), bidirectional overrides (RLO) and blanks are refused, naming the field, and a
lifetime is a number of days written as one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pesnet.identity.bootstrap import build_app
from pesnet.identity.settings import Settings

pytestmark = pytest.mark.integration

ADMIN_PASSWORD = "admin password for tests"


async def test_token_names_say_what_they_show(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any]
) -> None:
    settings = make_settings(
        "identity",
        Settings,
        PESNET_DEV_ADMIN_USERNAME="admin",
        PESNET_DEV_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    async with start_service(build_app(settings)) as svc:
        signed_in = await svc.http.post(
            "/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        headers = {
            "Authorization": f"Bearer {signed_in.json()['access_token']}",
            "Accept-Language": "fr",
        }
        for body, field in (
            ({"name": "deploy\x00script"}, "name"),
            ({"name": "report\u202etxt.exe"}, "name"),
            ({"name": "ring\x07"}, "name"),
            ({"name": "   "}, "name"),
            ({"name": "nightly", "days": True}, "days"),
            ({"name": "nightly", "days": "30"}, "days"),
        ):
            response = await svc.http.post("/accounts/me/api-tokens", json=body, headers=headers)
            assert response.status_code == 422, (body, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert [e["field"] for e in response.json()["errors"]] == [field], body
        named = await svc.http.post(
            "/accounts/me/api-tokens", json={"name": "export\x00"}, headers=headers
        )
        assert named.json()["errors"][0]["msg"] == (
            "Contient un caractère de contrôle ou d’inversion du sens d’écriture (U+0000)."
        )
        fine = await svc.http.post(
            "/accounts/me/api-tokens", json={"name": "تصدير ليلي", "days": 30}, headers=headers
        )
        assert fine.status_code == 201, fine.text
