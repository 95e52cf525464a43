"""A registrant's manage link is answered and mailed, never kept: registration and
notifications running together, four people registered, confirmed, waitlisted,
promoted and withdrawn; no manage token (nor a preferences link's) is in any message
of the bus, any document of registration's database (outbox and idempotency records
included) or of notifications' (stored mails included). Every mail after a decision
that leaves something to manage carries the link, in the recipient's language, and the
confirmed one the badge's; the mailed link works, and a rotated one stops working."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from pesnet.notifications.bootstrap import build_app as build_notifications
from pesnet.notifications.settings import Settings as NotificationsSettings
from pesnet.registration.bootstrap import build_app as build_registration
from pesnet.registration.settings import Settings as RegistrationSettings
from pesnet.shared.mongo import Client
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.support import bus_tap, eventually

pytestmark = pytest.mark.integration

STAFF = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
LANGUAGES = ("fr", "ar", "en", "ar")


@dataclass
class Pair:
    registration: httpx.AsyncClient
    notifications: httpx.AsyncClient
    databases: tuple[str, str]


@pytest.fixture
async def pair(
    make_settings: Callable[..., Any], start_service: Callable[..., Any], smtp_sink: Any
) -> AsyncIterator[Pair]:
    registration = make_settings("registration", RegistrationSettings)
    notifications = make_settings(
        "notifications",
        NotificationsSettings,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_sink.port,
        PESNET_DEV_MAILBOX=str(smtp_sink.directory),
        NOTIFICATIONS_POLL_SECONDS=0.1,
    )
    async with (
        start_service(build_notifications(notifications)) as notes,
        start_service(build_registration(registration)) as reg,
    ):
        seeded = await reg.http.post("/dev/seed", headers=STAFF)
        assert seeded.status_code == 200, seeded.text
        yield Pair(reg.http, notes.http, (registration.database, notifications.database))


def person(n: int) -> dict[str, Any]:
    return {
        "given_name": "Salma",
        "family_name": f"Alaoui{n}",
        "email": f"salma{n}@anapec.example.ma",
        "country": "MAR",
        "institution": "ANAPEC",
        "position": "Cheffe de service",
        "role": "delegate",
        "language": LANGUAGES[n],
    }


async def everything_stored(mongo_client: Client, database: str) -> str:
    texts = []
    db = mongo_client[database]
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            texts.append(json.dumps(doc, default=str, ensure_ascii=False))
    return "\n".join(texts)


async def test_manage_links_are_mailed_after_each_decision_and_never_kept(
    pair: Pair, rabbit_url: str, mongo_client: Client
) -> None:
    async with bus_tap(rabbit_url) as tap:
        people = []
        for n in range(4):
            key = {"Idempotency-Key": f"register-{n}"}
            answer = await pair.registration.post(
                "/meetings/pesnet-demo/registrations", json=person(n), headers=key
            )
            assert answer.status_code == 201, answer.text
            people.append(answer.json())
        for p in people:  # three places (the demo's quota): the fourth waits
            decided = await pair.registration.post(
                f"/registrations/{p['id']}/confirm", headers=STAFF
            )
            assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "waitlisted"
        first, waiting = people[0], people[3]
        withdrawn = await pair.registration.post(
            f"/registrations/{first['id']}/withdraw",
            headers={"Authorization": f"Bearer {first['manage_token']}"},
        )
        assert withdrawn.json()["promoted_registration_id"] == waiting["id"]

        async def mails() -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = (await pair.notifications.get("/dev/mailbox")).json()
            return found

        async def all_sent() -> bool:  # 4 received, 4 confirmed, 1 waitlisted, 1 withdrawn
            return len(await mails()) >= 10

        await eventually(all_sent, within=60)
        messages = [m.body.decode() for m in tap.messages]

    tokens = [p["manage_token"] for p in people]
    kept = [await everything_stored(mongo_client, db) for db in pair.databases]
    for token in tokens:
        signature = token.rsplit(".", 1)[1]
        assert not any(signature in m for m in messages), "a manage token on the bus"
        assert signature not in kept[0], "a manage token in registration's database"
        assert signature not in kept[1], "a manage token in notifications' database"
    assert "token=" not in kept[1], "a link's token in a stored mail"

    by_person: dict[str, list[dict[str, Any]]] = {}
    for mail in await mails():
        by_person.setdefault(mail["to"], []).append(mail)
    # received and confirmed (waitlisted and promoted too) carry it; withdrawn does not
    expected = [2, 2, 2, 3]
    for n, p in enumerate(people):
        link = f"{p['manage_url']}&lang={LANGUAGES[n]}"
        received = by_person[p["email"]]
        assert {m["language"] for m in received} == {LANGUAGES[n]}
        with_link = [m for m in received if link in m["text"]]
        assert len(with_link) == expected[n], [m["subject"] for m in received]
        assert all(link.replace("&", "&amp;") in m["html"] for m in with_link)
        assert all(p["manage_token"] not in m["text"] for m in received if m not in with_link)
    # the confirmed (and the promoted) registrant's mail carries the badge's link
    promoted_mails = by_person[waiting["email"]]
    badge = f"{waiting['manage_url'].split('?')[0]}/badge.png?token={waiting['manage_token']}"
    assert any(badge in m["text"] for m in promoted_mails)

    # the mailed link opens the registration; rotated, it no longer does
    path = waiting["manage_url"].split("/registrations/", 1)[1]
    opened = await pair.registration.get(f"/registrations/{path}")
    assert opened.status_code == 200, opened.text
    rotated = await pair.registration.post(
        f"/registrations/{waiting['id']}/manage-link",
        headers={"Authorization": f"Bearer {waiting['manage_token']}"},
    )
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["manage_token"] != waiting["manage_token"]
    assert (await pair.registration.get(f"/registrations/{path}")).status_code == 401
    new_path = rotated.json()["manage_url"].split("/registrations/", 1)[1]
    assert (await pair.registration.get(f"/registrations/{new_path}")).status_code == 200
