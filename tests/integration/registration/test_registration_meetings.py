"""Meetings open for registration from `agenda.meeting.scheduled`: its window,
quota and capacity apply; the dev seed gives way to the agenda's announcement."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import pytest

from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized, format_local_time
from tests.integration.registration.conftest import Registration

pytestmark = pytest.mark.integration

AHEAD = datetime.now(UTC).date() + timedelta(weeks=6)
TITLE = Localized(ar="الاجتماع الخامس", en="5th Meeting", fr="5e réunion")


def scheduled(meeting_id: str, **fields: Any) -> MeetingScheduled:
    values: dict[str, Any] = {
        "meeting_id": meeting_id,
        "number": 5,
        "title": TITLE,
        "timezone": "Asia/Baku",
        "status": "registration_open",
        "start_date": AHEAD,
        "end_date": AHEAD + timedelta(days=1),
        **fields,
    }
    return MeetingScheduled(**values)


async def post_until(
    registration: Registration, meeting_id: str, body: dict[str, Any], expected: int
) -> Any:
    """The announcement travels through the bus: retry until it has been applied."""
    response = None
    for _ in range(100):
        response = await registration.http.post(f"/meetings/{meeting_id}/registrations", json=body)
        if response.status_code == expected:
            return response
        await asyncio.sleep(0.1)
    raise AssertionError(
        f"still {response.status_code if response else None}: {response and response.text}"
    )


async def test_an_announced_meeting_opens_for_registration(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    response = await registration.http.post("/meetings/pesnet-5/registrations", json=person())
    assert response.status_code == 404
    await registration.publish(scheduled("pesnet-5", delegation_quota=1))
    created = (await post_until(registration, "pesnet-5", person(1), 201)).json()
    assert created["meeting_id"] == "pesnet-5"


async def test_registration_outside_the_window_is_refused_with_the_reason(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    now = datetime.now(UTC)
    opens = (now + timedelta(days=10)).replace(microsecond=0)
    await registration.publish(
        scheduled(
            "early-6", registration_opens_at=opens, registration_closes_at=opens + timedelta(days=5)
        )
    )
    response = await post_until(registration, "early-6", person(1), 409)
    assert "registration opens at" in response.json()["detail"]
    # when, as a person in the meeting's zone reads it (Babel), never an ISO timestamp
    assert opens.isoformat()[:16] not in response.json()["detail"]
    assert format_local_time(opens, "Asia/Baku", "en") in response.json()["detail"]
    assert "(Azerbaijan Time)" in response.json()["detail"]

    await registration.publish(
        scheduled(
            "late-7",
            registration_opens_at=now - timedelta(days=10),
            registration_closes_at=now - timedelta(days=1),
        )
    )
    response = await post_until(registration, "late-7", person(2), 409)
    assert "registration closed at" in response.json()["detail"]

    await registration.publish(scheduled("tentative-8", status="tentative"))
    response = await post_until(registration, "tentative-8", person(3), 409)
    assert "tentative" in response.json()["detail"]


async def test_the_agenda_announcement_wins_over_the_seed(
    registration: Registration, person: Callable[..., dict[str, Any]], secretariat: dict[str, str]
) -> None:
    # the seed opened pesnet-4 with no window; the agenda closes its registration
    past = datetime.now(UTC) - timedelta(days=1)
    await registration.publish(
        scheduled("pesnet-4", number=4, registration_closes_at=past, delegation_quota=2)
    )
    await post_until(registration, "pesnet-4", person(1), 409)
    # seeding again changes nothing: the announced meeting stays as announced
    seeded = await registration.http.post("/dev/seed", headers=secretariat)
    assert seeded.json()["meetings"] == {"pesnet-4": False, "pesnet-demo": False}
    response = await registration.http.post("/meetings/pesnet-4/registrations", json=person(2))
    assert response.status_code == 409


async def test_quota_and_capacity_come_from_the_announcement(
    registration: Registration, person: Callable[..., dict[str, Any]], secretariat: dict[str, str]
) -> None:
    await registration.publish(scheduled("small-9", delegation_quota=1, capacity=2))
    first = (await post_until(registration, "small-9", person(1, country="EGY"), 201)).json()
    others = [
        (await registration.http.post("/meetings/small-9/registrations", json=body)).json()
        for body in (person(2, country="EGY"), person(3, country="JOR"), person(4, country="TUN"))
    ]
    decisions = {}
    for created in (first, *others):
        response = await registration.http.post(
            f"/registrations/{created['id']}/confirm", headers=secretariat
        )
        assert response.status_code == 200, response.text
        decisions[created["family_name"]] = response.json()
    assert decisions["Benali1"]["status"] == "confirmed"
    # Egypt's quota of 1 is used up
    assert decisions["Benali2"]["status"] == "waitlisted"
    assert "quota of 1" in decisions["Benali2"]["waitlist_reason"]
    assert decisions["Benali3"]["status"] == "confirmed"
    # the meeting's capacity of 2 is reached
    assert decisions["Benali4"]["status"] == "waitlisted"
    assert "capacity of 2" in decisions["Benali4"]["waitlist_reason"]


async def test_an_announcement_that_can_never_apply_is_dead_lettered_and_the_consumer_goes_on(
    registration: Registration, person: Callable[..., dict[str, Any]], unique: str
) -> None:
    await registration.publish(scheduled("mars-1", timezone="Mars/Olympus_Mons"))
    # not even a CloudEvent
    exchange = await registration.channel.get_exchange("pesnet.events")
    await exchange.publish(
        aio_pika.Message(b"{not json", message_id="garbage-1"),
        routing_key="agenda.meeting.scheduled",
    )
    # a good announcement after the bad ones is still applied
    await registration.publish(scheduled("good-2"))
    await post_until(registration, "good-2", person(1), 201)

    dlq = await registration.channel.declare_queue(f"registration.{unique}.dlq", passive=True)
    reasons: list[str] = []
    for _ in range(50):
        message = await dlq.get(no_ack=True, fail=False)
        if message is None:
            if len(reasons) >= 2:
                break
            await asyncio.sleep(0.1)
            continue
        reasons.append(str(message.headers.get("x-pesnet-dead-letter-reason")))
    assert any("Mars/Olympus_Mons" in reason for reason in reasons), reasons
    assert any("envelope" in reason for reason in reasons), reasons
    response = await registration.http.post("/meetings/mars-1/registrations", json=person(2))
    assert response.status_code == 404
