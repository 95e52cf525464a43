"""Prometheus metrics: what an operator watches, on `GET /metrics` of every service.

Each `ServiceRuntime` has its own registry (`Metrics`), so that five services in one
process (the tests, a development run) each show their own figures. The kernel's
metrics are defined here and fed by the kernel's pieces: HTTP requests by route
template (never by raw path: ids would make a series per person), the outbox's
backlog and its oldest unpublished entry (read at scrape time, one indexed query, never
on a request's path), the relay's publishes, and per consumer and event type the
messages handled, duplicates, retries, dead letters, handling time, the wait of a
message for the ones ahead of it in its lane, gaps in delivery order, and how many
messages each consumer transaction committed (group commit). A service
registers its own on the same registry (`metrics.counter(...)`): mails, webhook
deliveries, sign-ins. Names are listed in `deploy/monitoring` (alerts, dashboard); a test
checks that those name only metrics exported here.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
PREFIX = "pesnet_"
# seconds: an HTTP request, a message's handling, a lane's wait
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# messages in one consumer transaction
GROUP_BUCKETS = (1, 2, 4, 8, 16)

Refresh = Callable[[], Awaitable[None]]


class Metrics:
    """One service's registry and the kernel's metrics on it."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        # what to read just before a scrape (the outbox's backlog); each is bounded
        self.refreshers: list[Refresh] = []
        self.http_requests = self.counter(
            "http_requests", "HTTP requests answered", ["method", "route", "status"]
        )
        self.http_duration = self.histogram(
            "http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"]
        )
        self.outbox_backlog = self.gauge(
            "outbox_backlog", "Outbox entries not yet published to the broker"
        )
        self.outbox_oldest_age = self.gauge(
            "outbox_oldest_unpublished_age_seconds",
            "Age of the oldest outbox entry not yet published (0 when none)",
        )
        self.outbox_published = self.counter(
            "outbox_published", "Outbox entries the relay published", ["event_type"]
        )
        self.outbox_publish_failures = self.counter(
            "outbox_publish_failures", "Publishes of outbox entries the broker did not confirm"
        )
        by_event = ["consumer", "event_type"]
        self.messages_handled = self.counter(
            "messages_handled", "Messages handled (their effect committed)", by_event
        )
        self.messages_retried = self.counter(
            "messages_retried", "Handling attempts that failed and will be retried", by_event
        )
        self.messages_dead_lettered = self.counter(
            "messages_dead_lettered", "Messages sent to the dead-letter queue", by_event
        )
        self.inbox_duplicates = self.counter(
            "inbox_duplicates", "Messages already handled, ignored by the inbox", by_event
        )
        self.handling_duration = self.histogram(
            "message_handling_seconds", "Time to handle a message (retries included)", by_event
        )
        self.lane_wait = self.histogram(
            "consumer_lane_wait_seconds",
            "Time a message waited for the ones ahead of it (its lane, a barrier)",
            ["consumer"],
        )
        self.delivery_gaps = self.counter(
            "consumer_delivery_gaps",
            "Deliveries passed over after waiting for an earlier one that never came",
            ["consumer"],
        )
        self.transaction_group = self.histogram(
            "consumer_transaction_group_size",
            "Messages committed in one transaction (a burst's side by side: group commit)",
            ["consumer"],
            buckets=GROUP_BUCKETS,
        )
        self.in_flight = self.gauge(
            "consumer_messages_in_flight",
            "Messages delivered to the consumer and not yet acknowledged",
            ["consumer"],
        )
        self.last_handled = self.gauge(
            "consumer_last_handled_timestamp_seconds",
            "When the consumer last finished a message (Unix time)",
            ["consumer"],
        )

    def counter(self, name: str, doc: str, labels: Sequence[str] = ()) -> Counter:
        """A counter of this service (`pesnet_<name>_total` in the exposition)."""
        return Counter(PREFIX + name, doc, labels, registry=self.registry)

    def gauge(self, name: str, doc: str, labels: Sequence[str] = ()) -> Gauge:
        return Gauge(PREFIX + name, doc, labels, registry=self.registry)

    def histogram(
        self,
        name: str,
        doc: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> Histogram:
        return Histogram(PREFIX + name, doc, labels, registry=self.registry, buckets=buckets)

    def handled(self, consumer: str, event_type: str, outcome: str, seconds: float) -> None:
        """A message's end: 'done', 'duplicate', 'unwanted' (handled, nothing to do),
        'dead-lettered'."""
        labels = (consumer, event_type)
        if outcome == "duplicate":
            self.inbox_duplicates.labels(*labels).inc()
        elif outcome == "dead-lettered":
            self.messages_dead_lettered.labels(*labels).inc()
        else:
            self.messages_handled.labels(*labels).inc()
        self.handling_duration.labels(*labels).observe(seconds)
        self.last_handled.labels(consumer).set(time.time())

    async def exposition(self) -> bytes:
        for refresh in self.refreshers:
            try:
                await refresh()
            except Exception:  # noqa: S112 - a dead database must not cost the other figures
                continue
        return generate_latest(self.registry)


SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def metric_names(metrics: Metrics) -> set[str]:
    """Every series name the registry can expose (`_total`, `_bucket`, ... included),
    also of a labelled metric that has no series yet."""
    names: set[str] = set()
    for family in metrics.registry.collect():
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
    return names
