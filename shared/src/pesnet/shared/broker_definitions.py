"""The broker topology as a RabbitMQ definitions document, built from topology.py.

deploy/rabbitmq/definitions.json is generated from this (scripts/generate_rabbitmq_definitions.py)
so that a broker started from it already has the exchanges, queues (with the exact
arguments the services declare: a redeclare with other arguments fails) and bindings.
Partner queues are not in it: `python -m pesnet.shared.partners` makes them at run time;
the policy that bounds them is (`partner_queue_policy`), so that a broker deployed from it
bounds them from the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from faststream.rabbit import RabbitExchange, RabbitQueue

from pesnet.shared.topology import (
    DEAD_LETTER_EXCHANGE,
    EVENTS_EXCHANGE,
    PARTNER_QUEUES_POLICY,
    PUBLIC_EXCHANGE,
    PUBLIC_STREAM,
    UNROUTED_EXCHANGE,
    consumer_queue,
    dead_letter_exchange,
    dead_letter_queue,
    events_exchange,
    partner_queue_policy,
    public_exchange,
    public_stream,
    unrouted_exchange,
    unrouted_queue,
)


def _exchange(exchange: RabbitExchange, vhost: str) -> dict[str, Any]:
    return {
        "name": exchange.name,
        "vhost": vhost,
        "type": str(exchange.type.value),
        "durable": exchange.durable,
        "auto_delete": exchange.auto_delete,
        "internal": False,
        "arguments": dict(exchange.arguments or {}),
    }


def _queue(queue: RabbitQueue, vhost: str) -> dict[str, Any]:
    return {
        "name": queue.name,
        "vhost": vhost,
        "durable": queue.durable,
        "auto_delete": queue.auto_delete,
        "arguments": dict(queue.arguments or {}),
    }


def _binding(
    source: str, destination: str, routing_key: str, vhost: str, kind: str = "queue"
) -> dict[str, Any]:
    return {
        "source": source,
        "vhost": vhost,
        "destination": destination,
        "destination_type": kind,
        "routing_key": routing_key,
        "arguments": {},
    }


def topology_definitions(
    consumers: Mapping[str, Iterable[str]], public_types: Iterable[str], vhost: str = "/"
) -> dict[str, Any]:
    """What `declare_core` and `declare_consumer` (one per consumer queue → the event types
    it handles) declare, as definitions: exchanges, queues and bindings, sorted."""
    exchanges = [
        _exchange(e(), vhost)
        for e in (events_exchange, public_exchange, unrouted_exchange, dead_letter_exchange)
    ]
    queues = [_queue(unrouted_queue(), vhost), _queue(public_stream(), vhost)]
    bindings = [
        _binding(UNROUTED_EXCHANGE, UNROUTED_EXCHANGE, "", vhost),
        _binding(PUBLIC_EXCHANGE, PUBLIC_STREAM, "#", vhost),
    ]
    bindings += [
        _binding(EVENTS_EXCHANGE, PUBLIC_EXCHANGE, t, vhost, "exchange") for t in public_types
    ]
    for name, event_types in consumers.items():
        dlq = dead_letter_queue(name)
        queues += [_queue(consumer_queue(name), vhost), _queue(dlq, vhost)]
        bindings.append(_binding(DEAD_LETTER_EXCHANGE, dlq.name, name, vhost))
        bindings += [_binding(EVENTS_EXCHANGE, name, t, vhost) for t in event_types]
    return {
        "vhosts": [{"name": vhost}],
        "exchanges": sorted(exchanges, key=lambda e: e["name"]),
        "queues": sorted(queues, key=lambda q: q["name"]),
        "bindings": sorted(
            bindings, key=lambda b: (b["source"], b["destination"], b["routing_key"])
        ),
        "policies": [{"vhost": vhost, "name": PARTNER_QUEUES_POLICY, **partner_queue_policy()}],
    }


def service_permission_pattern(consumer_queues: Iterable[str]) -> str:
    """configure/write/read pattern of a service's broker user: the platform's exchanges
    (and the `pesnet.unrouted` queue every service declares) and the given consumer queues
    with their dead-letter queues, nothing else (no partner queue, no other service's
    queue). A service that consumes nothing (identity) gets the exchanges alone."""
    exchanges = sorted(
        name.removeprefix("pesnet.")
        for name in {EVENTS_EXCHANGE, PUBLIC_EXCHANGE, UNROUTED_EXCHANGE, DEAD_LETTER_EXCHANGE}
    )
    platform = f"pesnet[.]({'|'.join(exchanges)})"
    queues = sorted(q.replace(".", "[.]") for q in consumer_queues)
    if not queues:
        return f"^{platform}$"
    return f"^({platform}|({'|'.join(queues)})([.]dlq)?)$"
