"""The secretariat's webhook API: who may call it, what it refuses, secrets shown once
and rotated, subscriptions disabled; and the once-per-(event, subscription) guard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from pesnet.notifications.adapters.unit_of_work import MongoNotificationsUnitOfWork
from pesnet.notifications.adapters.webhooks import DELIVERIES
from pesnet.notifications.domain.signing import InvalidSignature, verify_signature
from pesnet.notifications.service_layer.webhook_subscriptions import fan_out
from pesnet.shared.events import CATALOG
from pesnet.shared.inbox import INBOX
from pesnet.shared.messaging import EventPublisher
from pesnet.shared.mongo import Client, DbSession, in_transaction
from pesnet.shared.outbox import Outbox
from pesnet.shared.settings import ServiceSettings
from tests.integration.webhooks.conftest import (
    SECRETARIAT,
    PartnerEndpoint,
    Reply,
    WebhooksFactory,
    deliveries_when_settled,
    meeting_scheduled,
    publish,
    subscribe,
    wait_handled,
)
from tests.support import eventually

pytestmark = pytest.mark.integration


async def test_only_the_secretariat_manages_subscriptions(webhooks: httpx.AsyncClient) -> None:
    body = {"partner": "ilo", "url": "https://hooks.example.org/pesnet"}
    assert (await webhooks.post("/partners/webhooks", json=body)).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert (await webhooks.post("/partners/webhooks", json=body, headers=wrong)).status_code == 401
    assert (await webhooks.get("/partners/webhooks")).status_code == 401


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"url": "http://hooks.example.org/pesnet"}, "url", "https is required"),
        ({"url": "not a url"}, "url", "absolute https"),
        (
            {"event_types": ["agenda.#", "registration.participant.registered"]},
            "event_types.1",
            "internal",
        ),
        ({"event_types": ["agenda.meeting.postponed"]}, "event_types.0", "unknown event type"),
        ({"event_types": ["registration.participant.#"]}, "event_types.0", "no public event"),
        ({"partner": "The ILO"}, "partner", "lower-case"),
    ],
)
async def test_bad_subscriptions_are_refused_naming_the_field(
    webhooks: httpx.AsyncClient, change: dict[str, Any], field: str, message: str
) -> None:
    body = {"partner": "ilo", "url": "https://hooks.example.org/pesnet", **change}
    response = await webhooks.post("/partners/webhooks", json=body, headers=SECRETARIAT)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert message in error["msg"]


async def test_unknown_fields_and_ids_are_reported(webhooks: httpx.AsyncClient) -> None:
    body = {"partner": "ilo", "url": "https://hooks.example.org/", "secret": "mine"}
    response = await webhooks.post("/partners/webhooks", json=body, headers=SECRETARIAT)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "secret"
    for path in ("/partners/webhooks/whs_nope", "/partners/webhooks/whs_nope/deliveries"):
        assert (await webhooks.get(path, headers=SECRETARIAT)).status_code == 404
    rotate = await webhooks.post("/partners/webhooks/whs_nope/rotate-secret", headers=SECRETARIAT)
    assert rotate.status_code == 404
    assert (
        await webhooks.delete("/partners/webhooks/whs_nope", headers=SECRETARIAT)
    ).status_code == 404


async def test_the_secret_is_shown_once(webhooks: httpx.AsyncClient) -> None:
    # nothing is published in this test; a loopback URL all the same (no outside target)
    created = await subscribe(webhooks, "https://localhost:9/pesnet", partner="isdb")
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["#"]
    assert created["status"] == "active"
    shown = await webhooks.get(f"/partners/webhooks/{created['id']}", headers=SECRETARIAT)
    listed = await webhooks.get(
        "/partners/webhooks", params={"partner": "isdb"}, headers=SECRETARIAT
    )
    assert "secret" not in shown.json()
    assert [s["id"] for s in listed.json()] == [created["id"]]
    assert "secret" not in listed.json()[0]
    assert created["secret"] not in shown.text + listed.text


async def test_after_a_rotation_both_secrets_sign_during_the_grace_period(
    webhooks: httpx.AsyncClient, partner: PartnerEndpoint, bus: EventPublisher, unique: str
) -> None:
    created = await subscribe(webhooks, partner.url("/rotating"))
    response = await webhooks.post(
        f"/partners/webhooks/{created['id']}/rotate-secret", headers=SECRETARIAT
    )
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["secret"] != created["secret"]
    assert rotated["previous_secret_valid_until"] is not None

    await publish(bus, meeting_scheduled(f"m-{unique}"))
    [request] = await partner.wait_for("/rotating", 1)
    verify_signature(rotated["secret"], request.headers, request.body)
    verify_signature(created["secret"], request.headers, request.body)


async def test_without_a_grace_period_only_the_new_secret_signs(
    webhooks_app: WebhooksFactory, partner: PartnerEndpoint, bus: EventPublisher, unique: str
) -> None:
    async with webhooks_app(rotation_grace_seconds=0) as webhooks:
        created = await subscribe(webhooks, partner.url("/strict-rotation"))
        rotated = (
            await webhooks.post(
                f"/partners/webhooks/{created['id']}/rotate-secret", headers=SECRETARIAT
            )
        ).json()
        await publish(bus, meeting_scheduled(f"m-{unique}"))
        [request] = await partner.wait_for("/strict-rotation", 1)
    verify_signature(rotated["secret"], request.headers, request.body)
    with pytest.raises(InvalidSignature):
        verify_signature(created["secret"], request.headers, request.body)


async def test_an_event_no_partner_wants_costs_no_write_and_a_new_subscription_gets_the_next(
    webhooks: httpx.AsyncClient,
    partner: PartnerEndpoint,
    bus: EventPublisher,
    mongo_client: Client,
    make_settings: Any,
    unique: str,
) -> None:
    """Most public events have no partner subscribed: each is looked at and left, with
    nothing written; a subscription made on this replica counts from the next event on
    (the look reads the subscriptions as of a few seconds ago, not as of before it)."""
    db = mongo_client[make_settings("notifications").database]
    nobody = await publish(bus, meeting_scheduled(f"m-{unique}"))
    await wait_handled(webhooks, nobody)
    assert await db[INBOX].find_one({"event_id": nobody.id}) is None
    assert await db[DELIVERIES].count_documents({"event_id": nobody.id}) == 0

    subscription = await subscribe(webhooks, partner.url("/new"))
    wanted = await publish(bus, meeting_scheduled(f"m2-{unique}"))
    [delivery] = await deliveries_when_settled(webhooks, subscription["id"], 1)
    assert delivery["event_id"] == wanted.id


async def test_a_deleted_subscription_is_disabled_and_gets_nothing(
    webhooks: httpx.AsyncClient, partner: PartnerEndpoint, bus: EventPublisher, unique: str
) -> None:
    gone = await subscribe(webhooks, partner.url("/gone"))
    kept = await subscribe(webhooks, partner.url("/kept"))
    response = await webhooks.delete(f"/partners/webhooks/{gone['id']}", headers=SECRETARIAT)
    assert response.status_code == 204
    shown = (await webhooks.get(f"/partners/webhooks/{gone['id']}", headers=SECRETARIAT)).json()
    assert shown["status"] == "disabled"
    assert shown["disabled_reason"] == "disabled by the secretariat"

    await publish(bus, meeting_scheduled(f"m-{unique}"))
    await deliveries_when_settled(webhooks, kept["id"], 1)  # the event was handled
    assert partner.at("/gone") == []
    assert (
        await webhooks.get(f"/partners/webhooks/{gone['id']}/deliveries", headers=SECRETARIAT)
    ).json() == []


async def test_disabling_cancels_a_delivery_waiting_for_its_retry(
    webhooks: httpx.AsyncClient, partner: PartnerEndpoint, bus: EventPublisher, unique: str
) -> None:
    partner.script("/later", Reply(503, {"Retry-After": "30"}))
    created = await subscribe(webhooks, partner.url("/later"))
    await publish(bus, meeting_scheduled(f"m-{unique}"))
    await partner.wait_for("/later", 1)

    async def waiting() -> bool:
        response = await webhooks.get(
            f"/partners/webhooks/{created['id']}/deliveries", headers=SECRETARIAT
        )
        return [d["status"] for d in response.json()] == ["pending"]

    await eventually(waiting)
    await webhooks.delete(f"/partners/webhooks/{created['id']}", headers=SECRETARIAT)
    [delivery] = (
        await webhooks.get(f"/partners/webhooks/{created['id']}/deliveries", headers=SECRETARIAT)
    ).json()
    assert delivery["status"] == "cancelled"
    assert delivery["last_error"] == "subscription disabled"
    assert [a["status_code"] for a in delivery["attempts"]] == [503]


async def test_one_delivery_per_event_and_subscription_even_if_fanned_out_twice(
    mongo_client: Client,
    make_settings: Any,
    webhooks: httpx.AsyncClient,
    partner: PartnerEndpoint,
) -> None:
    """The unique (event id, subscription id) index, independently of the inbox: a second
    fan-out of the same event (e.g. by another consumer queue) adds nothing."""
    created = await subscribe(webhooks, partner.url("/twice"))
    settings: ServiceSettings = make_settings("notifications")
    db = mongo_client[settings.database]
    event = CATALOG.envelope(meeting_scheduled("m-twice"), source="/pesnet/test")
    _, payload = CATALOG.parse(event.to_json())

    uow = MongoNotificationsUnitOfWork(
        mongo_client,
        db,
        Outbox(db, CATALOG, source="/pesnet/notifications"),
        mail_lease=timedelta(seconds=60),
        webhook_lease=timedelta(seconds=60),
    )

    async def fan_out_once(session: DbSession) -> int:
        return await fan_out(payload, uow.joined(session, event))

    assert await in_transaction(mongo_client, fan_out_once) == 1
    assert await in_transaction(mongo_client, fan_out_once) == 1
    stored = await db[DELIVERIES].count_documents(
        {"event_id": event.id, "subscription_id": created["id"]}
    )
    assert stored == 1


async def test_a_pattern_is_matched_in_linear_time_and_bounded(
    webhooks: httpx.AsyncClient,
) -> None:
    """A `#.#.#…` pattern of 199 characters took 39 s to refuse while `/healthz` failed
    (the matcher backtracked): now its length is refused at once, and patterns of the
    longest allowed are matched in one pass."""
    import time

    body = {"partner": "ilo", "url": "https://hooks.example.org/pesnet"}
    hashes = ".".join(["#"] * 100)[:199]
    started = time.monotonic()
    refused = await webhooks.post(
        "/partners/webhooks", json={**body, "event_types": [hashes]}, headers=SECRETARIAT
    )
    assert time.monotonic() - started < 1.0
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "event_types.0"
    assert "at most 100 characters and 8 words" in error["msg"]
    assert (await webhooks.get("/healthz")).status_code == 200

    too_many = await webhooks.post(
        "/partners/webhooks",
        json={**body, "event_types": ["agenda.#"] * 51},
        headers=SECRETARIAT,
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "event_types"

    longest = ["#.#.#.#.#.#.#.released", "*.#.#.#.*.#.#.#"]
    started = time.monotonic()
    accepted = await webhooks.post(
        "/partners/webhooks", json={**body, "event_types": longest}, headers=SECRETARIAT
    )
    assert accepted.status_code == 201, accepted.text
    assert time.monotonic() - started < 1.0


async def test_subscriptions_are_limited_per_client_address(
    webhooks: httpx.AsyncClient,
) -> None:
    """Each subscription's address is resolved and checked: one client address may ask
    for 20 an hour (`PESNET_WEBHOOK_SUBSCRIPTIONS_PER_ADDRESS`), then 429."""
    body = {"partner": "ilo", "url": "https://hooks.example.org/pesnet"}
    answers = [
        (await webhooks.post("/partners/webhooks", json=body, headers=SECRETARIAT)).status_code
        for _ in range(20)
    ]
    assert answers == [201] * 20
    refused = await webhooks.post(
        "/partners/webhooks", json=body, headers={**SECRETARIAT, "Accept-Language": "fr"}
    )
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert refused.json()["detail"].startswith("trop de requêtes")
