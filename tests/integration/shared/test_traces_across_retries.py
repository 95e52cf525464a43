"""An event's consumers continue the trace of the use case that wrote it, whatever
happened on the way: a handling that failed and was retried, a dead letter replayed once
the cause was fixed (the context travels in the CloudEvent, `traceparent`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pesnet.shared.deadletters import list_dead_letters, replay
from pesnet.shared.messaging import on
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.tracing import configure_tracing, tracer
from pesnet.shared.unit_of_work import MongoUnitOfWork
from tests.integration.shared.conftest import ThingHappened, ThingUnitOfWork
from tests.support import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    configure_tracing("test").add_span_processor(processor)
    yield exporter
    processor.shutdown()


class FailsAtFirst:
    """Fails the first `failures` attempts at each thing, then records it."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts: dict[str, int] = {}

    def install(self, runtime: ServiceRuntime) -> None:
        async def handle(payload: ThingHappened, uow: ThingUnitOfWork) -> None:
            self.attempts[payload.thing_id] = self.attempts.get(payload.thing_id, 0) + 1
            if self.attempts[payload.thing_id] <= self.failures:
                raise RuntimeError(f"not yet: {payload.thing_id}")
            await uow.effects.add(payload.thing_id)

        runtime.consumer.subscribe(on(ThingHappened, handle))


async def write_in_a_trace(rt: ServiceRuntime, thing_id: str) -> int:
    """A use case emits the event inside a request's span; that span's trace id."""
    with tracer().start_as_current_span("request") as request:

        async def emit(uow: MongoUnitOfWork) -> None:
            uow.emit(ThingHappened(thing_id=thing_id, label="x"), subject=thing_id)

        assert rt.unit_of_work is not None
        await rt.unit_of_work().run(emit)
    return request.get_span_context().trace_id


def handlings(spans: InMemorySpanExporter, consumer: str) -> list[ReadableSpan]:
    return [
        s
        for s in spans.get_finished_spans()
        if s.name == f"{consumer} process kerneltest.thing.happened"
    ]


async def test_a_retried_handling_stays_in_the_trace_of_the_event(
    runtime_factory: Callable[..., Any], spans: InMemorySpanExporter
) -> None:
    handler = FailsAtFirst(failures=1)
    async with runtime_factory(handler.install, PESNET_DELIVERY_LIMIT=3) as rt:
        trace_id = await write_in_a_trace(rt, "retried-1")

        async def handled_twice() -> bool:
            return len(handlings(spans, rt.consumer.name)) == 2

        await eventually(handled_twice, within=20)
    assert handler.attempts["retried-1"] == 2
    attempts = handlings(spans, rt.consumer.name)
    assert {s.context.trace_id for s in attempts if s.context} == {trace_id}
    assert [s.status.is_ok for s in attempts] == [False, True]


async def test_a_replayed_dead_letter_stays_in_the_trace_of_the_event(
    runtime_factory: Callable[..., Any], raw_broker: RabbitBroker, spans: InMemorySpanExporter
) -> None:
    handler = FailsAtFirst(failures=1)
    async with runtime_factory(handler.install, PESNET_DELIVERY_LIMIT=1) as rt:
        trace_id = await write_in_a_trace(rt, "replayed-1")

        async def dead_lettered() -> bool:
            return len(await list_dead_letters(raw_broker, rt.consumer.name)) == 1

        await eventually(dead_lettered, within=20)
        assert await replay(raw_broker, rt.consumer.name) == 1

        async def handled() -> bool:
            return bool(await rt.db["effects"].count_documents({"thing_id": "replayed-1"}) == 1)

        await eventually(handled, within=20)
    attempts = handlings(spans, rt.consumer.name)
    assert len(attempts) == 2
    assert {s.context.trace_id for s in attempts if s.context} == {trace_id}
