"""The webhook consumer's handlers: every public event type, fanned out to deliveries."""

from __future__ import annotations

from pesnet.notifications.webhooks.adapters import DeliveryRepository, SubscriptionRepository
from pesnet.notifications.webhooks.service_layer import fan_out
from pesnet.shared.catalog import EventPayload
from pesnet.shared.messaging import EventConsumer, HandlerContext


def register_handlers(
    consumer: EventConsumer,
    public_types: list[str],
    subscriptions: SubscriptionRepository,
    deliveries: DeliveryRepository,
) -> None:
    async def queue_deliveries(payload: EventPayload, ctx: HandlerContext) -> None:
        await fan_out(ctx.session, subscriptions, deliveries, ctx.event, payload)

    for event_type in public_types:
        consumer.on_type(event_type)(queue_deliveries)
