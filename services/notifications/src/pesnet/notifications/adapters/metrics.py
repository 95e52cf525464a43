"""What notifications adds to the kernel's metrics (`GET /metrics`): the mails by kind,
language and outcome, and the partner webhook deliveries by outcome. Counted once the
transaction that recorded the outcome has committed (the repositories call these after
the commit), so a retried transaction counts once."""

from __future__ import annotations

from pesnet.notifications.domain.deliveries import Delivery
from pesnet.notifications.domain.webhooks import WebhookDelivery
from pesnet.shared.metrics import Metrics


class DeliveryMetrics:
    def __init__(self, metrics: Metrics) -> None:
        self.mails = metrics.counter(
            "mails",
            "Mail deliveries by kind, language and outcome (sent, failed, suppressed); a "
            "digest counts each delivery it carries",
            ["kind", "language", "outcome"],
        )
        self.webhooks = metrics.counter(
            "webhook_deliveries",
            "Partner webhook delivery attempts by outcome (succeeded, retried, failed)",
            ["outcome"],
        )

    def mail(self, delivery: Delivery) -> None:
        if delivery.status != "pending":
            self.mails.labels(delivery.kind, delivery.language, delivery.status).inc()

    def webhook(self, delivery: WebhookDelivery) -> None:
        outcome = "retried" if delivery.status == "pending" else delivery.status
        self.webhooks.labels(outcome).inc()
