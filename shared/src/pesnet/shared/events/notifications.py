"""Events published by the notifications service."""

from __future__ import annotations

from pesnet.shared.catalog import EventPayload, EventSpec
from pesnet.shared.events.common import Language


class DeliverySent(EventPayload):
    delivery_id: str
    event_id: str
    event_type: str
    channel: str
    recipient: str
    language: Language
    template: str


class DeliveryFailed(EventPayload):
    delivery_id: str
    event_id: str
    event_type: str
    channel: str
    recipient: str
    reason: str
    permanent: bool


EVENTS = (
    EventSpec("notifications.delivery.sent", DeliverySent, "A notification was handed to SMTP."),
    EventSpec(
        "notifications.delivery.failed",
        DeliveryFailed,
        "A notification could not be delivered (permanent failure or retries exhausted).",
    ),
)
