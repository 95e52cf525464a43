"""A message that fails is retried, then dead-lettered with the reason; a message
that can never succeed is dead-lettered at once; the consumer goes on either way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from pesnet.shared.messaging import REASON_HEADER, HandlerContext
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.topology import EVENTS_EXCHANGE
from tests.integration.shared.conftest import ThingHappened, drain_queue
from tests.support import eventually

pytestmark = pytest.mark.integration


class FlakyHandler:
    """Fails for thing ids starting with 'bad', records the others."""

    def __init__(self) -> None:
        self.attempts: dict[str, int] = {}
        self.runtime: ServiceRuntime | None = None

    def install(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

        @runtime.consumer.on("kerneltest.thing.happened")
        async def handle(payload: ThingHappened, ctx: HandlerContext) -> None:
            self.attempts[payload.thing_id] = self.attempts.get(payload.thing_id, 0) + 1
            if payload.thing_id.startswith("bad"):
                raise RuntimeError(f"cannot handle {payload.thing_id}")
            await runtime.db["effects"].insert_one(
                {"thing_id": payload.thing_id}, session=ctx.session
            )

    async def handled(self, thing_id: str) -> bool:
        assert self.runtime is not None
        return await self.runtime.db["effects"].count_documents({"thing_id": thing_id}) == 1


async def test_failing_handler_is_retried_then_dead_lettered_with_its_reason(
    runtime_factory: Callable[..., Any], raw_broker: RabbitBroker
) -> None:
    flaky = FlakyHandler()
    async with runtime_factory(flaky.install, PESNET_DELIVERY_LIMIT=3) as rt:
        bad = rt.catalog.envelope(ThingHappened(thing_id="bad-1", label="x"), source="/test")
        await rt.publisher.publish(bad)
        good = rt.catalog.envelope(ThingHappened(thing_id="good-1", label="y"), source="/test")
        await rt.publisher.publish(good)

        await eventually(lambda: flaky.handled("good-1"), within=20)
        dead: list[Any] = []

        async def dead_lettered() -> bool:
            dead.extend(await drain_queue(raw_broker, rt.consumer.name))
            return len(dead) >= 1

        await eventually(dead_lettered, within=20)
        assert flaky.attempts["bad-1"] == 3
        assert len(dead) == 1
        message = dead[0]
        assert message.message_id == bad.id
        assert message.body == bad.to_json()
        reason = message.headers[REASON_HEADER]
        assert "RuntimeError: cannot handle bad-1" in reason
        assert "3 attempts" in reason


@pytest.mark.parametrize(
    ("body", "reason_part"),
    [
        (b"this is not json", "envelope"),
        (b'{"specversion": "1.0"}', "envelope: id: Field required"),
        ("unknown-type", "not in the catalog"),
        ("missing-field", "data: label: Field required"),
    ],
)
async def test_malformed_message_is_dead_lettered_at_once_and_consumer_goes_on(
    runtime_factory: Callable[..., Any],
    raw_broker: RabbitBroker,
    body: bytes | str,
    reason_part: str,
) -> None:
    flaky = FlakyHandler()
    async with runtime_factory(flaky.install) as rt:
        template = rt.catalog.envelope(ThingHappened(thing_id="t", label="l"), source="/test")
        if body == "unknown-type":
            raw = template.model_copy(update={"type": "kerneltest.thing.vanished"}).to_json()
        elif body == "missing-field":
            raw = template.model_copy(update={"data": {"thing_id": "t"}}).to_json()
        else:
            assert isinstance(body, bytes)
            raw = body
        # straight onto the consumer's binding, as a misbehaving producer would
        await raw_broker.publish(
            raw,
            exchange=EVENTS_EXCHANGE,
            routing_key="kerneltest.thing.happened",
            persist=True,
            message_id="poison",
        )
        after = rt.catalog.envelope(ThingHappened(thing_id="next", label="n"), source="/test")
        await rt.publisher.publish(after)
        await eventually(lambda: flaky.handled("next"), within=20)

        dead: list[Any] = []

        async def dead_lettered() -> bool:
            dead.extend(await drain_queue(raw_broker, rt.consumer.name))
            return len(dead) >= 1

        await eventually(dead_lettered)
        assert [m.message_id for m in dead] == ["poison"]
        assert reason_part in dead[0].headers[REASON_HEADER]
        assert dead[0].headers["x-pesnet-attempts"] == 1
