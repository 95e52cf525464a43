"""The public, PII-free delegation summary (HTTP and the public event) and the
purge of a past meeting's personal data."""

from __future__ import annotations

import json

import pytest

from pesnet.shared.events.registration import DelegationUpdated, PersonalDataPurged
from tests.integration.registration.conftest import Register, Registration

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

    response = await registration.http.get("/meetings/pesnet-4/delegations")  # no token: public
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


async def test_purge_erases_personal_data_and_keeps_the_counts(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    people = [await register(n, country="IDN") for n in range(2)]
    await registration.http.post(f"/registrations/{people[0]['id']}/confirm", headers=secretariat)
    before = (await registration.http.get("/meetings/pesnet-4/delegations")).json()

    # pesnet-4 ended on 2024-03-01: not yet 10 years ago
    response = await registration.http.post(
        "/meetings/pesnet-4/purge-personal-data",
        json={"older_than_days": 3650},
        headers=secretariat,
    )
    assert response.status_code == 409
    assert "2034-02-27" in response.json()["detail"]
    assert (
        await registration.http.post(
            "/meetings/pesnet-4/purge-personal-data", json={"older_than_days": 30}
        )
    ).status_code == 401
    response = await registration.http.post(
        "/meetings/pesnet-4/purge-personal-data", json={"older_than_days": -1}, headers=secretariat
    )
    assert response.status_code == 422

    response = await registration.http.post(
        "/meetings/pesnet-4/purge-personal-data", json={"older_than_days": 30}, headers=secretariat
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"meeting_id": "pesnet-4", "purged": 2}
    [event] = await registration.bus.wait_for(PersonalDataPurged, meeting_id="pesnet-4")
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
    assert (await registration.http.get("/meetings/pesnet-4/delegations")).json() == before
    # nothing more to do with purged registrations
    response = await registration.http.post(
        f"/registrations/{people[1]['id']}/confirm", headers=secretariat
    )
    assert response.status_code == 409
