"""Benchmark: events per second through the whole kernel path.

use case transaction (state + outbox) → relay → RabbitMQ (persistent, confirmed)
→ consumer (inbox + effect in one transaction). Runs against the real broker
(its own throw-away vhost) and MONGODB_URL or the embedded server. Prints the
figures; it asserts nothing (speed targets are read here, not in timed tests).

    make bench            (or: .venv/bin/python benchmarks/bus_throughput.py --events 500)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import time
import uuid
from collections.abc import Iterator
from typing import Any

from pesnet.devtools.embedded_mongo import EmbeddedMongo
from pesnet.devtools.rabbit import TestVhost
from pesnet.shared.catalog import EventCatalog, EventPayload, EventSpec
from pesnet.shared.logging import configure_logging
from pesnet.shared.mongo import DbSession
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.unit_of_work import MongoUnitOfWork


class Measured(EventPayload):
    n: int


CATALOG = EventCatalog([EventSpec("bench.sample.measured", Measured, "benchmark event")])


class Samples:
    def __init__(self, db: Any, session: DbSession | None) -> None:
        self.state = db["state"]
        self.effects = db["effects"]
        self.session = session

    async def measure(self, n: int) -> None:
        await self.state.insert_one({"n": n}, session=self.session)

    async def record_effect(self, n: int) -> None:
        await self.effects.insert_one({"n": n}, session=self.session)


class BenchUnitOfWork(MongoUnitOfWork):
    samples: Samples

    def bind(self, session: DbSession | None) -> None:
        self.samples = Samples(self.db, session)


@contextlib.contextmanager
def infrastructure() -> Iterator[tuple[str, str]]:
    vhost = TestVhost(os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")).create()
    try:
        if url := os.environ.get("MONGODB_URL"):
            yield url, vhost.url
        else:
            with EmbeddedMongo() as mongo:
                yield mongo.url, vhost.url
    finally:
        vhost.delete()


async def run(events: int, producers: int) -> None:
    configure_logging("bench", "WARNING")
    with infrastructure() as (mongo_url, rabbit_url):
        settings = ServiceSettings.model_validate(
            {
                "PESNET_SERVICE": "bench",
                "PESNET_ENV": "test",
                "MONGODB_URL": mongo_url,
                "RABBITMQ_URL": rabbit_url,
                "PESNET_DATABASE": f"bench_{uuid.uuid4().hex[:6]}",
                "PESNET_OUTBOX_POLL_SECONDS": 0.2,
            }
        )
        runtime = ServiceRuntime(settings, catalog=CATALOG)

        def new_uow() -> BenchUnitOfWork:
            return BenchUnitOfWork(runtime.client, runtime.db, runtime.outbox)

        runtime.use_unit_of_work(new_uow)
        done = asyncio.Event()
        handled = 0

        @runtime.consumer.on(Measured)
        async def handle(event: Measured, uow: BenchUnitOfWork) -> None:
            nonlocal handled
            await uow.samples.record_effect(event.n)
            handled += 1
            if handled >= events:
                done.set()

        await runtime.start()
        try:
            started = time.perf_counter()

            async def produce(offset: int) -> None:
                for n in range(offset, events, producers):

                    async def work(uow: BenchUnitOfWork, n: int = n) -> None:
                        await uow.samples.measure(n)
                        uow.emit(Measured(n=n))

                    await new_uow().run(work)

            await asyncio.gather(*(produce(i) for i in range(producers)))
            committed = time.perf_counter()
            await asyncio.wait_for(done.wait(), timeout=600)
            finished = time.perf_counter()
        finally:
            await runtime.stop()
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"events: {events}, producers: {producers}")
        print(f"commit (state + outbox): {events / (committed - started):8.1f} transactions/s")
        print(f"end to end (consumed):   {events / (finished - started):8.1f} events/s")
        print(f"wall time: {finished - started:.2f}s, peak RSS of this process: {rss_mib:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--producers", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.events, args.producers))


if __name__ == "__main__":
    main()
