"""The test harness every area shares: waiting for asynchronous outcomes
(`eventually`), a tap on the event bus (`BusTap`), waiting for a consumer to have
seen a duplicate (`duplicate_seen`) before asserting it had no second effect, and a
virtual host of its own for a whole platform (`vhost_of_its_own`)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import aio_pika
import httpx
from prometheus_client.parser import text_string_to_metric_families
from pymongo import monitoring

from pesnet.devtools.rabbit import TestVhost
from pesnet.shared.catalog import EventPayload
from pesnet.shared.events import CATALOG
from pesnet.shared.inbox import INBOX
from pesnet.shared.mongo import Database
from pesnet.shared.topology import EVENTS_EXCHANGE

EventKind = str | type[EventPayload]


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Wait until `check()` is true; fail after `within` seconds (events are asynchronous)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.05)


@contextmanager
def vhost_of_its_own() -> Iterator[str]:
    """The URL of a virtual host made for one platform and deleted after it.

    A platform started as operators start it (`make run`, the compose and Kubernetes
    forms) names its queues after its services (`registration`, `agenda`, ...). In the
    run's shared vhost those queues stay bound to `pesnet.events` when it stops and
    collect every later test's events; the next platform under the same names then
    works through thousands of stale events before its own (CI: the compose form's
    registration had not heard of a new meeting after 90 s)."""
    vhost = TestVhost(os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    vhost.create()
    try:
        yield vhost.url
    finally:
        vhost.delete()


def event_type(kind: EventKind) -> str:
    return kind if isinstance(kind, str) else CATALOG.type_of(kind)


class BusTap:
    """A private queue bound to `pesnet.events` (or `pesnet.public`): what the services
    really published, as CloudEvent dicts in arrival order (`messages`: as they came,
    headers and properties included)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.messages: list[aio_pika.abc.AbstractIncomingMessage] = []
        self._changed = asyncio.Condition()

    async def on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            self.messages.append(message)
            self.events.append(json.loads(message.body))
            async with self._changed:
                self._changed.notify_all()

    def of(self, kind: EventKind, **data: Any) -> list[dict[str, Any]]:
        """The events of one type (a payload class or its type) whose data has `data`."""
        wanted = event_type(kind)
        return [
            e
            for e in self.events
            if e["type"] == wanted and all(e["data"].get(k) == v for k, v in data.items())
        ]

    async def wait_for(
        self, kind: EventKind, count: int = 1, within: float = 15.0, **data: Any
    ) -> list[dict[str, Any]]:
        """Wait until at least `count` such events arrived; they are returned."""
        try:
            await self.until(lambda: len(self.of(kind, **data)) >= count, within)
        except AssertionError:
            found = len(self.of(kind, **data))
            raise AssertionError(
                f"expected {count} {event_type(kind)} {data}, got {found}"
            ) from None
        return self.of(kind, **data)

    async def until(self, condition: Callable[[], bool], within: float = 15.0) -> None:
        """Wait until `condition()` holds over what arrived."""

        async def satisfied() -> None:
            async with self._changed:
                await self._changed.wait_for(condition)

        try:
            await asyncio.wait_for(satisfied(), within)
        except TimeoutError:
            raise AssertionError("the expected events did not arrive") from None


@asynccontextmanager
async def bus_tap(
    amqp_url: str, *patterns: str, exchange_name: str = EVENTS_EXCHANGE
) -> AsyncIterator[BusTap]:
    """A `BusTap` on `pesnet.events` (or `exchange_name`: `pesnet.public`, where partners
    listen) for the given routing patterns (default: all). The exchange must exist:
    start the service under test first."""
    tap = BusTap()
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel()
        exchange = await channel.get_exchange(exchange_name)
        queue = await channel.declare_queue(
            f"tap-{uuid.uuid4().hex[:8]}", exclusive=True, auto_delete=True
        )
        for pattern in patterns or ("#",):
            await queue.bind(exchange, routing_key=pattern)
        await queue.consume(tap.on_message)
        yield tap
    finally:
        await connection.close()


async def duplicate_seen(
    db: Database, consumer: str, event_id: str, *, times: int = 1, within: float = 10.0
) -> None:
    """Wait until `consumer` has received event `event_id` again and ignored it (the
    inbox counts duplicates): only then is "no second effect" worth asserting."""

    async def counted() -> bool:
        record = await db[INBOX].find_one({"consumer": consumer, "event_id": event_id})
        return record is not None and int(record.get("duplicates", 0)) >= times

    await eventually(counted, within)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """`{(sample name, labels): value}`, parsed by prometheus_client's own parser."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def total(
    parsed: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    wanted = set(labels.items())
    return sum(v for (n, ls), v in parsed.items() if n == name and wanted <= set(ls))


async def metrics_of(
    client: httpx.AsyncClient,
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return samples(answer.text)


class Commands(monitoring.CommandListener):
    """The database commands a client sent, each one round trip (the driver's own
    connection checks left out): `AsyncMongoClient(url, event_listeners=[commands])`."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.targets: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in ("hello", "ismaster", "isMaster", "ping", "endSessions"):
            self.names.append(event.command_name)
            target = event.command.get(event.command_name)
            self.targets.append(f"{event.command_name} {target if isinstance(target, str) else ''}")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
