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


class WebhookChanged(EventPayload):
    """The partners' administrator changed a webhook subscription (its id only: the
    endpoint and secret stay in notifications)."""

    subscription_id: str


class WebhookCreated(WebhookChanged):
    pass


class WebhookDisabled(WebhookChanged):
    pass


class WebhookEnabled(WebhookChanged):
    pass


class WebhookSecretRotated(WebhookChanged):
    pass


class PreferencesChanged(EventPayload):
    """A recipient changed their mail preferences through the signed link of a mail:
    what they chose, never who (no account, no address)."""

    preferred_language: Language | None = None
    opted_out: bool


EVENTS = (
    EventSpec("notifications.webhook.created", WebhookCreated, "A webhook was subscribed."),
    EventSpec("notifications.webhook.disabled", WebhookDisabled, "A webhook was disabled."),
    EventSpec("notifications.webhook.enabled", WebhookEnabled, "A webhook was enabled again."),
    EventSpec(
        "notifications.webhook.secret_rotated",
        WebhookSecretRotated,
        "A webhook's signing secret was rotated.",
    ),
    EventSpec(
        "notifications.preferences.changed",
        PreferencesChanged,
        "A recipient changed their mail preferences.",
    ),
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
