"""Issue 3's done-when, at the size of the 2022 focal-point meeting: 61
registrations from 27 member states with a quota of 3 per country end with the
right confirmed/waitlisted split, a withdrawal promotes the right person, and the
public delegation summary (and its public events) match."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from pesnet.shared.events.registration import (
    DelegationUpdated,
    ParticipantConfirmed,
    ParticipantRegistered,
    ParticipantWaitlisted,
)
from pesnet.shared.reference import member_states
from tests.integration.registration.conftest import Registration

pytestmark = pytest.mark.integration

# delegation sizes of 27 countries: 9 beyond or at the quota, 6 pairs, 12 singles (61 people)
SIZES = [6, 5, 5, 4, 4, 4, 3, 3, 3] + [2] * 6 + [1] * 12
LANGUAGE_OF_GROUP = {"arab": "ar", "african": "fr", "asian": "en"}


async def test_sixty_one_registrations_from_twenty_seven_countries(
    registration: Registration, person: Callable[..., dict[str, Any]], secretariat: dict[str, str]
) -> None:
    assert sum(SIZES) == 61
    assert len(SIZES) == 27
    states = sorted(member_states().values(), key=lambda s: s.iso3)[:27]
    # registrations arrive interleaved across countries, as they would in reality
    queue: list[tuple[str, int, str]] = []
    for round_ in range(max(SIZES)):
        for state, size in zip(states, SIZES, strict=True):
            if round_ < size:
                queue.append(
                    (state.iso3, round_, LANGUAGE_OF_GROUP.get(state.oic_group or "", "en"))
                )
    created: list[dict[str, Any]] = []
    for n, (country, rank, language) in enumerate(queue):
        body = person(
            n,
            country=country,
            language=language,
            role="head_of_delegation" if rank == 0 else "delegate",
            email=f"delegate{n}@pes.{country.lower()}.example",
        )
        response = await registration.http.post("/meetings/pesnet-demo/registrations", json=body)
        assert response.status_code == 201, response.text
        created.append(response.json())

    # the secretariat accredits everyone, in order of registration
    for item in created:
        response = await registration.http.post(
            f"/registrations/{item['id']}/confirm", headers=secretariat
        )
        assert response.status_code == 200, response.text
        item["status"] = response.json()["status"]

    expected_confirmed = {s.iso3: min(size, 3) for s, size in zip(states, SIZES, strict=True)}
    expected_waitlisted = {
        s.iso3: size - 3 for s, size in zip(states, SIZES, strict=True) if size > 3
    }
    split = Counter(item["status"] for item in created)
    assert split == {"confirmed": 51, "waitlisted": 10}
    for country, count in expected_confirmed.items():
        mine = [i for i in created if i["country"] == country]
        # within a country the first three registered got the places
        assert [i["status"] for i in mine] == ["confirmed"] * count + ["waitlisted"] * (
            len(mine) - count
        ), country

    # the largest delegation's head withdraws: the oldest waitlisted of that country,
    # its 4th registrant, is promoted (not a newer one, nor someone of another country)
    largest = states[0].iso3
    of_largest = [i for i in created if i["country"] == largest]
    head = of_largest[0]
    response = await registration.http.post(
        f"/registrations/{head['id']}/withdraw",
        headers={"Authorization": f"Bearer {head['manage_token']}"},
    )
    assert response.status_code == 200
    assert response.json()["promoted_registration_id"] == of_largest[3]["id"]
    [promoted] = await registration.bus.wait_for(
        ParticipantConfirmed, registration_id=of_largest[3]["id"]
    )
    assert promoted["data"]["promoted_from_waitlist"] is True
    assert promoted["data"]["language"] == of_largest[3]["language"]

    # the public summary matches: per country and in total, counts only
    summary = (await registration.http.get("/meetings/pesnet-demo/delegations")).json()
    by_country = {d["country"]: d for d in summary["delegations"]}
    assert set(by_country) == set(expected_confirmed)
    for country, count in expected_confirmed.items():
        delegation = by_country[country]
        assert delegation["confirmed"] == count, country
        waiting = expected_waitlisted.get(country, 0)
        if country == largest:
            assert delegation["by_status"] == {"confirmed": 3, "waitlisted": 2, "withdrawn": 1}
            assert delegation["by_role"] == {"delegate": 3}
        else:
            assert delegation["by_status"] == {
                k: v for k, v in {"confirmed": count, "waitlisted": waiting}.items() if v
            }
            assert delegation["by_role"] == {
                k: v for k, v in {"head_of_delegation": 1, "delegate": count - 1}.items() if v
            }
    assert summary["totals"] == {
        "by_status": {"confirmed": 51, "waitlisted": 9, "withdrawn": 1},
        "by_role": {"head_of_delegation": 26, "delegate": 25},
        "confirmed": 51,
        "countries": 27,
    }

    # every person's events: one registered, then one per state change
    await registration.bus.wait_for(ParticipantRegistered, count=61)
    await registration.bus.wait_for(ParticipantConfirmed, count=52)
    await registration.bus.wait_for(ParticipantWaitlisted, count=10)

    # and the last public event of each delegation says what the summary says
    def latest_public_counts_match() -> bool:
        for country, delegation in by_country.items():
            events = registration.bus.of(DelegationUpdated, country=country)
            if not events or events[-1]["data"]["by_status"] != delegation["by_status"]:
                return False
            if events[-1]["data"]["confirmed"] != delegation["confirmed"]:
                return False
        return True

    await registration.bus.until(latest_public_counts_match)
