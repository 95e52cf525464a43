"""RabbitMQ topology, declared idempotently at start-up by every service.

    producers ──► pesnet.events (topic, alternate-exchange pesnet.unrouted)
                    ├──► <consumer> quorum queues, one per consuming service, bound per event type
                    ├──► pesnet.public (topic, exchange-to-exchange, public event types only)
                    │       └──► partner queues
                    └┄┄► pesnet.unrouted (fanout) ──► pesnet.unrouted queue (what nobody bound yet)
    consumer gives up ──► pesnet.dlx (direct) ──► <consumer>.dlq

Queue arguments are built in exactly one place: re-declaring a queue with other
arguments fails with PRECONDITION_FAILED, so every replica must agree.

`pesnet.unrouted` is bounded in time and length (events there may carry personal
data, and nobody consumes them). A broker that still has it from before it was
bounded gets it replaced: see `declare_unrouted`.

Partner queues (`partner.<name>` and their dead-letter queues) are bounded in length and
age by a broker policy (`partner_queue_policy`, set by the partners CLI and in the
deployed definitions), not by queue arguments: a policy applies to queues that exist
already and changes without redeclaring them. A full partner queue drops its oldest
messages (`overflow: drop-head`). It must not refuse new ones: with `reject-publish`
RabbitMQ answers the publisher with a `basic.nack` for the whole message (measured: the
services' outbox relay then retries it for ever, and every event after it waits), so a
partner who stopped reading would block the platform. Only that partner loses, the
oldest first, and a monitoring rule sees it coming (`PARTNER_ALERT_FRACTION`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aio_pika
from aiormq.exceptions import ChannelPreconditionFailed
from faststream.rabbit import (
    Channel,
    ExchangeType,
    QueueType,
    RabbitBroker,
    RabbitExchange,
    RabbitQueue,
)

from pesnet.shared.logging import get_logger

log = get_logger(__name__)

EVENTS_EXCHANGE = "pesnet.events"
PUBLIC_EXCHANGE = "pesnet.public"
UNROUTED_EXCHANGE = "pesnet.unrouted"
UNROUTED_QUEUE = "pesnet.unrouted"
DEAD_LETTER_EXCHANGE = "pesnet.dlx"

# The broker's own safety net: a message redelivered this often (e.g. because it
# kills its consumer each time) is dead-lettered by RabbitMQ itself. Consumers give
# up earlier, on their own budget, so that the reason is kept (see messaging.py).
BROKER_DELIVERY_LIMIT = 20

# What the alternate exchange's queue keeps: a day, and the newest events at most.
UNROUTED_TTL_SECONDS = 24 * 3600
UNROUTED_MAX_LENGTH = 10_000

# What a partner's queue keeps when the partner does not read: a week, 100,000 events
# (the newest); an alert is due at 80% of that.
PARTNER_QUEUE_PREFIX = "partner."
PARTNER_QUEUES_POLICY = "pesnet-partner-queues"
PARTNER_MAX_LENGTH = 100_000
PARTNER_TTL_SECONDS = 7 * 24 * 3600
PARTNER_ALERT_FRACTION = 0.8

# Every public event is also kept in a RabbitMQ stream that partners may replay from an
# offset or a point in time (`x-stream-offset`): a week, 2 GB at most, whichever bound
# comes first (the oldest segments are dropped; a segment is 100 MB, so what is kept may
# exceed the age by a segment's worth). Only public events: it is bound to pesnet.public.
PUBLIC_STREAM = "pesnet.public.stream"
PUBLIC_STREAM_MAX_AGE = "7D"
PUBLIC_STREAM_MAX_BYTES = 2_000_000_000
PUBLIC_STREAM_SEGMENT_BYTES = 100_000_000


def events_exchange() -> RabbitExchange:
    return RabbitExchange(
        EVENTS_EXCHANGE,
        type=ExchangeType.TOPIC,
        durable=True,
        arguments={"alternate-exchange": UNROUTED_EXCHANGE},
    )


def public_exchange() -> RabbitExchange:
    return RabbitExchange(PUBLIC_EXCHANGE, type=ExchangeType.TOPIC, durable=True)


def unrouted_exchange() -> RabbitExchange:
    return RabbitExchange(UNROUTED_EXCHANGE, type=ExchangeType.FANOUT, durable=True)


def dead_letter_exchange() -> RabbitExchange:
    return RabbitExchange(DEAD_LETTER_EXCHANGE, type=ExchangeType.DIRECT, durable=True)


def _quorum(name: str, arguments: dict[str, Any] | None = None) -> RabbitQueue:
    # The quorum TypedDict lacks the dead-letter keys; RabbitQueue takes any dict.
    queue: RabbitQueue = RabbitQueue(  # type: ignore[call-overload]
        name, queue_type=QueueType.QUORUM, durable=True, arguments=arguments
    )
    return queue


def public_stream() -> RabbitQueue:
    """The stream of public events partners replay (`pesnet.public.stream`)."""
    queue: RabbitQueue = RabbitQueue(
        PUBLIC_STREAM,
        queue_type=QueueType.STREAM,
        durable=True,
        arguments={
            "x-max-age": PUBLIC_STREAM_MAX_AGE,
            "x-max-length-bytes": PUBLIC_STREAM_MAX_BYTES,
            "x-stream-max-segment-size-bytes": PUBLIC_STREAM_SEGMENT_BYTES,
        },
    )
    return queue


async def declare_public_stream(broker: RabbitBroker) -> None:
    """The stream and its binding to every public event (the partners CLI declares it;
    deploy/rabbitmq/definitions.json has it from the start)."""
    public = await broker.declare_exchange(public_exchange())
    stream = await broker.declare_queue(public_stream())
    await stream.bind(public, routing_key="#")


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dlq"


def consumer_queue(name: str) -> RabbitQueue:
    """A consuming service's queue: quorum, delivery limit, dead-lettered to `<name>.dlq`."""
    return _quorum(
        name,
        {
            "x-delivery-limit": BROKER_DELIVERY_LIMIT,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": name,
            # at-least-once dead-lettering: RabbitMQ keeps the message until the DLQ confirms it
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )


def dead_letter_queue(name: str) -> RabbitQueue:
    return _quorum(dead_letter_queue_name(name))


def unrouted_queue(
    ttl_seconds: int = UNROUTED_TTL_SECONDS, max_length: int = UNROUTED_MAX_LENGTH
) -> RabbitQueue:
    return _quorum(
        UNROUTED_QUEUE,
        {
            "x-message-ttl": ttl_seconds * 1000,
            "x-max-length": max_length,
            "x-overflow": "drop-head",
        },
    )


async def declare_unrouted(
    broker: RabbitBroker,
    ttl_seconds: int = UNROUTED_TTL_SECONDS,
    max_length: int = UNROUTED_MAX_LENGTH,
) -> aio_pika.abc.AbstractRobustQueue:
    """The unrouted buffer with its bounds. One declared with other arguments (an older
    version, unbounded) is deleted and declared again: it only buffers events that no
    one subscribed to, and keeping it unbounded is what must not happen."""
    wanted = unrouted_queue(ttl_seconds, max_length)
    connection = broker._connection
    assert connection is not None, "connect the broker first"
    # Channels of their own: PRECONDITION_FAILED closes the channel it happens on, and
    # the broker's default channel is the one its consumers use.
    try:
        async with connection.channel() as probe:
            await probe.declare_queue(UNROUTED_QUEUE, durable=True, arguments=wanted.arguments)
    except ChannelPreconditionFailed as exc:
        async with connection.channel() as channel:
            old = await channel.declare_queue(UNROUTED_QUEUE, passive=True)
            await old.delete(if_unused=False, if_empty=False)
        log.warning(
            "replaced the unrouted queue: it had other arguments",
            queue=UNROUTED_QUEUE,
            dropped_messages=old.declaration_result.message_count,
            was=str(exc),
        )
    return await broker.declare_queue(wanted)


async def declare_core(
    broker: RabbitBroker,
    public_types: Iterable[str],
    *,
    unrouted_ttl_seconds: int = UNROUTED_TTL_SECONDS,
    unrouted_max_length: int = UNROUTED_MAX_LENGTH,
) -> None:
    """Exchanges every service relies on, and the public stream's bindings."""
    unrouted = await broker.declare_exchange(unrouted_exchange())
    queue = await declare_unrouted(broker, unrouted_ttl_seconds, unrouted_max_length)
    await queue.bind(unrouted, routing_key="")
    events = await broker.declare_exchange(events_exchange())
    public = await broker.declare_exchange(public_exchange())
    for event_type in public_types:
        await public.bind(events, routing_key=event_type)
    await broker.declare_exchange(dead_letter_exchange())


async def declare_consumer(
    broker: RabbitBroker, name: str, event_types: Iterable[str], channel: Channel | None = None
) -> None:
    """A consumer's queue, its dead-letter queue, and one binding per event type it handles.
    `channel`: the one its subscriber will consume on (FastStream keeps the declared queue
    and consumes it on the channel it was first declared on)."""
    dlx = await broker.declare_exchange(dead_letter_exchange())
    dlq = await broker.declare_queue(dead_letter_queue(name))
    await dlq.bind(dlx, routing_key=name)
    events = await broker.declare_exchange(events_exchange())
    queue = await broker.config.declarer.declare_queue(consumer_queue(name), channel=channel)
    for event_type in event_types:
        await queue.bind(events, routing_key=event_type)


def partner_queue_policy(
    max_length: int = PARTNER_MAX_LENGTH, ttl_seconds: int = PARTNER_TTL_SECONDS
) -> dict[str, Any]:
    """The broker policy that bounds every partner queue (and its dead-letter queue)."""
    return {
        "pattern": "^" + PARTNER_QUEUE_PREFIX.replace(".", "\\."),
        "apply-to": "queues",
        "priority": 10,
        "definition": {
            "max-length": max_length,
            "message-ttl": ttl_seconds * 1000,
            "overflow": "drop-head",
        },
    }


async def declare_partner_queue(broker: RabbitBroker, name: str, patterns: Iterable[str]) -> None:
    """A partner's queue on the public stream (never on pesnet.events)."""
    dlx = await broker.declare_exchange(dead_letter_exchange())
    dlq = await broker.declare_queue(dead_letter_queue(name))
    await dlq.bind(dlx, routing_key=name)
    public = await broker.declare_exchange(public_exchange())
    queue = await broker.declare_queue(consumer_queue(name))
    for pattern in patterns:
        await queue.bind(public, routing_key=pattern)
