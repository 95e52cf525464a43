"""Kernel integration fixtures: a runtime over a test-only event catalog, with a
queue name unique to the test, on the real broker and database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aio_pika.abc import AbstractIncomingMessage
from faststream.rabbit import RabbitBroker

from pesnet.shared.catalog import EventCatalog, EventPayload, EventSpec, PublicPayload
from pesnet.shared.mongo import Collection, DbSession
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.topology import dead_letter_queue
from pesnet.shared.unit_of_work import MongoUnitOfWork


class ThingHappened(EventPayload):
    thing_id: str
    label: str


class ThingConfirmed(EventPayload):
    thing_id: str
    meeting_id: str


class ThingCounted(PublicPayload):
    count: int


class NobodyListens(EventPayload):
    n: int


TEST_CATALOG = EventCatalog(
    [
        EventSpec("kerneltest.thing.happened", ThingHappened, "test event"),
        EventSpec(
            "kerneltest.thing.counted", ThingCounted, "public test event", visibility="public"
        ),
        EventSpec("kerneltest.nobody.listened", NobodyListens, "a type no queue binds"),
        EventSpec("kerneltest.thing.confirmed", ThingConfirmed, "audited as thing.confirmed"),
    ]
)


class Effects:
    """A test service's one repository: a document per effect."""

    def __init__(self, collection: Collection, session: DbSession | None) -> None:
        self.collection = collection
        self.session = session

    async def add(self, thing_id: str, **fields: Any) -> None:
        await self.collection.insert_one({"thing_id": thing_id, **fields}, session=self.session)

    async def count(self, **query: Any) -> int:
        return await self.collection.count_documents(query, session=self.session)


class ThingUnitOfWork(MongoUnitOfWork):
    effects: Effects

    def bind(self, session: DbSession | None) -> None:
        self.effects = Effects(self.db["effects"], session)


@pytest.fixture
def runtime_factory(
    make_settings: Callable[..., ServiceSettings], unique: str
) -> Callable[..., Any]:
    """`async with runtime_factory() as rt:` a started ServiceRuntime named `kt-<unique>`,
    whose unit of work is a `ThingUnitOfWork`."""

    @asynccontextmanager
    async def build(
        configure: Callable[[ServiceRuntime], None] | None = None, **overrides: Any
    ) -> AsyncIterator[ServiceRuntime]:
        settings = make_settings(f"kt{unique}", **overrides)
        runtime = ServiceRuntime(settings, catalog=TEST_CATALOG)
        runtime.use_unit_of_work(
            lambda: ThingUnitOfWork(runtime.client, runtime.db, runtime.outbox)
        )
        if configure:
            configure(runtime)
        await runtime.start()
        try:
            yield runtime
        finally:
            await runtime.stop()

    return build


@pytest.fixture
async def raw_broker(rabbit_url: str) -> AsyncIterator[RabbitBroker]:
    broker = RabbitBroker(rabbit_url, logger=None)
    await broker.connect()
    try:
        yield broker
    finally:
        await broker.stop()


async def drain_queue(broker: RabbitBroker, queue_name: str) -> list[AbstractIncomingMessage]:
    """Everything in a dead-letter queue right now (acknowledged, so it is taken out)."""
    queue = await broker.declare_queue(dead_letter_queue(queue_name.removesuffix(".dlq")))
    messages: list[AbstractIncomingMessage] = []
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        await message.ack()
        messages.append(message)
    return messages
