"""The 4th meeting end to end through the agenda's HTTP API and the bus: seed,
confirmations from registration events, release, rendering, a move and version 2."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from icalendar import Calendar

from pesnet.shared.events.agenda import (
    ChairmanshipTransferred,
    MeetingScheduled,
    ProgrammeReleased,
    ReleaseNoticesPrepared,
)
from tests.integration.agenda.conftest import (
    MEETING,
    SECRETARIAT,
    RegistrationEvents,
    wait_confirmed,
)
from tests.support import BusTap

pytestmark = pytest.mark.integration

SESSION_2_PEOPLE = {"souhail", "el-kasbaoui", "el-harrane", "jai-kumar", "abboudou"}


async def seed(agenda: httpx.AsyncClient) -> None:
    response = await agenda.post("/dev/seed", headers=SECRETARIAT)
    assert response.status_code == 200, response.text


async def confirm_everyone(agenda: httpx.AsyncClient, events: RegistrationEvents) -> dict[str, str]:
    """Confirm the 15 programme people (as registration would); → person id: registration id."""
    meeting = (await agenda.get(f"/meetings/{MEETING}")).json()
    for person_id in meeting["people"]:
        await events.confirm(person_id, language="ar" if person_id == "souhail" else "en")
    found = await wait_confirmed(agenda, {f"{p}@example.org" for p in meeting["people"]})
    return {email.split("@")[0]: registration_id for email, registration_id in found.items()}


async def test_seed_is_idempotent_and_announces_the_meeting_and_the_handover(
    agenda: httpx.AsyncClient, tap: BusTap
) -> None:
    await seed(agenda)
    second = await agenda.post("/dev/seed", headers=SECRETARIAT)
    assert second.json() == {
        "meeting": "exists",
        "draft": "exists",
        "chair_history": "exists",
        "handover": "exists",
        "demo_meeting": "exists",
        "demo_draft": "exists",
        "communique": "exists",
    }

    meeting = (await agenda.get(f"/meetings/{MEETING}")).json()
    assert (meeting["number"], meeting["city"]["en"], meeting["timezone"]) == (
        4,
        "Marrakech",
        "Africa/Casablanca",
    )
    assert (meeting["start_date"], meeting["end_date"]) == ("2024-02-29", "2024-03-01")
    # the 4th meeting is history: held, no longer open for registration
    assert meeting["registration_open"] is False
    assert meeting["status"] == "held"
    assert meeting["delegation_quota"] == 3
    assert len(meeting["people"]) == 15
    assert "email" not in meeting["people"]["sekkouri"]  # the public view has no addresses

    scheduled = await tap.wait_for(MeetingScheduled, meeting_id=MEETING)
    transferred = await tap.wait_for(ChairmanshipTransferred, meeting_id=MEETING)
    assert len(tap.of(MeetingScheduled, meeting_id=MEETING)) == 1
    assert len(tap.of(ChairmanshipTransferred, meeting_id=MEETING)) == 1
    assert scheduled[0]["data"]["delegation_quota"] == 3
    assert scheduled[0]["data"]["status"] == "held"  # announced as history
    handover = transferred[0]["data"]
    assert handover["outgoing"]["institution"] == "iskur"
    assert handover["outgoing"]["oic_group"] == "asian"
    assert (handover["incoming"]["institution"], handover["incoming"]["oic_group"]) == (
        "anapec",
        "arab",
    )
    assert handover["term"] == "2024-2026"

    chair = (await agenda.get("/network/chairmanship")).json()
    assert chair["current"]["holder"]["institution"] == "anapec"
    assert chair["current"]["from_date"] == "2024-02-29"
    assert [t["holder"]["institution"] for t in chair["past"]] == ["iskur"]
    assert chair["past"][0]["to_date"] == "2024-02-29"

    anapec = {
        "institution": "anapec",
        "name": {"ar": "الوكالة", "en": "ANAPEC", "fr": "ANAPEC"},
        "country": "MAR",
        "oic_group": "arab",
    }
    handovers = "/network/chairmanship/handovers"
    again = {"incoming": anapec, "effective_date": "2024-02-29", "term": "2024-2026"}
    assert (await agenda.post(handovers, json=again)).status_code == 401
    assert (await agenda.post(handovers, json=again, headers=SECRETARIAT)).status_code == 409
    wrong_group = {**again, "incoming": {**anapec, "institution": "x", "oic_group": "asian"}}
    refused = await agenda.post(handovers, json=wrong_group, headers=SECRETARIAT)
    assert refused.json()["errors"][0]["field"] == "incoming.oic_group"
    bad_term = await agenda.post(handovers, json={**again, "term": "2024"}, headers=SECRETARIAT)
    assert bad_term.json()["errors"][0]["field"] == "term"


async def test_release_render_move_and_release_version_2(
    agenda: httpx.AsyncClient, tap: BusTap, registration_events: RegistrationEvents
) -> None:
    await seed(agenda)
    nobody_confirmed = await agenda.post(
        f"/meetings/{MEETING}/programme/releases", headers=SECRETARIAT
    )
    assert nobody_confirmed.status_code == 422
    detail = nobody_confirmed.json()["errors"][0]
    assert detail["field"] == "sessions.opening.speakers"
    # the person by the programme's id, nothing else about them (no address)
    assert "sekkouri is not a confirmed participant" in detail["msg"]
    assert "@" not in str(nobody_confirmed.json())

    registrations = await confirm_everyone(agenda, registration_events)
    first = await agenda.post(f"/meetings/{MEETING}/programme/releases", headers=SECRETARIAT)
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1

    # the Arabic programme: right-to-left, 09:00 registration to 17:30 cultural visit
    page = await agenda.get(
        f"/meetings/{MEETING}/programme", params={"lang": "ar", "format": "html"}
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in page.text
    text = re.sub(r"<[^>]+>", " ", page.text)
    assert "الخميس، 29 فبراير 2024" in text
    assert text.index("09:00") < text.index("التسجيل")
    assert text.index("التسجيل") < text.index("17:30") < text.index("زيارة ثقافية")

    again = await agenda.post(f"/meetings/{MEETING}/programme/releases", headers=SECRETARIAT)
    assert again.status_code == 409

    moved = await agenda.post(
        f"/meetings/{MEETING}/sessions/session-2/move", json={"by_minutes": 30}, headers=SECRETARIAT
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["start"], moved.json()["end"]) == ("16:15", "17:45")

    # two secretaries press "publish" at once: one version 2, one 409
    both = await asyncio.gather(
        agenda.post(f"/meetings/{MEETING}/programme/releases", headers=SECRETARIAT),
        agenda.post(f"/meetings/{MEETING}/programme/releases", headers=SECRETARIAT),
    )
    assert sorted(r.status_code for r in both) == [201, 409], [r.text for r in both]
    second = next(r for r in both if r.status_code == 201)
    body = second.json()
    assert body["version"] == 2
    assert [(c["kind"], c["session_id"]) for c in body["changes"]] == [("moved", "session-2")]
    affected = {a["registration_id"]: a["session_ids"] for a in body["affected"]}
    assert affected == {registrations[p]: ["session-2"] for p in SESSION_2_PEOPLE}

    released = await tap.wait_for(ProgrammeReleased, version=2)
    assert len(tap.of(ProgrammeReleased, version=2)) == 1
    event = released[0]["data"]
    assert event["changes"][0]["session_id"] == "session-2"
    assert "Session 2" in event["changes"][0]["title"]["en"]
    summary = next(s for s in event["sessions"] if s["session_id"] == "session-2")
    assert summary["starts_at"] == "2024-02-29T16:15:00+01:00"
    # the public release names nobody: no registrations, no calendar with speakers
    assert not {"affected", "ics", "ics_by_language"} & set(event)
    # the internal notices carry whom to tell and the calendars
    [notices] = await tap.wait_for(ReleaseNoticesPrepared, version=2)
    prepared = notices["data"]
    assert {a["registration_id"] for a in prepared["affected"]} == {
        registrations[p] for p in SESSION_2_PEOPLE
    }
    assert "BEGIN:VCALENDAR" in prepared["ics"]
    assert "SUMMARY:زيارة ثقافية" in prepared["ics_by_language"]["ar"]
    assert len(await tap.wait_for(ProgrammeReleased, version=1)) == 1

    # every version stays readable
    v1 = (await agenda.get(f"/meetings/{MEETING}/programme", params={"version": 1})).json()
    v2 = (await agenda.get(f"/meetings/{MEETING}/programme")).json()
    start_of = {
        v["version"]: next(s["start"] for s in v["sessions"] if s["id"] == "session-2")
        for v in (v1, v2)
    }
    assert start_of == {1: "15:45", 2: "16:15"}
    missing = await agenda.get(f"/meetings/{MEETING}/programme", params={"version": 3})
    assert missing.status_code == 404

    # iCalendar: the whole meeting, and one person's own sessions
    whole = await agenda.get(f"/meetings/{MEETING}/programme", params={"format": "ics"})
    assert whole.headers["content-type"].startswith("text/calendar")
    assert len(Calendar.from_ical(whole.text).walk("VEVENT")) == 16
    mine = await agenda.get(
        f"/meetings/{MEETING}/programme",
        params={"format": "ics", "lang": "fr", "registration_id": registrations["dur"]},
    )
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(mine.text).walk("VEVENT")]
    # their own sessions and the plenaries, not the others' panels nor the breaks
    assert "Séance d'ouverture" in summaries
    assert (
        "Session 1 : L'entrepreneuriat, moteur de croissance durable et d'inclusion économique"
        in summaries
    )
    assert not any(s.startswith("Session 2") for s in summaries)
    assert len(summaries) == 9
    assert "DTSTART;TZID=Africa/Casablanca:20240229T093000" in mine.text
