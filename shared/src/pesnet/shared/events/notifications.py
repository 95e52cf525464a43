"""Events published by the notifications service. They name the delivery (its id, the
event it tells of, the kind of notice, language and meeting), never the person: the
address stays in the delivery log, where a purge and the log's expiry reach it."""

from __future__ import annotations

from pesnet.shared.catalog import EventPayload, EventSpec
from pesnet.shared.events.common import Language


class DeliverySent(EventPayload):
    delivery_id: str
    event_id: str
    event_type: str
    channel: str
    kind: str
    language: Language
    meeting_id: str | None = None
    template: str


class DeliveryFailed(EventPayload):
    delivery_id: str
    event_id: str
    event_type: str
    channel: str
    kind: str
    language: Language
    meeting_id: str | None = None
    reason: str
    permanent: bool


EVENTS = (
    EventSpec(
        "notifications.delivery.sent",
        DeliverySent,
        "A notification was handed to SMTP.",
        version=2,
    ),
    EventSpec(
        "notifications.delivery.failed",
        DeliveryFailed,
        "A notification could not be delivered (permanent failure or retries exhausted).",
        version=2,
    ),
)
