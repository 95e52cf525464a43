"""Editing the draft over HTTP (each bad input a 4xx naming the field), the
projection of registration events, and the withdrawn-speaker flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pesnet.agenda.settings import Settings
from pesnet.devtools.seed_meeting4 import SeedError, seed_meeting4
from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import (
    MeetingScheduled,
    ProgrammeReleased,
    SessionChanged,
    SessionChangeNoticesPrepared,
)
from pesnet.shared.events.registration import (
    ParticipantRegistered,
    ParticipantWithdrawn,
    PersonalDataPurged,
)
from pesnet.shared.mongo import Client
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.agenda.conftest import (
    MEETING,
    SECRETARIAT,
    RegistrationEvents,
    stand_in_registration,
    wait_confirmed,
)
from tests.support import BusTap, duplicate_seen, eventually

pytestmark = pytest.mark.integration

SESSIONS = f"/meetings/{MEETING}/sessions"
DEMO = "pesnet-demo"


def field_of(response: httpx.Response) -> str:
    errors = response.json()["errors"]
    return str(errors[0]["field"])


def extra_session(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": "side-event",
        "kind": "presentation",
        "title": {"ar": "عرض جانبي", "en": "Side event", "fr": "Événement parallèle"},
        "day": "2024-02-29",
        "start": "17:30",
        "end": "18:30",
        "room": "Atlas",
    }
    body.update(overrides)
    return body


async def test_editing_the_draft_names_what_is_wrong(
    agenda: httpx.AsyncClient, tap: BusTap
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200

    assert (await agenda.post(SESSIONS, json=extra_session())).status_code == 401

    async def add(**overrides: object) -> httpx.Response:
        return await agenda.post(SESSIONS, json=extra_session(**overrides), headers=SECRETARIAT)

    assert field_of(await add(day="2024-03-02")) == "day"
    assert field_of(await add(end="17:00")) == "end"
    assert field_of(await add(speakers=["nobody"])) == "speakers.0"
    assert field_of(await add(colour="red")) == "colour"
    assert field_of(await add(kind="concert")) == "kind"
    # 17:30Z would be 18:30 in Marrakech: refused, never shifted
    wrong_offset = await add(start="17:30Z")
    assert field_of(wrong_offset) == "start"
    assert "+01:00" in wrong_offset.json()["errors"][0]["msg"]

    created = await add(start="17:30+01:00", speakers=["erol"])
    assert created.status_code == 201, created.text
    assert created.json()["starts_at"] == "2024-02-29T17:30:00+01:00"

    clash = await add(id="other", start="18:00", end="18:45")
    assert field_of(clash) == "room"
    assert "side-event" in clash.json()["errors"][0]["msg"]
    # Eser Erol is in the side event; Session 2 overlaps it once moved to 17:00
    moved = await agenda.post(
        f"{SESSIONS}/session-2/move", json={"start": "17:00"}, headers=SECRETARIAT
    )
    assert moved.status_code == 200  # not the same people: fine
    overlap = await agenda.patch(
        f"{SESSIONS}/session-2", json={"speakers": ["erol"]}, headers=SECRETARIAT
    )
    assert field_of(overlap) == "speakers"
    assert "side-event" in overlap.json()["errors"][0]["msg"]

    # a public title without French cannot be published
    retitled = await agenda.patch(
        f"{SESSIONS}/side-event",
        json={"title": {"ar": "عرض", "en": "Side event"}},
        headers=SECRETARIAT,
    )
    assert retitled.status_code == 200
    refused = await agenda.post(f"/meetings/{MEETING}/programme/releases", headers=SECRETARIAT)
    assert refused.status_code == 422
    assert field_of(refused) == "sessions.side-event.title.fr"

    deleted = await agenda.delete(f"{SESSIONS}/side-event", headers=SECRETARIAT)
    assert deleted.status_code == 204
    assert (await agenda.delete(f"{SESSIONS}/side-event", headers=SECRETARIAT)).status_code == 404
    draft = (await agenda.get(f"/meetings/{MEETING}/draft", headers=SECRETARIAT)).json()
    assert len(draft["sessions"]) == 16
    assert draft["status"] == "draft"


async def test_scheduling_meetings_and_the_next_meeting_decision(
    agenda: httpx.AsyncClient, tap: BusTap
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    meeting = {
        "id": "workshop-1",
        "number": 41,
        "title": {"ar": "ورشة", "en": "Workshop", "fr": "Atelier"},
        "timezone": "Africa/Casablanca",
        "start_date": "2024-03-20",
        "end_date": "2024-03-21",
        "country": "MAR",
    }

    async def schedule(**overrides: object) -> httpx.Response:
        return await agenda.post("/meetings", json={**meeting, **overrides}, headers=SECRETARIAT)

    assert field_of(await schedule(timezone="Mars/Olympus")) == "timezone"
    assert field_of(await schedule(end_date="2024-03-19")) == "end_date"
    assert field_of(await schedule(country="FRA")) == "country"
    assert field_of(await schedule(title={"en": "Workshop"})) == "title.ar"
    assert (await schedule(id="pesnet-4")).status_code == 409
    created = await schedule()
    assert created.status_code == 201, created.text
    await tap.wait_for(MeetingScheduled, meeting_id="workshop-1")
    # during Ramadan 2024 Morocco is on UTC+00:00: a session there says so
    session = await agenda.post(
        "/meetings/workshop-1/sessions",
        json=extra_session(day="2024-03-20", start="10:00", end="11:00"),
        headers=SECRETARIAT,
    )
    assert session.json()["starts_at"] == "2024-03-20T10:00:00+00:00"
    bad = await agenda.post(
        f"/meetings/{MEETING}/next-meeting",
        json={"tentative_month": "2025-13"},
        headers=SECRETARIAT,
    )
    assert field_of(bad) == "tentative_month"
    decided = await agenda.post(
        f"/meetings/{MEETING}/next-meeting",
        json={"tentative_month": "2025-11"},
        headers=SECRETARIAT,
    )
    assert decided.status_code == 201, decided.text
    assert (decided.json()["id"], decided.json()["number"], decided.json()["status"]) == (
        "pesnet-5",
        5,
        "tentative",
    )
    event = await tap.wait_for(MeetingScheduled, meeting_id="pesnet-5")
    assert event[0]["data"]["tentative_month"] == "2025-11"
    assert event[0]["data"]["title"]["en"].startswith("5th Meeting")
    other = await agenda.post(
        f"/meetings/{MEETING}/next-meeting",
        json={"tentative_month": "2026-01"},
        headers=SECRETARIAT,
    )
    assert other.status_code == 409


async def test_a_withdrawn_speaker_flags_the_session_and_blocks_the_release(
    agenda: httpx.AsyncClient, tap: BusTap, registration_events: RegistrationEvents
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    meeting = (await agenda.get(f"/meetings/{MEETING}")).json()
    for person_id in meeting["people"]:
        await registration_events.confirm(person_id)
    registrations = await wait_confirmed(agenda, {f"{p}@example.org" for p in meeting["people"]})
    assert (
        await agenda.post(f"/meetings/{MEETING}/programme/releases", headers=SECRETARIAT)
    ).status_code == 201

    await registration_events.withdraw("jai-kumar")
    changed = await tap.wait_for(SessionChanged, session_id="session-2")
    data = changed[0]["data"]
    assert data["change"] == "speaker_withdrawn"
    assert data["flagged"] is True
    assert data["summary"]["en"] == "A speaker withdrew; the session is under review"
    assert "Jai Kumar" not in str(data)  # a public event: nobody is named
    assert "affected_registration_ids" not in data
    # the others of the session hear of it (internally); the one who withdrew does not
    [prepared] = await tap.wait_for(SessionChangeNoticesPrepared, session_id="session-2")
    assert set(prepared["data"]["affected_registration_ids"]) == {
        registrations[f"{p}@example.org"]
        for p in ("souhail", "el-kasbaoui", "el-harrane", "abboudou")
    }
    draft = (await agenda.get(f"/meetings/{MEETING}/draft", headers=SECRETARIAT)).json()
    session_2 = next(s for s in draft["sessions"] if s["id"] == "session-2")
    assert session_2["flagged"] is True

    refused = await agenda.post(f"/meetings/{MEETING}/programme/releases", headers=SECRETARIAT)
    assert field_of(refused) == "sessions.session-2.speakers"

    # the secretariat takes him off the panel: the flag goes, and version 2 says so
    fixed = await agenda.patch(
        f"{SESSIONS}/session-2",
        json={"speakers": ["el-kasbaoui", "el-harrane", "abboudou"]},
        headers=SECRETARIAT,
    )
    assert fixed.json()["flagged"] is False
    second = await agenda.post(f"/meetings/{MEETING}/programme/releases", headers=SECRETARIAT)
    assert second.status_code == 201, second.text
    assert [(c["kind"], c["session_id"]) for c in second.json()["changes"]] == [
        ("speakers_changed", "session-2")
    ]


async def test_an_older_event_does_not_undo_a_newer_one_and_a_purge_forgets(
    agenda: httpx.AsyncClient, registration_events: RegistrationEvents
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    # a moderator of the programme, and a delegate the programme does not name (whose
    # "registered" is stored without reading what is there)
    people = {"souhail": "moderator", "nadia.delegate": "delegate"}
    for person, role in people.items():
        await registration_events.confirm(person, role=role)
    await wait_confirmed(agenda, {f"{p}@example.org" for p in people})
    for person, role in people.items():
        # a redelivered "registered" from before the confirmation arrives late
        email = f"{person}@example.org"
        payload = ParticipantRegistered(
            registration_id=registration_events.registration_id(email),
            meeting_id=MEETING,
            given_name=person.title(),
            family_name="Demo",
            email=email,
            country="MAR",
            institution="ANAPEC",
            position="Director",
            role=role,
            language="ar",
            status="registered",
            registered_at=datetime.now(UTC) - timedelta(hours=1),
        )
        late = CATALOG.envelope(payload, source="/pesnet/registration").model_copy(
            update={"time": datetime.now(UTC) - timedelta(hours=1)}
        )
        await registration_events.publisher.publish(late)
    marker = await registration_events.confirm("dur")  # published after the late ones
    await wait_confirmed(agenda, {"dur@example.org"})
    assert marker
    participants = (
        await agenda.get(f"/meetings/{MEETING}/participants", headers=SECRETARIAT)
    ).json()
    status = {p["email"]: p["status"] for p in participants}
    assert status["souhail@example.org"] == "confirmed"
    assert status["nadia.delegate@example.org"] == "confirmed"

    # registration erases the meeting's personal data: the projection follows
    purged = PersonalDataPurged(meeting_id=MEETING, registrations=3, purged_at=datetime.now(UTC))
    await registration_events.publisher.publish(
        CATALOG.envelope(purged, source="/pesnet/registration")
    )

    async def forgotten() -> bool:
        response = await agenda.get(f"/meetings/{MEETING}/participants", headers=SECRETARIAT)
        return len(response.json()) == 0

    await eventually(forgotten)


async def test_the_demo_seed_registers_confirms_and_publishes_pesnet_demo_and_the_4th_as_history(
    agenda: httpx.AsyncClient, tap: BusTap, registration_events: RegistrationEvents
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    registration_app = stand_in_registration(registration_events)
    transport = httpx.ASGITransport(app=registration_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://registration"
    ) as registration:
        # one person registered before (a 409 the seed must get past)
        await registration.post(
            f"/meetings/{DEMO}/registrations",
            json={
                "given_name": "Hicham",
                "family_name": "Souhail",
                "email": "souhail@example.org",
                "country": "MAR",
                "institution": "ANAPEC",
                "position": "Director",
                "role": "moderator",
                "language": "ar",
            },
        )
        await seed_meeting4(registration, agenda, DEV_SECRETARIAT_TOKEN, stall=30)
        await seed_meeting4(registration, agenda, DEV_SECRETARIAT_TOKEN, stall=30)

    participants = (await agenda.get(f"/meetings/{DEMO}/participants", headers=SECRETARIAT)).json()
    assert len(participants) == 15
    assert {p["status"] for p in participants} == {"confirmed"}
    languages = {p["person_id"]: p["language"] for p in participants}
    assert (languages["sekkouri"], languages["dur"], languages["abboudou"]) == ("ar", "en", "fr")
    roles = {p["person_id"]: p["role"] for p in participants}
    countries = {p["person_id"]: p["country"] for p in participants}
    assert (countries["dur"], countries["selcuk"], countries["abboudou"]) == ("TUR", None, None)
    assert (roles["souhail"], roles["jai-kumar"]) == ("moderator", "speaker")

    releases = (await agenda.get(f"/meetings/{DEMO}/programme/releases")).json()
    assert [r["version"] for r in releases] == [1]
    await tap.wait_for(ProgrammeReleased, version=1, meeting_id=DEMO)
    held = (await agenda.get(f"/meetings/{MEETING}/programme/releases")).json()
    assert [r["version"] for r in held] == [1]  # the held 4th meeting's, as history
    await tap.until(lambda: len(tap.of(ProgrammeReleased)) == 2)


async def test_seed_meeting4_stops_with_a_clear_error_when_speakers_are_waitlisted(
    agenda: httpx.AsyncClient, registration_events: RegistrationEvents
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    transport = httpx.ASGITransport(app=stand_in_registration(registration_events, quota=3))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://registration"
    ) as registration:
        with pytest.raises(SeedError, match=r"waitlisted.*\(MAR\)"):
            await seed_meeting4(registration, agenda, DEV_SECRETARIAT_TOKEN, stall=30)
    assert (await agenda.get(f"/meetings/{DEMO}/programme/releases")).json() == []


async def test_a_withdrawal_delivered_twice_tells_the_session_once(
    agenda: httpx.AsyncClient,
    agenda_settings: Settings,
    tap: BusTap,
    registration_events: RegistrationEvents,
    mongo_client: Client,
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    for person_id in ("souhail", "el-kasbaoui", "el-harrane", "jai-kumar", "abboudou"):
        await registration_events.confirm(person_id)
    await wait_confirmed(agenda, {"jai-kumar@example.org", "abboudou@example.org"})
    withdrawal = CATALOG.envelope(
        ParticipantWithdrawn(
            registration_id=registration_events.registration_id("jai-kumar@example.org"),
            meeting_id=MEETING,
            given_name="Jai",
            family_name="Kumar",
            email="jai-kumar@example.org",
            country="MYS",
            institution="Demo institution",
            position="Director",
            role="speaker",
            language="en",
            status="withdrawn",
        ),
        source="/pesnet/registration",
    )

    await registration_events.publisher.publish(withdrawal)
    await registration_events.publisher.publish(withdrawal)

    await tap.wait_for(SessionChanged, session_id="session-2")
    db = mongo_client[agenda_settings.database]
    await duplicate_seen(db, agenda_settings.queue, withdrawal.id)
    participants = (
        await agenda.get(f"/meetings/{MEETING}/participants", headers=SECRETARIAT)
    ).json()
    assert {p["person_id"]: p["status"] for p in participants}["jai-kumar"] == "withdrawn"
    assert len(tap.of(SessionChanged, session_id="session-2")) == 1


async def test_out_of_range_numbers_and_hidden_characters_are_refused_naming_the_field(
    agenda: httpx.AsyncClient,
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    huge = await agenda.get(
        f"/meetings/{MEETING}/programme", params={"version": "99999999999999999999"}
    )
    assert huge.status_code == 422, huge.text
    assert field_of(huge) == "version"

    async def add(**overrides: object) -> httpx.Response:
        return await agenda.post(SESSIONS, json=extra_session(**overrides), headers=SECRETARIAT)

    assert field_of(await add(room="Atlas\u202e1")) == "room"
    assert field_of(await add(room="At\x00las")) == "room"
    assert field_of(await add(title={"en": "Side\u2066 event"})) == "title.en"
    institution = await agenda.put(
        f"/meetings/{MEETING}/institutions/anapec-x",
        json={"name": {"en": "ANAPEC"}, "acronym": "ANA\x00PEC", "country": "MAR"},
        headers=SECRETARIAT,
    )
    assert institution.status_code == 422, institution.text
    assert field_of(institution) == "acronym"
