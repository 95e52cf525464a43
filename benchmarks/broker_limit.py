"""L0: what the broker alone allows. Raw aio-pika on the benchmark's virtual host: persistent
messages of the size of the path's events, each publish confirmed by the broker, to a
quorum queue like the services' queues; then consumed with manual acknowledgements."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aio_pika


async def broker_limit(
    amqp_url: str, body: bytes, *, messages: int, in_flight: int = 64
) -> dict[str, Any]:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(
            f"bench.l0.{uuid.uuid4().hex[:6]}", durable=True, arguments={"x-queue-type": "quorum"}
        )
        exchange = channel.default_exchange
        slots = asyncio.Semaphore(in_flight)

        async def publish(n: int) -> None:
            async with slots:
                await exchange.publish(
                    aio_pika.Message(
                        body,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        message_id=str(n),
                        content_type="application/cloudevents+json",
                    ),
                    routing_key=queue.name,
                )

        started = time.perf_counter()
        await asyncio.gather(*(publish(n) for n in range(messages)))
        published = time.perf_counter() - started

        consumer_channel = await connection.channel()
        await consumer_channel.set_qos(prefetch_count=in_flight)
        consumed_queue = await consumer_channel.get_queue(queue.name)
        done = asyncio.Event()
        count = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal count
            await message.ack()
            count += 1
            if count >= messages:
                done.set()

        started = time.perf_counter()
        tag = await consumed_queue.consume(on_message)
        await asyncio.wait_for(done.wait(), timeout=300)
        consumed = time.perf_counter() - started
        await consumed_queue.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()
    return {
        "messages": messages,
        "message_bytes": len(body),
        "in_flight": in_flight,
        "published_per_second": round(messages / published),
        "consumed_per_second": round(messages / consumed),
    }
