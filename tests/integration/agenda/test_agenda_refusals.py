"""What the agenda refuses instead of guessing: a blank name or title, a session start
written as a number (`12345` was read as seconds, 03:25:45), a boolean for a number and
a number for a boolean; and the next meeting decided twice with different details is a
conflict naming the detail, while the same decision again answers the same meeting."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.agenda.conftest import MEETING, SECRETARIAT

pytestmark = pytest.mark.integration

SESSIONS = f"/meetings/{MEETING}/sessions"


def refused_field(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["errors"][0]["field"])


def session(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "side-event",
        "kind": "presentation",
        "title": {"ar": "عرض جانبي", "en": "Side event", "fr": "Événement parallèle"},
        "day": "2024-02-29",
        "start": "17:30",
        "end": "18:30",
    }
    return {**body, **overrides}


async def test_blank_names_and_titles_are_refused_naming_the_field(
    agenda: httpx.AsyncClient,
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    people = f"/meetings/{MEETING}/people"
    for name, field in (
        ({"en": "   "}, "name.en"),
        ({}, "name"),
        ({"ar": "", "en": None}, "name"),
        ({"en": "Amina", "fr": " \t "}, "name.fr"),
    ):
        response = await agenda.put(
            f"{people}/amina",
            json={"name": name, "email": "amina@example.org"},
            headers={**SECRETARIAT, "Accept-Language": "fr"},
        )
        assert refused_field(response) == field, name
    blank = await agenda.put(
        f"{people}/amina",
        json={"name": {"en": " "}, "email": "amina@example.org"},
        headers={**SECRETARIAT, "Accept-Language": "fr"},
    )
    assert "vide" in blank.json()["errors"][0]["msg"]
    institution = await agenda.put(
        f"/meetings/{MEETING}/institutions/newinst",
        json={"name": {"ar": " ", "en": " ", "fr": " "}},
        headers=SECRETARIAT,
    )
    assert refused_field(institution) == "name.ar"
    assert (
        refused_field(
            await agenda.post(SESSIONS, json=session(title={"en": "\u3000"}), headers=SECRETARIAT)
        )
        == "title.en"
    )
    fine = await agenda.put(
        f"{people}/amina",
        json={"name": {"en": "Amina Benali"}, "email": "amina@example.org"},
        headers=SECRETARIAT,
    )
    assert fine.status_code == 200, fine.text


async def test_numbers_booleans_and_times_are_taken_as_written(agenda: httpx.AsyncClient) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    for overrides, field in (
        ({"start": 12345}, "start"),
        ({"end": 66000}, "end"),
        ({"day": 19782}, "day"),
        ({"start": True}, "start"),
    ):
        response = await agenda.post(SESSIONS, json=session(**overrides), headers=SECRETARIAT)
        assert refused_field(response) == field, overrides
    meeting = {
        "id": "strict-meeting",
        "number": 77,
        "title": {"ar": "اجتماع", "en": "Meeting", "fr": "Réunion"},
        "timezone": "UTC",
        "start_date": "2031-01-10",
        "end_date": "2031-01-11",
    }
    coerced: tuple[tuple[dict[str, Any], str], ...] = (
        ({"number": True}, "number"),
        ({"number": "77"}, "number"),
        ({"delegation_quota": 2.5}, "delegation_quota"),
        ({"registration_open": 1}, "registration_open"),
        ({"registration_open": "yes"}, "registration_open"),
    )
    for overrides, field in coerced:
        response = await agenda.post(
            "/meetings", json={**meeting, **overrides}, headers=SECRETARIAT
        )
        assert refused_field(response) == field, overrides
    created = await agenda.post("/meetings", json=meeting, headers=SECRETARIAT)
    assert created.status_code == 201, created.text


async def test_the_next_meeting_decided_again_differently_is_a_conflict(
    agenda: httpx.AsyncClient,
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    decision = {"tentative_month": "2026-03", "country": "TUR", "timezone": "Europe/Istanbul"}
    first = await agenda.post(
        f"/meetings/{MEETING}/next-meeting", json=decision, headers=SECRETARIAT
    )
    assert first.status_code == 201, first.text
    again = await agenda.post(
        f"/meetings/{MEETING}/next-meeting", json=decision, headers=SECRETARIAT
    )
    assert again.status_code in (200, 201)
    assert again.json()["id"] == first.json()["id"]
    for other, field in (
        ({**decision, "country": "MAR"}, "country"),
        ({**decision, "timezone": "Africa/Casablanca"}, "timezone"),
        ({"tentative_month": "2026-04"}, "tentative_month"),
    ):
        conflict = await agenda.post(
            f"/meetings/{MEETING}/next-meeting", json=other, headers=SECRETARIAT
        )
        assert conflict.status_code == 409, conflict.text
        assert conflict.headers["content-type"] == "application/problem+json"
        assert conflict.json()["errors"][0]["field"] == field
