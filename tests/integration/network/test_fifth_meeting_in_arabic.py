"""The network from one meeting to the next, in Arabic: from the Marrakech decision
(`POST /meetings/pesnet-4/next-meeting`) to a checked-in delegate of the 5th meeting,
through the HTTP APIs of agenda and registration, both running in process on the same
broker and database server; every error on the way is Arabic problem details. And the
waiting list under concurrent confirmations."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from pesnet.agenda.bootstrap import build_app as build_agenda
from pesnet.agenda.settings import Settings as AgendaSettings
from pesnet.registration.bootstrap import build_app as build_registration
from pesnet.registration.settings import Settings as RegistrationSettings
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.support import eventually

pytestmark = pytest.mark.integration

ARABIC = {"Accept-Language": "ar"}
SECRETARIAT_AR = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}", **ARABIC}
ARABIC_LETTERS = re.compile(r"[\u0600-\u06FF]")
ZONE = ZoneInfo("Africa/Casablanca")


@dataclass
class Network:
    agenda: httpx.AsyncClient
    registration: httpx.AsyncClient


@pytest.fixture
async def network(
    make_settings: Callable[..., Any], start_service: Callable[..., Any]
) -> AsyncIterator[Network]:
    """Agenda and registration on the same broker vhost and database server."""
    agenda_settings = make_settings("agenda", AgendaSettings)
    registration_settings = make_settings("registration", RegistrationSettings)
    async with (
        start_service(build_agenda(agenda_settings)) as agenda,
        start_service(build_registration(registration_settings)) as registration,
    ):
        yield Network(agenda.http, registration.http)


def arabic_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is problem details of `status`, in Arabic (detail and every field
    message)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["content-language"] == "ar"
    body: dict[str, Any] = response.json()
    texts = [body["title"], body["detail"], *(e["msg"] for e in body.get("errors", []))]
    for text in texts:
        assert ARABIC_LETTERS.search(text), f"not Arabic: {text!r} in {body}"
    return body


async def host(agenda: httpx.AsyncClient) -> None:
    """The host institution of the 5th meeting (ANAPEC), on the meeting."""
    response = await agenda.put(
        "/meetings/pesnet-5/institutions/anapec",
        json={
            "name": {
                "ar": "الوكالة الوطنية لإنعاش التشغيل والكفاءات",
                "en": "National Agency for the Promotion of Employment and Skills",
                "fr": "Agence nationale de promotion de l'emploi et des compétences",
            },
            "acronym": "ANAPEC",
            "country": "MAR",
        },
        headers=SECRETARIAT_AR,
    )
    assert response.status_code in (200, 201), response.text


async def test_from_the_marrakech_decision_to_a_checked_in_arabic_delegate(
    network: Network,
) -> None:
    agenda, registration = network.agenda, network.registration
    seeded = await agenda.post("/dev/seed", headers=SECRETARIAT_AR)
    assert seeded.status_code == 200, seeded.text
    today = datetime.now(ZONE).date()
    month = f"{today:%Y-%m}"

    arabic_problem(
        await agenda.post(
            "/meetings/pesnet-4/next-meeting",
            json={"tentative_month": "2026-13"},
            headers=SECRETARIAT_AR,
        ),
        422,
    )
    decided = await agenda.post(
        "/meetings/pesnet-4/next-meeting",
        json={"tentative_month": month},
        headers=SECRETARIAT_AR,
    )
    assert decided.status_code == 201, decided.text
    assert (decided.json()["id"], decided.json()["status"]) == ("pesnet-5", "tentative")

    delegate = {
        "given_name": "فاطمة",
        "family_name": "الزهراء",
        "email": "fatima.zahra@anapec.example.ma",
        "country": "MAR",
        "institution": "ANAPEC",
        "position": "مديرة",
        "role": "delegate",
        "language": "ar",
    }
    registrations = "/meetings/pesnet-5/registrations"

    # registration hears of the tentative meeting: it takes nobody yet, and says so in Arabic
    async def refused_while_tentative() -> bool:
        response = await registration.post(registrations, json=delegate, headers=ARABIC)
        return response.status_code == 409

    await eventually(refused_while_tentative)
    arabic_problem(await registration.post(registrations, json=delegate, headers=ARABIC), 409)

    # the secretariat completes it: the dates (today, in Marrakech's zone), the place
    patch = "/meetings/pesnet-5"
    await host(agenda)
    arabic_problem(
        await agenda.patch(
            patch,
            json={"start_date": today.isoformat(), "end_date": (today - timedelta(1)).isoformat()},
            headers=SECRETARIAT_AR,
        ),
        422,
    )
    completed = await agenda.patch(
        patch,
        json={
            "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=1)).isoformat(),
            "city": {"ar": "الرباط", "en": "Rabat", "fr": "Rabat"},
            "country": "MAR",
            "timezone": "Africa/Casablanca",
            "host_institution": "anapec",
            "delegation_quota": 3,
            "status": "scheduled",
        },
        headers=SECRETARIAT_AR,
    )
    assert completed.status_code == 200, completed.text
    opened = await agenda.patch(
        patch,
        json={
            "registration_opens_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            "status": "registration_open",
        },
        headers=SECRETARIAT_AR,
    )
    assert opened.status_code == 200, opened.text

    created: dict[str, Any] = {}

    async def registered() -> bool:
        response = await registration.post(registrations, json=delegate, headers=ARABIC)
        if response.status_code == 201:
            created.update(response.json())
        return response.status_code == 201

    await eventually(registered)
    registration_id = created["id"]
    # the same address twice, a bad field: Arabic problems naming the field
    twice = arabic_problem(
        await registration.post(registrations, json=delegate, headers=ARABIC), 409
    )
    assert "fatima.zahra" not in twice["detail"]
    bad = arabic_problem(
        await registration.post(
            registrations, json={**delegate, "email": "x@y", "country": "XXX"}, headers=ARABIC
        ),
        422,
    )
    assert {e["field"] for e in bad["errors"]} >= {"country"}

    # not confirmed yet: no check-in, in Arabic
    check_in = f"/registrations/{registration_id}/check-in"
    arabic_problem(await registration.post(check_in, headers=SECRETARIAT_AR), 409)
    confirmed = await registration.post(
        f"/registrations/{registration_id}/confirm", headers=SECRETARIAT_AR
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    checked_in = await registration.post(check_in, headers=SECRETARIAT_AR)
    assert checked_in.status_code == 200, checked_in.text
    shown = await registration.get(f"/registrations/{registration_id}", headers=SECRETARIAT_AR)
    assert shown.json()["checked_in_at"] is not None
    assert shown.json()["language"] == "ar"


async def test_five_concurrent_confirmations_against_a_quota_of_two_number_the_waiting_list(
    network: Network,
) -> None:
    agenda, registration = network.agenda, network.registration
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT_AR)).status_code == 200
    decided = await agenda.post(
        "/meetings/pesnet-4/next-meeting",
        json={"tentative_month": f"{datetime.now(ZONE):%Y-%m}"},
        headers=SECRETARIAT_AR,
    )
    assert decided.status_code == 201, decided.text
    start = datetime.now(ZONE).date() + timedelta(days=30)
    await host(agenda)
    opened = await agenda.patch(
        "/meetings/pesnet-5",
        json={
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=1)).isoformat(),
            "city": {"ar": "الرباط", "en": "Rabat", "fr": "Rabat"},
            "country": "MAR",
            "host_institution": "anapec",
            "delegation_quota": 2,
            "status": "scheduled",
        },
        headers=SECRETARIAT_AR,
    )
    assert opened.status_code == 200, opened.text
    opened = await agenda.patch(
        "/meetings/pesnet-5",
        json={
            "registration_opens_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            "status": "registration_open",
        },
        headers=SECRETARIAT_AR,
    )
    assert opened.status_code == 200, opened.text

    ids: list[str] = []

    async def open_for_registration() -> bool:
        response = await registration.post(
            "/meetings/pesnet-5/registrations",
            json={
                "given_name": "Amina",
                "family_name": "Benali0",
                "email": "amina0@anapec.example.ma",
                "country": "MAR",
                "institution": "ANAPEC",
                "position": "Director",
                "role": "delegate",
                "language": "ar",
            },
        )
        if response.status_code == 201:
            ids.append(response.json()["id"])
        return response.status_code == 201

    await eventually(open_for_registration)
    for n in range(1, 5):
        response = await registration.post(
            "/meetings/pesnet-5/registrations",
            json={
                "given_name": "Amina",
                "family_name": f"Benali{n}",
                "email": f"amina{n}@anapec.example.ma",
                "country": "MAR",
                "institution": "ANAPEC",
                "position": "Director",
                "role": "delegate",
                "language": "ar",
            },
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])

    answers = await asyncio.gather(
        *(registration.post(f"/registrations/{i}/confirm", headers=SECRETARIAT_AR) for i in ids)
    )
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert sorted(a.json()["status"] for a in answers) == ["confirmed"] * 2 + ["waitlisted"] * 3

    shown = [
        (await registration.get(f"/registrations/{i}", headers=SECRETARIAT_AR)).json() for i in ids
    ]
    positions = sorted(s["waitlist_position"] for s in shown if s["status"] == "waitlisted")
    assert positions == [1, 2, 3]
    assert all("waitlist_position" not in s for s in shown if s["status"] == "confirmed")
