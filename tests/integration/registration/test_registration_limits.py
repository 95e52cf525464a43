"""Anonymous registration is limited per client address and per e-mail address
(each registration mails its address): past either, 429 with `Retry-After` and
problem details in the caller's language. Staff nominating are not limited."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pesnet.registration.bootstrap import build_app
from pesnet.registration.settings import Settings
from tests.integration.registration.conftest import SECRETARIAT_HEADERS

pytestmark = pytest.mark.integration


@pytest.fixture
async def limited_app(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any]
) -> AsyncIterator[Any]:
    settings = make_settings(
        "registration",
        Settings,
        PESNET_REGISTRATIONS_PER_ADDRESS=3,
        PESNET_REGISTRATIONS_PER_EMAIL=2,
    )
    async with start_service(build_app(settings)) as svc:
        response = await svc.http.post("/dev/seed", headers=SECRETARIAT_HEADERS)
        assert response.status_code == 200, response.text
        yield svc.app


def client_at(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_one_address_registers_a_bounded_number_of_people(
    limited_app: Any, person: Callable[..., dict[str, Any]]
) -> None:
    url = "/meetings/pesnet-demo/registrations"
    async with client_at(limited_app, "198.51.100.7") as client:
        answers = [(await client.post(url, json=person(n))).status_code for n in range(3)]
        assert answers == [201, 201, 201]
        refused = await client.post(url, json=person(9), headers={"Accept-Language": "fr"})
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert "trop" in refused.json()["detail"].lower()
    # another address is not refused, nor is the secretariat nominating
    async with client_at(limited_app, "198.51.100.8") as other:
        assert (await other.post(url, json=person(10))).status_code == 201
        staff = [
            (await other.post(url, json=person(20 + n), headers=SECRETARIAT_HEADERS)).status_code
            for n in range(4)
        ]
    assert staff == [201] * 4


async def test_one_email_address_is_tried_a_bounded_number_of_times(
    limited_app: Any, person: Callable[..., dict[str, Any]]
) -> None:
    url = "/meetings/pesnet-demo/registrations"
    body = person(1, email="Someone@Example.org")
    answers = []
    for n, address in enumerate(("192.0.2.1", "192.0.2.2", "192.0.2.3")):
        async with client_at(limited_app, address) as client:
            again = {**body, "email": "someone@example.org"} if n else body
            answers.append(await client.post(url, json=again, headers={"Accept-Language": "ar"}))
    assert [a.status_code for a in answers] == [201, 409, 429]
    assert "Retry-After" in answers[2].headers
    assert answers[2].headers["content-language"] == "ar"
