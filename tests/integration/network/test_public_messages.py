"""Every message partners can read names nobody: a run that exercises the five services
(staff accounts acting, a person registering, confirmed, withdrawing with their own
manage token, programmes released, plans seeded), read in full from `pesnet.public`,
carries no `actorid` and no account, registration or focal-point id, address or name,
in its body or its headers. And identity's events, which nobody consumes, carry no
username into `pesnet.unrouted`."""

from __future__ import annotations

import json
import re

import aio_pika
import httpx
import pytest

from pesnet.shared.events.identity import AccountCreated
from pesnet.shared.topology import PUBLIC_EXCHANGE
from tests.integration.network.conftest import staff_account
from tests.support import bus_tap, eventually

pytestmark = pytest.mark.integration

PERSON_ID = re.compile(
    r"acc_[0-9a-f]{8,}|registrant:|focal_point:|\bfp_|\bmt_|[^\s\"@]+@[^\s\"@]+\.\w+"
)


async def exercise(network: dict[str, httpx.AsyncClient]) -> dict[str, str]:
    """A run through every service; what the messages must not name."""
    editor = await staff_account(network["identity"], "samira.editor", ["administrator"])
    staff = editor.headers
    for service, path in (
        ("registration", "/dev/seed"),
        ("agenda", "/dev/seed"),
        ("agenda", "/dev/seed/history"),
        ("actionplan", "/dev/seed"),
    ):
        seeded = await network[service].post(path, headers=staff)
        assert seeded.status_code == 200, (service, path, seeded.text)
    registration = network["registration"]
    registered = await registration.post(
        "/meetings/pesnet-demo/registrations",
        json={
            "given_name": "Zaynab",
            "family_name": "Ouazzani",
            "email": "zaynab.ouazzani@example.org",
            "country": "MAR",
            "institution": "ANAPEC",
            "position": "Directrice",
            "role": "delegate",
            "language": "fr",
        },
    )
    assert registered.status_code == 201, registered.text
    person = registered.json()
    confirmed = await registration.post(f"/registrations/{person['id']}/confirm", headers=staff)
    assert confirmed.status_code == 200, confirmed.text
    withdrawn = await registration.post(
        f"/registrations/{person['id']}/withdraw",
        headers={"Authorization": f"Bearer {person['manage_token']}"},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    return {
        "account": editor.id,
        "registration": person["id"],
        "username": "samira.editor",
        "given_name": "Zaynab",
        "family_name": "Ouazzani",
    }


def producers(messages: list[aio_pika.abc.AbstractIncomingMessage]) -> set[str]:
    return {str(m.routing_key).split(".")[0] for m in messages}


async def test_no_public_message_of_a_whole_run_names_a_person(
    network: dict[str, httpx.AsyncClient], rabbit_url: str
) -> None:
    async with (
        bus_tap(rabbit_url, exchange_name=PUBLIC_EXCHANGE) as public_tap,
        bus_tap(rabbit_url, "identity.#") as identity_events,
    ):
        public = public_tap.messages
        secrets = await exercise(network)

        async def every_producer_heard() -> bool:
            delegations = [m for m in public if m.routing_key == "registration.delegation.updated"]
            return (
                producers(public) >= {"agenda", "registration", "actionplan"}
                and len(delegations) >= 3
            )

        await eventually(every_producer_heard, within=60)
        [created] = await identity_events.wait_for(AccountCreated, account_id=secrets["account"])

    types = sorted({str(m.routing_key) for m in public})
    print(f"{len(public)} public messages of {len(types)} types: {', '.join(types)}")
    for message in public:
        body = json.loads(message.body)
        assert "actorid" not in body, (message.routing_key, body)
        seen = json.dumps([body, message.headers, message.message_id], ensure_ascii=False)
        for value in secrets.values():
            assert value not in seen, (message.routing_key, value)
        assert not PERSON_ID.search(seen), (message.routing_key, PERSON_ID.search(seen))

    assert "username" not in created["data"]
    assert secrets["username"] not in json.dumps(created)
    assert created["actorid"]  # internal events keep who acted, for the audit


def test_the_person_pattern_finds_what_it_must() -> None:
    for leak in ("acc_0123456789abcdef", "registrant:r-1", "focal_point:fp1", "a.b@example.org"):
        assert PERSON_ID.search(json.dumps({"actorid": leak}))
    assert not PERSON_ID.search(json.dumps({"meeting_id": "pesnet-demo", "count": 3}))
