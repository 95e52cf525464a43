from __future__ import annotations

from pesnet.shared.topology import (
    DEAD_LETTER_EXCHANGE,
    consumer_queue,
    dead_letter_queue,
    events_exchange,
)


def test_consumer_queue_is_quorum_with_limit_and_dead_letter_queue() -> None:
    queue = consumer_queue("notifications")
    assert queue.arguments["x-queue-type"] == "quorum"
    assert queue.arguments["x-delivery-limit"] > 0
    assert queue.arguments["x-dead-letter-exchange"] == DEAD_LETTER_EXCHANGE
    assert queue.arguments["x-dead-letter-routing-key"] == "notifications"
    assert queue.durable
    assert dead_letter_queue("notifications").name == "notifications.dlq"


def test_queue_arguments_are_identical_on_every_declaration() -> None:
    # replicas re-declare: any difference would fail with PRECONDITION_FAILED
    assert consumer_queue("a").arguments == consumer_queue("a").arguments


def test_events_exchange_keeps_unrouted_events() -> None:
    exchange = events_exchange()
    assert exchange.name == "pesnet.events"
    assert exchange.arguments == {"alternate-exchange": "pesnet.unrouted"}
