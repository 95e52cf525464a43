"""Issue 10: a message the consumer cannot even decode (too deep, too large, not UTF-8,
not JSON whatever its content type, wrong envelope) is dead-lettered with its reason,
and the events behind it are handled (one replica, prefetch 1: nothing may stall)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from pesnet.shared.messaging import REASON_HEADER
from pesnet.shared.topology import EVENTS_EXCHANGE
from tests.integration.shared.conftest import ThingHappened, drain_queue
from tests.integration.shared.test_dead_letters import FlakyHandler
from tests.support import eventually

pytestmark = pytest.mark.integration

MAX_BYTES = 700 * 1024  # above the deep poisons, which must be rejected for their depth

# name → (body, content type, a part of the dead-letter reason)
POISON: dict[str, tuple[bytes, str | None, str]] = {
    "deep": (b"[" * 100_000 + b"]" * 100_000, None, "too deep"),
    "deep-object": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, None, "too deep"),
    "not-json-says-json": (b"<html>oops</html>", "application/json", "not JSON"),
    "not-json-says-text": (b"hello", "text/plain", "not JSON"),
    "not-utf8": (b'{"id": "\xff\xfe"}', "application/json", "not UTF-8"),
    "too-large": (b'{"pad": "' + b"x" * (MAX_BYTES + 1) + b'"}', "application/json", "too large"),
    "wrong-envelope": (b'{"specversion": "1.0", "id": "x"}', None, "envelope"),
    "empty": (b"", None, "not JSON"),
}


async def test_each_poison_kind_is_dead_lettered_with_its_reason_and_the_next_event_handled(
    runtime_factory: Callable[..., Any], raw_broker: RabbitBroker
) -> None:
    flaky = FlakyHandler()
    async with runtime_factory(flaky.install, PESNET_MAX_MESSAGE_BYTES=MAX_BYTES) as rt:
        for name, (body, content_type, _) in POISON.items():
            await raw_broker.publish(
                body,
                exchange=EVENTS_EXCHANGE,
                routing_key="kerneltest.thing.happened",
                persist=True,
                message_id=f"poison-{name}",
                content_type=content_type,
            )
        good = rt.catalog.envelope(ThingHappened(thing_id="after", label="a"), source="/test")
        await rt.publisher.publish(good)
        await eventually(lambda: flaky.handled("after"), within=30)

        dead: dict[str, Any] = {}

        async def all_dead_lettered() -> bool:
            for message in await drain_queue(raw_broker, rt.consumer.name):
                dead[str(message.message_id)] = message
            return len(dead) >= len(POISON)

        await eventually(all_dead_lettered, within=30)
        assert set(dead) == {f"poison-{name}" for name in POISON}
        for name, (body, _, reason_part) in POISON.items():
            message = dead[f"poison-{name}"]
            reason = str(message.headers[REASON_HEADER])
            assert reason_part in reason, (name, reason)
            assert message.headers["x-pesnet-attempts"] == 1
            assert message.body == body
