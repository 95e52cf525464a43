"""A message that fails is retried, then dead-lettered with the reason; a message
that can never succeed is dead-lettered at once; the consumer goes on either way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from pesnet.shared.messaging import REASON_HEADER, Subscriptions, on
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.topology import EVENTS_EXCHANGE
from tests.integration.shared.conftest import ThingHappened, ThingUnitOfWork, drain_queue
from tests.support import eventually

pytestmark = pytest.mark.integration


class FlakyHandler:
    """Fails for thing ids starting with 'bad', records the others."""

    def __init__(self) -> None:
        self.attempts: dict[str, int] = {}
        self.runtime: ServiceRuntime | None = None

    def install(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

        async def handle(payload: ThingHappened, uow: ThingUnitOfWork) -> None:
            self.attempts[payload.thing_id] = self.attempts.get(payload.thing_id, 0) + 1
            if payload.thing_id.startswith("bad"):
                raise RuntimeError(f"cannot handle {payload.thing_id}")
            await uow.effects.add(payload.thing_id)

        runtime.consumer.subscribe(on(ThingHappened, handle))

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


async def test_unreachable_database_holds_the_message_instead_of_dead_lettering_it(
    runtime_factory: Callable[..., Any], raw_broker: RabbitBroker
) -> None:
    from pymongo.errors import AutoReconnect

    outages = {"left": 4}  # more than the retry budget of 2
    handled: list[str] = []

    def install(runtime: ServiceRuntime) -> None:
        async def handle(payload: ThingHappened, uow: ThingUnitOfWork) -> None:
            if outages["left"] > 0:
                outages["left"] -= 1
                raise AutoReconnect("connection refused")
            handled.append(payload.thing_id)

        runtime.consumer.subscribe(on(ThingHappened, handle))

    async with runtime_factory(install, PESNET_DELIVERY_LIMIT=2) as rt:
        await rt.publisher.publish(
            rt.catalog.envelope(ThingHappened(thing_id="patient", label="p"), source="/test")
        )

        async def done() -> bool:
            return handled == ["patient"]

        await eventually(done, within=30)
        assert await drain_queue(raw_broker, rt.consumer.name) == []


async def test_dead_letters_can_be_listed_and_replayed_once_the_cause_is_fixed(
    runtime_factory: Callable[..., Any], raw_broker: RabbitBroker
) -> None:
    from pesnet.shared.deadletters import list_dead_letters, replay

    flaky = FlakyHandler()
    async with runtime_factory(flaky.install, PESNET_DELIVERY_LIMIT=1) as rt:
        event = rt.catalog.envelope(ThingHappened(thing_id="bad-2", label="x"), source="/test")
        await rt.publisher.publish(event)

        async def listed() -> bool:
            return len(await list_dead_letters(raw_broker, rt.consumer.name)) == 1

        await eventually(listed, within=20)
        [letter] = await list_dead_letters(raw_broker, rt.consumer.name)  # still there
        assert letter.message_id == event.id
        assert letter.type == "kerneltest.thing.happened"
        assert "cannot handle bad-2" in letter.reason

        # the cause is fixed: the handler now accepts the thing
        async def fixed(payload: ThingHappened, uow: ThingUnitOfWork) -> None:
            await uow.effects.add(payload.thing_id)

        rt.consumer.handlers.clear()
        rt.consumer.subscribe(on(ThingHappened, fixed))
        assert await replay(raw_broker, rt.consumer.name) == 1
        await eventually(lambda: flaky.handled("bad-2"), within=20)
        assert await list_dead_letters(raw_broker, rt.consumer.name) == []


class NotForUs(Exception):
    """A use case's refusal its subscription table names as unprocessable."""


async def test_an_error_the_table_names_unprocessable_is_dead_lettered_at_once_with_its_text(
    runtime_factory: Callable[..., Any], raw_broker: RabbitBroker
) -> None:
    attempts: list[str] = []

    def install(runtime: ServiceRuntime) -> None:
        async def handle(payload: ThingHappened, uow: ThingUnitOfWork) -> None:
            attempts.append(payload.thing_id)
            if payload.label == "refused":
                raise NotForUs(f"{payload.thing_id} is not for us")
            await uow.effects.add(payload.thing_id)

        runtime.consumer.subscribe(
            Subscriptions(on(ThingHappened, handle), unprocessable=(NotForUs,))
        )

    async with runtime_factory(install, PESNET_DELIVERY_LIMIT=5) as rt:
        refused = rt.catalog.envelope(ThingHappened(thing_id="r", label="refused"), source="/t")
        await rt.publisher.publish(refused)
        await rt.publisher.publish(
            rt.catalog.envelope(ThingHappened(thing_id="next", label="n"), source="/t")
        )
        dead: list[Any] = []

        async def dead_lettered() -> bool:
            dead.extend(await drain_queue(raw_broker, rt.consumer.name))
            return len(dead) >= 1

        await eventually(dead_lettered, within=20)
        assert attempts.count("r") == 1  # not retried
        assert dead[0].message_id == refused.id
        assert dead[0].headers[REASON_HEADER] == "Unprocessable: r is not for us"
        assert dead[0].headers["x-pesnet-attempts"] == 1
