"""The public, PII-free delegation summary (HTTP and the public event) and the
purge of a past meeting's personal data."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.registration import DelegationUpdated, PersonalDataPurged
from pesnet.shared.i18n import Localized
from tests.integration.registration.conftest import Register, Registration
from tests.support import eventually

pytestmark = pytest.mark.integration


async def test_public_summary_and_event_carry_counts_only(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    egypt = [
        await register(n, country="EGY", given_name="Mona", email=f"mona{n}@nea.example.eg")
        for n in range(2)
    ]
    await register(
        9, country=None, role="observer", institution="SESRIC", email="obs@sesric.example.org"
    )
    await registration.http.post(f"/registrations/{egypt[0]['id']}/confirm", headers=secretariat)

    response = await registration.http.get("/meetings/pesnet-demo/delegations")  # no token: public
    assert response.status_code == 200
    summary = response.json()
    [eg] = [d for d in summary["delegations"] if d["country"] == "EGY"]
    assert eg["by_status"] == {"confirmed": 1, "registered": 1}
    assert eg["by_role"] == {"delegate": 1}
    assert eg["confirmed"] == 1
    [sesric] = [d for d in summary["delegations"] if d["institution"] == "SESRIC"]
    assert sesric["by_status"] == {"registered": 1}
    assert summary["totals"]["by_status"] == {"confirmed": 1, "registered": 2}
    assert summary["totals"]["countries"] == 1
    text = json.dumps(summary)
    assert "Mona" not in text
    assert "@" not in text

    events = await registration.bus.wait_for(DelegationUpdated, count=3, country="EGY")
    latest = events[-1]["data"]
    assert latest["by_status"] == eg["by_status"]
    assert latest["confirmed"] == 1
    assert "Mona" not in json.dumps(events)
    assert "@" not in json.dumps(events)

    assert (await registration.http.get("/meetings/nowhere/delegations")).status_code == 404


PAST = "pesnet-past"


async def announce(registration: Registration, status: str, start: date) -> None:
    """Agenda's announcement of the meeting (a later one replaces an earlier one)."""
    await registration.publish(
        MeetingScheduled(
            meeting_id=PAST,
            number=7,
            title=Localized(ar="اجتماع سابق", en="A past meeting", fr="Une réunion passée"),
            timezone="Africa/Casablanca",
            status=status,
            start_date=start,
            end_date=start + timedelta(days=1),
        )
    )

    async def known() -> bool:
        summary = await registration.http.get(f"/meetings/{PAST}/delegations")
        return summary.status_code == 200

    await eventually(known)


async def test_purge_erases_personal_data_and_keeps_the_counts(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    # people registered while the meeting was open; it was then held (29 Feb-1 Mar 2024)
    await announce(registration, "registration_open", date.today() + timedelta(weeks=4))
    people = [await register(n, country="IDN", meeting=PAST) for n in range(2)]
    await registration.http.post(f"/registrations/{people[0]['id']}/confirm", headers=secretariat)
    await announce(registration, "held", date(2024, 2, 29))
    before = (await registration.http.get(f"/meetings/{PAST}/delegations")).json()

    # it ended on 2024-03-01: not yet 10 years ago (once registration heard it was held)
    async def too_recent() -> bool:
        response = await registration.http.post(
            f"/meetings/{PAST}/purge-personal-data",
            json={"older_than_days": 3650},
            headers=secretariat,
        )
        return response.status_code == 409 and "2034-02-27" in response.json()["detail"]

    await eventually(too_recent)
    assert (
        await registration.http.post(
            f"/meetings/{PAST}/purge-personal-data", json={"older_than_days": 30}
        )
    ).status_code == 401
    response = await registration.http.post(
        f"/meetings/{PAST}/purge-personal-data", json={"older_than_days": -1}, headers=secretariat
    )
    assert response.status_code == 422

    response = await registration.http.post(
        f"/meetings/{PAST}/purge-personal-data", json={"older_than_days": 30}, headers=secretariat
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"meeting_id": PAST, "purged": 2}
    [event] = await registration.bus.wait_for(PersonalDataPurged, meeting_id=PAST)
    assert event["data"]["registrations"] == 2

    record = (
        await registration.http.get(f"/registrations/{people[0]['id']}", headers=secretariat)
    ).json()
    assert record["given_name"] is None
    assert record["email"] is None
    assert record["institution"] is None
    assert record["status"] == "confirmed"
    assert record["country"] == "IDN"
    # the manage token died with the data
    response = await registration.http.get(
        f"/registrations/{people[1]['id']}",
        headers={"Authorization": f"Bearer {people[1]['manage_token']}"},
    )
    assert response.status_code == 401
    assert (await registration.http.get(f"/meetings/{PAST}/delegations")).json() == before
    # nothing more to do with purged registrations
    response = await registration.http.post(
        f"/registrations/{people[1]['id']}/confirm", headers=secretariat
    )
    assert response.status_code == 409
