"""Issue 10: the alternate exchange's queue keeps events nobody subscribed to for a
bounded time and length, also on a broker that still has it unbounded from before."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aio_pika
import pytest
from faststream.rabbit import QueueType, RabbitBroker, RabbitQueue

from pesnet.devtools import rabbit
from pesnet.shared.topology import UNROUTED_QUEUE, declare_core, events_exchange, unrouted_exchange
from tests.support import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def own_vhost(rabbit_url: str) -> AsyncIterator[str]:
    # its own vhost: the run's shared one has `pesnet.unrouted` declared by other tests
    vhost = rabbit.TestVhost(rabbit_url).create()
    try:
        yield vhost.url
    finally:
        vhost.delete()


async def unrouted_ids(url: str) -> list[str]:
    """The message ids in the queue, in order (consumed: the queue is left empty)."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(UNROUTED_QUEUE, passive=True)
        ids = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            ids.append(str(message.message_id))
        return ids


async def unrouted_count(url: str) -> int:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(UNROUTED_QUEUE, passive=True)
        count = queue.declaration_result.message_count
        assert count is not None
        return count


async def publish_unrouted(broker: RabbitBroker, ids: list[str]) -> None:
    for message_id in ids:
        await broker.publish(
            b"{}",
            exchange=events_exchange(),
            routing_key="nobody.listens.here",
            persist=True,
            message_id=message_id,
        )


async def test_an_unbounded_unrouted_queue_is_replaced_by_a_bounded_one(own_vhost: str) -> None:
    broker = RabbitBroker(own_vhost, logger=None)
    await broker.connect()
    try:
        # as on a machine where an older version declared it without bounds
        legacy = await broker.declare_queue(
            RabbitQueue(UNROUTED_QUEUE, queue_type=QueueType.QUORUM, durable=True)
        )
        await legacy.bind(await broker.declare_exchange(unrouted_exchange()), routing_key="")
        await broker.declare_exchange(events_exchange())
        await publish_unrouted(broker, ["old-1"])

        await declare_core(broker, [], unrouted_ttl_seconds=3600, unrouted_max_length=3)
        await publish_unrouted(broker, [f"new-{n}" for n in range(5)])

        async def three_kept() -> bool:
            return await unrouted_count(own_vhost) == 3

        await eventually(three_kept)
        assert await unrouted_ids(own_vhost) == ["new-2", "new-3", "new-4"]  # drop-head

        # the time bound: with a 1 s TTL an event is gone by itself
        other = RabbitBroker(own_vhost, logger=None)
        await other.connect()
        try:
            await declare_core(other, [], unrouted_ttl_seconds=1, unrouted_max_length=3)
            await publish_unrouted(other, ["short-lived"])
        finally:
            await other.stop()

        async def expired() -> bool:
            return await unrouted_count(own_vhost) == 0

        await eventually(expired, within=15)
    finally:
        await broker.stop()
