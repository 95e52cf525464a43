"""The accreditation workflow: every transition, the per-country quota and its
waitlist, who may do what (secretariat, focal points, registrants), idempotent
retries, and quota decisions that hold under concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from pesnet.shared.events.registration import (
    ParticipantConfirmed,
    ParticipantRegistered,
    ParticipantRejected,
    ParticipantUpdated,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
)
from tests.integration.registration.conftest import Register, Registration

pytestmark = pytest.mark.integration


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def act(
    registration: Registration, registration_id: str, action: str, headers: dict[str, str]
) -> Any:
    return await registration.http.post(
        f"/registrations/{registration_id}/{action}", headers=headers
    )


async def focal_point(registration: Registration, secretariat: dict[str, str], country: str) -> str:
    response = await registration.http.post(
        "/focal-points", json={"country": country, "name": "NFP"}, headers=secretariat
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


async def test_every_transition_and_its_event(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    a, b, c = [await register(n) for n in range(3)]

    confirmed = await act(registration, a["id"], "confirm", secretariat)
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["badge_token"].startswith("b1.")
    [event] = await registration.bus.wait_for(ParticipantConfirmed, registration_id=a["id"])
    assert event["data"]["badge_token"] == confirmed.json()["badge_token"]
    assert event["data"]["promoted_from_waitlist"] is False

    rejected = await registration.http.post(
        f"/registrations/{b['id']}/reject",
        json={"reason": "not a PES official"},
        headers=secretariat,
    )
    assert rejected.json()["status"] == "rejected"
    [event] = await registration.bus.wait_for(ParticipantRejected, registration_id=b["id"])
    assert event["data"]["reason"] == "not a PES official"

    withdrawn = await act(registration, c["id"], "withdraw", bearer(c["manage_token"]))
    assert withdrawn.json()["status"] == "withdrawn"
    [event] = await registration.bus.wait_for(ParticipantWithdrawn, registration_id=c["id"])
    assert event["data"]["withdrawn_by"] == "registrant"

    # forbidden transitions are 409s naming the state
    for registration_id, action in (
        (c["id"], "confirm"),  # confirming a withdrawn registration
        (c["id"], "withdraw"),
        (b["id"], "confirm"),  # a rejected one
        (a["id"], "reject"),  # a confirmed one (withdraw it instead)
    ):
        response = await act(registration, registration_id, action, secretariat)
        assert response.status_code == 409, (action, response.text)
        assert "cannot" in response.json()["detail"]

    # confirming twice is harmless: same state, no second event
    again = await act(registration, a["id"], "confirm", secretariat)
    assert again.status_code == 200
    assert again.json()["status"] == "confirmed"
    await asyncio.sleep(0.5)
    assert len(registration.bus.of(ParticipantConfirmed, registration_id=a["id"])) == 1


async def test_quota_waitlists_and_a_withdrawal_promotes_the_oldest(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    people = [await register(n, country="SEN") for n in range(6)]
    statuses = []
    for p in people:
        statuses.append((await act(registration, p["id"], "confirm", secretariat)).json()["status"])
    assert statuses == ["confirmed"] * 3 + ["waitlisted"] * 3
    fourth = await registration.http.get(f"/registrations/{people[4]['id']}", headers=secretariat)
    assert fourth.json()["status"] == "waitlisted"
    [waitlisted] = await registration.bus.wait_for(
        ParticipantWaitlisted, registration_id=people[4]["id"]
    )
    assert waitlisted["data"]["waitlist_position"] == 2

    # a confirmed delegate withdraws: the oldest waitlisted (the 4th) gets the place
    response = await act(
        registration, people[1]["id"], "withdraw", bearer(people[1]["manage_token"])
    )
    assert response.json()["promoted_registration_id"] == people[3]["id"]
    promoted = await registration.http.get(f"/registrations/{people[3]['id']}", headers=secretariat)
    assert promoted.json()["status"] == "confirmed"
    assert promoted.json()["promoted_from_waitlist"] is True
    [event] = await registration.bus.wait_for(ParticipantConfirmed, registration_id=people[3]["id"])
    assert event["data"]["promoted_from_waitlist"] is True
    assert event["data"]["confirmed_by"] == "system"

    # withdrawing a waitlisted one frees nothing and promotes nobody
    response = await act(registration, people[5]["id"], "withdraw", secretariat)
    assert response.json()["promoted_registration_id"] is None
    listing = await registration.http.get(
        "/meetings/pesnet-demo/registrations", params={"country": "SEN"}, headers=secretariat
    )
    by_status: dict[str, int] = {}
    for item in listing.json()["registrations"]:
        by_status[item["status"]] = by_status.get(item["status"], 0) + 1
    assert by_status == {"confirmed": 3, "withdrawn": 2, "waitlisted": 1}


async def test_speakers_and_moderators_are_outside_the_delegation_quota(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    delegates = [await register(n, country="JOR") for n in range(3)]
    # speakers and moderators come from the programme or the secretariat's invitation
    speaker = await register(3, country="JOR", role="speaker", headers=secretariat)
    moderator = await register(4, country="JOR", role="moderator", headers=secretariat)
    fourth = await register(5, country="JOR", role="observer")
    for p in (*delegates, speaker, moderator, fourth):
        await act(registration, p["id"], "confirm", secretariat)
    statuses = {
        p["role"] + str(i): (
            await registration.http.get(f"/registrations/{p['id']}", headers=secretariat)
        ).json()["status"]
        for i, p in enumerate((*delegates, speaker, moderator, fourth))
    }
    assert statuses == {
        "delegate0": "confirmed",
        "delegate1": "confirmed",
        "delegate2": "confirmed",
        "speaker3": "confirmed",
        "moderator4": "confirmed",
        "observer5": "waitlisted",
    }
    # a speaker withdrawing frees no delegation place
    response = await act(registration, speaker["id"], "withdraw", secretariat)
    assert response.json()["promoted_registration_id"] is None
    summary = (await registration.http.get("/meetings/pesnet-demo/delegations")).json()
    [jordan] = [d for d in summary["delegations"] if d["country"] == "JOR"]
    assert jordan["confirmed"] == 4
    assert jordan["by_role"] == {"delegate": 3, "moderator": 1}


async def test_two_confirmations_racing_for_the_last_place(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    """Each decision writes the delegation's counter document in its transaction, so
    racing confirmations conflict and retry: never more than the quota."""
    people = [await register(n, country="NGA") for n in range(7)]
    await act(registration, people[0]["id"], "confirm", secretariat)
    await act(registration, people[1]["id"], "confirm", secretariat)
    responses = await asyncio.gather(
        *(act(registration, p["id"], "confirm", secretariat) for p in people[2:])
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == ["confirmed"] + ["waitlisted"] * 4
    summary = (await registration.http.get("/meetings/pesnet-demo/delegations")).json()
    [nigeria] = [d for d in summary["delegations"] if d["country"] == "NGA"]
    assert nigeria["confirmed"] == 3
    assert nigeria["by_status"] == {"confirmed": 3, "waitlisted": 4}


async def test_focal_points_act_for_their_country_only(
    registration: Registration,
    register: Register,
    person: Callable[..., dict[str, Any]],
    secretariat: dict[str, str],
) -> None:
    morocco = bearer(await focal_point(registration, secretariat, "MAR"))
    moroccan = await register(1, country="MAR")
    turk = await register(2, country="TUR")

    # nominate a delegate of their own country, not of another
    nominated = await registration.http.post(
        "/meetings/pesnet-demo/registrations", json=person(3, country="MAR"), headers=morocco
    )
    assert nominated.status_code == 201
    assert nominated.json()["nominated_by"] == "focal_point"
    outside = await registration.http.post(
        "/meetings/pesnet-demo/registrations", json=person(4, country="TUR"), headers=morocco
    )
    assert outside.status_code == 403

    assert (await act(registration, moroccan["id"], "confirm", morocco)).json()[
        "status"
    ] == "confirmed"
    for action in ("confirm", "reject", "withdraw"):
        response = await act(registration, turk["id"], action, morocco)
        assert response.status_code == 403, (action, response.text)
        assert "MAR" in response.json()["detail"]
    assert (
        await registration.http.get(f"/registrations/{turk['id']}", headers=morocco)
    ).status_code == 403
    assert (
        await registration.http.get(f"/registrations/{moroccan['id']}", headers=morocco)
    ).status_code == 200
    listing = await registration.http.get("/meetings/pesnet-demo/registrations", headers=morocco)
    assert {r["country"] for r in listing.json()["registrations"]} == {"MAR"}
    response = await registration.http.get(
        "/meetings/pesnet-demo/registrations", params={"country": "TUR"}, headers=morocco
    )
    assert response.status_code == 403

    # a revoked token stops working
    tokens = await registration.http.post(
        "/focal-points", json={"country": "TUR"}, headers=secretariat
    )
    turkey = bearer(tokens.json()["token"])
    assert (
        await registration.http.get(f"/registrations/{turk['id']}", headers=turkey)
    ).status_code == 200
    listed = await registration.http.get(
        "/focal-points", params={"country": "TUR"}, headers=secretariat
    )
    assert [f["id"] for f in listed.json()["focal_points"]] == [tokens.json()["id"]]
    assert "token" not in listed.text
    revoked = await registration.http.delete(
        f"/focal-points/{tokens.json()['id']}", headers=secretariat
    )
    assert revoked.status_code == 204
    assert (
        await registration.http.get(f"/registrations/{turk['id']}", headers=turkey)
    ).status_code == 401


async def test_a_registrant_manages_their_own_registration_only(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    mine = await register(1)
    theirs = await register(2)
    me = bearer(mine["manage_token"])

    # read: own yes (also through the manage link's ?token=), someone else's no
    assert (
        await registration.http.get(f"/registrations/{mine['id']}", headers=me)
    ).status_code == 200
    link = mine["manage_url"].split("127.0.0.1:8001", 1)[1]
    assert (await registration.http.get(link)).json()["id"] == mine["id"]
    assert (
        await registration.http.get(f"/registrations/{theirs['id']}", headers=me)
    ).status_code == 403
    assert (await registration.http.get(f"/registrations/{theirs['id']}")).status_code == 401
    forged = bearer("mt_" + "x" * 43)
    assert (
        await registration.http.get(f"/registrations/{mine['id']}", headers=forged)
    ).status_code == 401

    # correct: own details yes (announced), someone else's no, country/role never
    corrected = await registration.http.patch(
        f"/registrations/{mine['id']}",
        json={"position": "Director General", "language": "fr"},
        headers=me,
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["position"] == "Director General"
    [event] = await registration.bus.wait_for(ParticipantUpdated, registration_id=mine["id"])
    assert event["data"]["language"] == "fr"
    response = await registration.http.patch(
        f"/registrations/{theirs['id']}", json={"position": "x"}, headers=me
    )
    assert response.status_code == 403
    response = await registration.http.patch(
        f"/registrations/{mine['id']}", json={"country": "TUR"}, headers=me
    )
    assert response.status_code == 422
    response = await registration.http.patch(
        f"/registrations/{mine['id']}", json={"email": theirs["email"].upper()}, headers=me
    )
    assert response.status_code == 409

    # accreditation is not theirs to decide
    # (signed in, but without an accreditation right: 403)
    assert (await act(registration, mine["id"], "confirm", me)).status_code == 403
    assert (await act(registration, theirs["id"], "withdraw", me)).status_code == 403
    assert (await act(registration, mine["id"], "withdraw", me)).json()["status"] == "withdrawn"


async def test_unknown_registration_is_a_404(
    registration: Registration, secretariat: dict[str, str]
) -> None:
    missing = "0" * 32
    assert (
        await registration.http.get(f"/registrations/{missing}", headers=secretariat)
    ).status_code == 404
    assert (await act(registration, missing, "confirm", secretariat)).status_code == 404
    assert (
        await registration.http.get("/registrations/not-an-id", headers=secretariat)
    ).status_code == 404
    assert (
        await registration.http.get("/registrations/$where", headers=secretariat)
    ).status_code == 422


async def test_idempotency_key_returns_the_first_result(
    registration: Registration, person: Callable[..., dict[str, Any]], secretariat: dict[str, str]
) -> None:
    body = person(1)
    headers = {"Idempotency-Key": "retry-1"}
    first = await registration.http.post(
        "/meetings/pesnet-demo/registrations", json=body, headers=headers
    )
    second = await registration.http.post(
        "/meetings/pesnet-demo/registrations", json=body, headers=headers
    )
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    # without the key the same body is a duplicate
    third = await registration.http.post("/meetings/pesnet-demo/registrations", json=body)
    assert third.status_code == 409
    # the key with another body is refused, naming the header
    other = await registration.http.post(
        "/meetings/pesnet-demo/registrations", json=person(2), headers=headers
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    # concurrent retries with one key: one registration, one answer
    racing = await asyncio.gather(
        *(
            registration.http.post(
                "/meetings/pesnet-demo/registrations",
                json=person(3),
                headers={"Idempotency-Key": "race"},
            )
            for _ in range(4)
        )
    )
    assert {r.status_code for r in racing} == {201}
    assert len({r.json()["id"] for r in racing}) == 1
    await asyncio.sleep(0.5)
    assert len(registration.bus.of(ParticipantRegistered, email=person(3)["email"])) == 1
