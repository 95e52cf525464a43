"""Public events reach a partner's endpoint signed, once, and failures are retried or
recorded; on the real broker and database, with a real HTTP endpoint on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pesnet.notifications.domain.signing import InvalidSignature, verify_signature
from pesnet.shared.messaging import EventPublisher
from tests.integration.webhooks.conftest import (
    SECRETARIAT,
    PartnerEndpoint,
    Reply,
    WebhooksFactory,
    chairmanship_transferred,
    delegation_updated,
    deliveries_when_settled,
    meeting_scheduled,
    participant_registered,
    publish,
    subscribe,
    wait_handled,
)
from tests.support import eventually

pytestmark = pytest.mark.integration


async def test_public_event_reaches_the_partner_once_with_a_valid_signature(
    webhooks: httpx.AsyncClient, partner: PartnerEndpoint, bus: EventPublisher, unique: str
) -> None:
    subscription = await subscribe(webhooks, partner.url("/hook"))
    event = await publish(bus, meeting_scheduled(f"m-{unique}"))

    [request] = await partner.wait_for("/hook", 1)
    assert request.headers["content-type"].startswith("application/cloudevents+json")
    assert request.headers["webhook-id"] == event.id
    verify_signature(subscription["secret"], request.headers, request.body)
    with pytest.raises(InvalidSignature):
        verify_signature(subscription["secret"], request.headers, request.body + b" ")
    cloud_event = request.json()
    assert cloud_event["id"] == event.id
    assert cloud_event["type"] == "agenda.meeting.scheduled"
    assert cloud_event["specversion"] == "1.0"
    assert cloud_event["data"]["meeting_id"] == f"m-{unique}"

    # the bus delivers the same event again: the partner still gets it once
    await bus.publish(event)
    later = await publish(bus, delegation_updated(f"m-{unique}"))
    deliveries = await deliveries_when_settled(webhooks, subscription["id"], 2)
    assert sorted(d["event_id"] for d in deliveries) == sorted([event.id, later.id])
    assert all(d["status"] == "succeeded" for d in deliveries)
    assert sorted(r.headers["webhook-id"] for r in partner.at("/hook")) == sorted(
        [event.id, later.id]
    )


async def test_internal_events_never_reach_a_partner(
    webhooks: httpx.AsyncClient, partner: PartnerEndpoint, bus: EventPublisher, unique: str
) -> None:
    subscription = await subscribe(webhooks, partner.url("/all"))  # every public type
    private = await publish(bus, participant_registered(f"m-{unique}"))
    public = await publish(bus, meeting_scheduled(f"m-{unique}"))

    # one queue, handled in order: once the public event's delivery is done, a delivery
    # of the private one (published first) would exist too
    [delivery] = await deliveries_when_settled(webhooks, subscription["id"], 1)
    assert delivery["event_id"] == public.id
    received = partner.at("/all")
    assert [r.headers["webhook-id"] for r in received] == [public.id]
    assert private.id not in {r.headers["webhook-id"] for r in received}
    assert b"amina.private@example.org" not in b"".join(r.body for r in received)


async def test_a_server_error_is_retried_until_it_succeeds(
    webhooks: httpx.AsyncClient, partner: PartnerEndpoint, bus: EventPublisher, unique: str
) -> None:
    partner.script("/flaky", Reply(500))
    subscription = await subscribe(webhooks, partner.url("/flaky"))
    event = await publish(bus, meeting_scheduled(f"m-{unique}"))

    first, second = await partner.wait_for("/flaky", 2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == event.id
    assert first.body == second.body
    verify_signature(subscription["secret"], second.headers, second.body)
    [delivery] = await deliveries_when_settled(webhooks, subscription["id"], 1)
    assert delivery["status"] == "succeeded"
    assert [(a["status_code"], a["outcome"]) for a in delivery["attempts"]] == [
        (500, "retry"),
        (200, "succeeded"),
    ]


async def test_retry_after_and_timeouts_are_retried(
    webhooks: httpx.AsyncClient, partner: PartnerEndpoint, bus: EventPublisher, unique: str
) -> None:
    # 429 asking for one second (more than the test's 0.1 s backoff), then a reply
    # slower than the 1 s timeout, then success
    partner.script("/busy", Reply(429, {"Retry-After": "1"}), Reply(200, delay=1.5))
    subscription = await subscribe(webhooks, partner.url("/busy"))
    await publish(bus, meeting_scheduled(f"m-{unique}"))

    first, second, _third = await partner.wait_for("/busy", 3, within=15)
    assert second.at - first.at >= 0.9
    [delivery] = await deliveries_when_settled(webhooks, subscription["id"], 1)
    attempts = delivery["attempts"]
    assert [a["outcome"] for a in attempts] == ["retry", "retry", "succeeded"]
    assert attempts[0]["status_code"] == 429
    assert attempts[1]["status_code"] is None
    assert "timeout" in attempts[1]["error"]


async def subscription_when(
    webhooks: httpx.AsyncClient, subscription_id: str, condition: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The subscription as `GET` shows it, once `condition` holds (or fail after 10 s)."""
    shown: dict[str, Any] = {}

    async def reached() -> bool:
        nonlocal shown
        response = await webhooks.get(f"/partners/webhooks/{subscription_id}", headers=SECRETARIAT)
        shown = response.json()
        return condition(shown)

    await eventually(reached)
    return shown


async def test_a_client_error_is_a_recorded_permanent_failure(
    webhooks: httpx.AsyncClient,
    partner: PartnerEndpoint,
    bus: EventPublisher,
    unique: str,
) -> None:
    partner.script("/strict", Reply(400), Reply(400))
    subscription = await subscribe(webhooks, partner.url("/strict"))
    await publish(bus, meeting_scheduled(f"m-{unique}"))

    [delivery] = await deliveries_when_settled(webhooks, subscription["id"], 1)
    assert delivery["status"] == "failed"
    assert [(a["status_code"], a["outcome"]) for a in delivery["attempts"]] == [(400, "failed")]
    assert delivery["last_error"].startswith("HTTP 400")
    assert len(partner.at("/strict")) == 1  # not retried
    # the run of failures is counted just after the delivery is recorded failed
    shown = await subscription_when(
        webhooks, subscription["id"], lambda s: s["consecutive_failures"] == 1
    )
    assert shown["status"] == "active"

    # a second permanent failure in a row reaches the test threshold (2): disabled
    await publish(bus, delegation_updated(f"m-{unique}"))
    await deliveries_when_settled(webhooks, subscription["id"], 2)
    shown = await subscription_when(
        webhooks, subscription["id"], lambda s: s["status"] == "disabled"
    )
    assert "2 deliveries in a row failed" in shown["disabled_reason"]

    # disabled: a new event is not delivered; re-enabled: the next one is
    chair = await publish(bus, chairmanship_transferred())
    await wait_handled(webhooks, chair)
    enabled = await webhooks.post(
        f"/partners/webhooks/{subscription['id']}/enable", headers=SECRETARIAT
    )
    assert enabled.json()["status"] == "active"
    assert enabled.json()["consecutive_failures"] == 0
    again = await publish(bus, meeting_scheduled(f"m2-{unique}"))
    await partner.wait_for("/strict", 3)
    deliveries = await deliveries_when_settled(webhooks, subscription["id"], 3)
    assert chair.id not in {d["event_id"] for d in deliveries}
    assert deliveries[0]["event_id"] == again.id
    assert partner.at("/strict")[2].headers["webhook-id"] == again.id


async def test_subscriptions_get_only_the_event_types_they_asked_for(
    webhooks: httpx.AsyncClient, partner: PartnerEndpoint, bus: EventPublisher, unique: str
) -> None:
    agenda = await subscribe(webhooks, partner.url("/agenda"), ["agenda.#"], partner="donor")
    counts = await subscribe(
        webhooks, partner.url("/counts"), ["registration.delegation.updated"], partner="oic-sg"
    )
    meeting = await publish(bus, meeting_scheduled(f"m-{unique}"))
    delegation = await publish(bus, delegation_updated(f"m-{unique}"))
    chair = await publish(bus, chairmanship_transferred())

    await deliveries_when_settled(webhooks, agenda["id"], 2)
    await deliveries_when_settled(webhooks, counts["id"], 1)
    assert sorted(r.headers["webhook-id"] for r in partner.at("/agenda")) == sorted(
        [meeting.id, chair.id]
    )
    assert [r.headers["webhook-id"] for r in partner.at("/counts")] == [delegation.id]
    verify_signature(
        agenda["secret"], partner.at("/agenda")[0].headers, partner.at("/agenda")[0].body
    )
    with pytest.raises(InvalidSignature):  # each subscription has its own secret
        verify_signature(
            counts["secret"], partner.at("/agenda")[0].headers, partner.at("/agenda")[0].body
        )


async def test_two_replicas_never_send_one_delivery_twice(
    webhooks_app: WebhooksFactory, partner: PartnerEndpoint, bus: EventPublisher, unique: str
) -> None:
    # slow answers keep deliveries leased while the other replica looks for work
    partner.script("/shared", *[Reply(200, delay=0.2) for _ in range(6)])
    async with webhooks_app() as first, webhooks_app():
        subscription = await subscribe(first, partner.url("/shared"))
        events = [await publish(bus, meeting_scheduled(f"m{i}-{unique}")) for i in range(6)]
        await deliveries_when_settled(first, subscription["id"], 6, within=20)
    ids = [r.headers["webhook-id"] for r in partner.at("/shared")]
    assert sorted(ids) == sorted(e.id for e in events)
