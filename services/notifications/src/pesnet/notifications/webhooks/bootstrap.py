"""Wires partner webhooks into a notifications runtime."""

from __future__ import annotations

from fastapi import APIRouter

from pesnet.notifications.webhooks.adapters import (
    WEBHOOK_INDEXES,
    DeliveryRepository,
    SubscriptionRepository,
)
from pesnet.notifications.webhooks.http import build_router
from pesnet.notifications.webhooks.messaging import register_handlers
from pesnet.notifications.webhooks.service_layer import DeliveryWorker, Subscriptions
from pesnet.notifications.webhooks.settings import WebhookSettings
from pesnet.shared.runtime import ServiceRuntime

CONSUMER_PURPOSE = "webhooks"


def install_webhooks(runtime: ServiceRuntime, settings: WebhookSettings | None = None) -> APIRouter:
    """Register partner webhooks on `runtime` and return their router.

    - a consumer queue of its own, `<queue>.webhooks`, handling every public event type
      (so the service's main consumer may handle the same types for its own purposes);
    - its collections' indexes;
    - the delivery worker, a background loop of the runtime.
    """
    settings = settings or WebhookSettings()
    # first: without its keys outside dev mode, the service refuses to start
    sealer = settings.sealer(dev_mode=runtime.settings.dev_mode)
    public_types = runtime.catalog.public_types()
    subscriptions = SubscriptionRepository(runtime.db)
    deliveries = DeliveryRepository(runtime.db)
    register_handlers(
        runtime.add_consumer(CONSUMER_PURPOSE), public_types, subscriptions, deliveries
    )
    runtime.add_indexes(WEBHOOK_INDEXES)
    runtime.background.append(DeliveryWorker(runtime.db, settings, sealer).run)
    service = Subscriptions(
        runtime.db, runtime.catalog, settings, sealer, dev_mode=runtime.settings.dev_mode
    )
    return build_router(service)
