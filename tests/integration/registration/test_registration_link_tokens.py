"""A link's `?token=` is a manage token or nothing: the secretariat token or an access
token in a URL (where histories, logs and proxies keep it) opens nothing, neither the
JSON API nor the manage page; the registrant's own link works as before."""

from __future__ import annotations

import pytest

from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.registration.conftest import Register, Registration

pytestmark = pytest.mark.integration

A_JWT = "eyJhbGciOiJFZERTQSIsImtpZCI6IngifQ.eyJzdWIiOiJhY2NfMSJ9.c2lnbmF0dXJl"


async def test_only_a_manage_token_opens_a_link(
    registration: Registration, register: Register
) -> None:
    registered = await register(7)
    path = f"/registrations/{registered['id']}"

    own = await registration.http.get(path, params={"token": registered["manage_token"]})
    assert own.status_code == 200, own.text
    assert own.json()["email"] == "amina7@anapec.example.ma"

    for credential in (DEV_SECRETARIAT_TOKEN, A_JWT):
        refused = await registration.http.get(path, params={"token": credential})
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        page = await registration.http.get(
            path, params={"token": credential}, headers={"Accept": "text/html"}
        )
        assert "amina7@anapec.example.ma" not in page.text
        assert registered["manage_token"] not in page.text

    # the same secretariat token as a bearer token is what it always was
    staff = await registration.http.get(
        path, headers={"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
    )
    assert staff.status_code == 200
