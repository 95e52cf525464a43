"""Operate on a consumer's dead-letter queue: see why messages failed, and send them
back to that consumer once the cause is fixed.

    python -m pesnet.shared.deadletters list <queue>
    python -m pesnet.shared.deadletters replay <queue> [--id MESSAGE_ID ...]

Replayed messages go to `<queue>` alone (through the default exchange), not to every
subscriber of the event type: the other consumers handled them already.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict, dataclass
from typing import Any

from aio_pika import Message
from faststream.rabbit import RabbitBroker

from pesnet.shared.messaging import REASON_HEADER
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.topology import dead_letter_queue


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    type: str | None
    reason: str
    attempts: int | None
    failed_at: str | None


def describe(
    headers: dict[str, Any], message_id: str | None, message_type: str | None
) -> DeadLetter:
    reason = headers.get(REASON_HEADER)
    if reason is None and headers.get("x-death"):
        # dead-lettered by RabbitMQ itself (its delivery limit), not by our consumer
        death = headers["x-death"][0]
        reason = f"broker: {death.get('reason')}"
    attempts = headers.get("x-pesnet-attempts")
    return DeadLetter(
        message_id=message_id,
        type=message_type,
        reason=str(reason or "unknown"),
        attempts=int(attempts) if attempts is not None else None,
        failed_at=headers.get("x-pesnet-failed-at"),
    )


async def list_dead_letters(broker: RabbitBroker, queue_name: str) -> list[DeadLetter]:
    """Read without removing: every message is returned to the dead-letter queue."""
    queue = await broker.declare_queue(dead_letter_queue(queue_name))
    seen: list[DeadLetter] = []
    held = []
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        held.append(message)
        seen.append(describe(dict(message.headers or {}), message.message_id, message.type))
    for message in held:
        await message.nack(requeue=True)
    return seen


async def replay(broker: RabbitBroker, queue_name: str, ids: set[str] | None = None) -> int:
    """Move dead letters (all, or those with the given message ids) back to the consumer."""
    queue = await broker.declare_queue(dead_letter_queue(queue_name))
    channel = queue.channel
    replayed = 0
    keep = []
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        if ids is not None and message.message_id not in ids:
            keep.append(message)
            continue
        headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
        headers["x-pesnet-replayed"] = True
        await channel.default_exchange.publish(
            Message(
                message.body,
                headers=headers,
                message_id=message.message_id,
                correlation_id=message.correlation_id,
                content_type=message.content_type,
                type=message.type,
                delivery_mode=2,  # persistent
            ),
            routing_key=queue_name,
        )
        await message.ack()
        replayed += 1
    for message in keep:
        await message.nack(requeue=True)
    return replayed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="show dead letters and their reasons").add_argument("queue")
    replay_parser = sub.add_parser("replay", help="send dead letters back to their consumer")
    replay_parser.add_argument("queue")
    replay_parser.add_argument("--id", action="append", dest="ids", help="only this message id")
    args = parser.parse_args()
    settings = ServiceSettings()

    async def run() -> None:
        broker = RabbitBroker(settings.amqp_url(), logger=None)
        await broker.connect()
        try:
            if args.command == "list":
                for letter in await list_dead_letters(broker, args.queue):
                    print(json.dumps(asdict(letter), ensure_ascii=False))
            else:
                count = await replay(broker, args.queue, set(args.ids) if args.ids else None)
                print(f"replayed {count} message(s) to {args.queue}")
        finally:
            await broker.stop()

    asyncio.run(run())


if __name__ == "__main__":
    main()
