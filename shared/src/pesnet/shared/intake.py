"""What stands between a delivery and the consumer: nothing may stall a queue.

FastStream decodes a body before it calls the subscriber (JSON when the content type
says so or when there is none), and an exception there leaves the message neither
acknowledged nor dead-lettered: every later event that must wait for it would wait forever.
So the kernel's subscribers take the message as it came (`undecoded`: FastStream's
"decoded body" is the message itself, its body raw bytes), and `guarded` rejects what
can never be an event (too large, not UTF-8) before the consumer's own parse, which
rejects the rest (not JSON, too deep, wrong envelope, unknown type): each is
dead-lettered with its reason.

The subscriber takes the message as that argument rather than from FastStream's
context (`Annotated[..., Context("message")]`): fast_depends resolves a context
argument by a call on a worker thread, for every message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.message import StreamMessage
from faststream.rabbit.message import RabbitMessage

from pesnet.shared.catalog import InvalidEvent
from pesnet.shared.logging import get_logger
from pesnet.shared.messaging import EventConsumer

log = get_logger(__name__)


async def undecoded(message: StreamMessage[Any]) -> StreamMessage[Any]:
    """The subscriber's decoder: the message itself, its body never parsed by FastStream."""
    return message


def check_body(body: bytes, *, max_bytes: int) -> None:
    """Raise `InvalidEvent` for a body that cannot be an event whatever it says."""
    if len(body) > max_bytes:
        raise InvalidEvent(f"too large: {len(body)} bytes, the limit is {max_bytes}")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEvent(f"not UTF-8: {exc.reason} at byte {exc.start}") from None


def guarded(
    consumer: EventConsumer, *, max_bytes: int
) -> Callable[[RabbitMessage], Awaitable[None]]:
    """The FastStream subscriber body of `consumer`, with the checks above in front."""

    # `Any`: the argument is the message (`undecoded`), which fast_depends passes on
    # unvalidated; a context annotation would cost a worker thread's round trip
    async def on_message(received: Any) -> None:
        message: RabbitMessage = received
        body = message.body if isinstance(message.body, bytes) else b""
        try:
            check_body(body, max_bytes=max_bytes)
        except InvalidEvent as exc:
            # through the consumer all the same: it counts every delivery to keep their order
            await consumer.on_message(message, rejected=exc)
            return
        await consumer.on_message(message)

    on_message.__name__ = f"consume_{consumer.name.replace('.', '_')}"
    return on_message
