"""Signing secrets are encrypted at rest: the database never holds a secret in the clear,
yet deliveries are signed with it; a secret the configured keys cannot open fails its
deliveries with a clear reason, without stopping the worker. On the real broker and
database, with a real HTTP endpoint on 127.0.0.1."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from bson import json_util
from cryptography.fernet import Fernet
from pymongo.asynchronous.collection import AsyncCollection

from pesnet.notifications.adapters.sealing import SecretSealer
from pesnet.notifications.adapters.webhooks import SUBSCRIPTIONS
from pesnet.notifications.domain.signing import new_secret, verify_signature
from pesnet.notifications.webhook_settings import DEV_KEY
from pesnet.shared.envelope import utcnow
from pesnet.shared.messaging import EventPublisher
from pesnet.shared.mongo import Client, Document
from pesnet.shared.settings import ServiceSettings
from tests.integration.webhooks.conftest import (
    SECRETARIAT,
    PartnerEndpoint,
    WebhooksFactory,
    deliveries_when_settled,
    meeting_scheduled,
    publish,
    subscribe,
)

pytestmark = pytest.mark.integration

Subscriptions = AsyncCollection[Document]


@pytest.fixture
def subscriptions(
    mongo_client: Client, make_settings: Callable[..., ServiceSettings]
) -> Subscriptions:
    """The subscriptions collection as stored, read directly (not through the API)."""
    return mongo_client[make_settings("notifications").database][SUBSCRIPTIONS]


def assert_stored_without(doc: dict[str, Any], *plain_secrets: str) -> None:
    stored = json_util.dumps(doc)
    for secret in plain_secrets:
        assert secret not in stored
        assert secret.removeprefix("whsec_") not in stored
    assert "secret" not in doc
    assert "previous_secret" not in doc


async def test_the_database_holds_no_plain_secret_and_deliveries_are_signed(
    webhooks_app: WebhooksFactory,
    partner: PartnerEndpoint,
    bus: EventPublisher,
    subscriptions: Subscriptions,
    unique: str,
) -> None:
    key = Fernet.generate_key().decode()
    async with webhooks_app(secret_keys=key) as webhooks:
        subscription = await subscribe(webhooks, partner.url("/sealed"))
        secret = subscription["secret"]

        stored = await subscriptions.find_one({"_id": subscription["id"]})
        assert stored is not None
        assert_stored_without(stored, secret)
        # sealed with the configured key (not the development key)
        assert SecretSealer([key]).unseal(stored["secret_sealed"]) == secret
        assert stored["previous_secret_sealed"] is None

        first = await publish(bus, meeting_scheduled(f"m-{unique}"))
        [request] = await partner.wait_for("/sealed", 1)
        assert request.headers["webhook-id"] == first.id
        verify_signature(secret, request.headers, request.body)

        # a rotation: still nothing in the clear, and both secrets sign during the grace
        rotated = await webhooks.post(
            f"/partners/webhooks/{subscription['id']}/rotate-secret", headers=SECRETARIAT
        )
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        assert new != secret
        stored = await subscriptions.find_one({"_id": subscription["id"]})
        assert stored is not None
        assert_stored_without(stored, secret, new)

        second = await publish(bus, meeting_scheduled(f"m2-{unique}"))
        requests = await partner.wait_for("/sealed", 2)
        [after_rotation] = [r for r in requests if r.headers["webhook-id"] == second.id]
        verify_signature(new, after_rotation.headers, after_rotation.body)
        verify_signature(secret, after_rotation.headers, after_rotation.body)

        # the API never shows a secret again
        listed = await webhooks.get("/partners/webhooks", headers=SECRETARIAT)
        assert secret not in listed.text
        assert new not in listed.text
        assert "secret" not in listed.json()[0]


async def test_a_secret_the_keys_cannot_open_fails_its_delivery_and_the_worker_goes_on(
    webhooks: httpx.AsyncClient,
    partner: PartnerEndpoint,
    bus: EventPublisher,
    subscriptions: Subscriptions,
    unique: str,
) -> None:
    healthy = await subscribe(webhooks, partner.url("/healthy"))
    broken = await subscribe(webhooks, partner.url("/broken"), partner="unesco")
    # as if the key that sealed it had been dropped from PESNET_WEBHOOK_SECRET_KEYS
    foreign = SecretSealer([Fernet.generate_key().decode()]).seal(new_secret())
    await subscriptions.update_one({"_id": broken["id"]}, {"$set": {"secret_sealed": foreign}})

    event = await publish(bus, meeting_scheduled(f"m-{unique}"))
    [failed] = await deliveries_when_settled(webhooks, broken["id"], 1)
    assert failed["event_id"] == event.id
    assert failed["status"] == "failed"
    assert "cannot be decrypted" in failed["last_error"]
    assert "PESNET_WEBHOOK_SECRET_KEYS" in failed["last_error"]
    [attempt] = failed["attempts"]
    assert attempt["outcome"] == "failed"
    assert attempt["status_code"] is None
    assert partner.at("/broken") == []

    # the other subscription got the same event, and later ones still go out
    [request] = await partner.wait_for("/healthy", 1)
    verify_signature(healthy["secret"], request.headers, request.body)
    later = await publish(bus, meeting_scheduled(f"m2-{unique}"))
    requests = await partner.wait_for("/healthy", 2)
    assert later.id in {r.headers["webhook-id"] for r in requests}


async def test_a_subscription_stored_with_a_plain_secret_is_sealed_when_the_worker_starts(
    webhooks_app: WebhooksFactory,
    partner: PartnerEndpoint,
    bus: EventPublisher,
    subscriptions: Subscriptions,
    unique: str,
) -> None:
    """A subscription created before secrets were encrypted at rest keeps working."""
    secret = new_secret()
    subscription_id = f"whs_{uuid.uuid4().hex}"
    await subscriptions.insert_one(
        {
            "_id": subscription_id,
            "partner": "ilo",
            "url": partner.url("/legacy"),
            "event_types": ["#"],
            "status": "active",
            "disabled_reason": None,
            "consecutive_failures": 0,
            "secret": secret,
            "previous_secret": None,
            "previous_secret_until": None,
            "created_at": utcnow(),
            "updated_at": None,
        }
    )
    async with webhooks_app():
        event = await publish(bus, meeting_scheduled(f"m-{unique}"))
        [request] = await partner.wait_for("/legacy", 1)
        assert request.headers["webhook-id"] == event.id
        verify_signature(secret, request.headers, request.body)
        # the worker sealed it before it sent anything
        stored = await subscriptions.find_one({"_id": subscription_id})
        assert stored is not None
        assert_stored_without(stored, secret)
        assert SecretSealer([DEV_KEY]).unseal(stored["secret_sealed"]) == secret
