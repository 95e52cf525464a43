"""Fixtures of the action-plan integration tests: the service running in process
against the real broker and database, and taps that read what it publishes."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from pesnet.shared.topology import (
    consumer_queue,
    declare_consumer,
    declare_core,
    declare_partner_queue,
)

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
ACTIONPLAN_TYPES = [
    "actionplan.plan.adopted",
    "actionplan.plan.closed",
    "actionplan.activity.created",
    "actionplan.activity.updated",
    "actionplan.progress.validated",
    "actionplan.progress.reviewed",
    "actionplan.cooperation.proposed",
    "actionplan.cooperation.answered",
    "actionplan.reminder.due",
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class EventTap:
    """A queue bound like a real subscriber's; collects CloudEvents as they arrive."""

    def __init__(self, broker: RabbitBroker, queue_name: str) -> None:
        self.broker = broker
        self.queue_name = queue_name
        self.events: list[dict[str, Any]] = []

    async def _drain(self) -> None:
        queue = await self.broker.declare_queue(consumer_queue(self.queue_name))
        while (message := await queue.get(no_ack=True, fail=False, timeout=2)) is not None:
            self.events.append(json.loads(message.body))

    async def wait_for(
        self, event_type: str, count: int = 1, within: float = 15.0
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while True:
            await self._drain()
            found = [e for e in self.events if e["type"] == event_type]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.2)


@pytest.fixture
async def taps(rabbit_url: str, unique: str) -> AsyncIterator[tuple[EventTap, EventTap]]:
    """(internal, public): one queue on pesnet.events for every actionplan type, one
    partner queue on pesnet.public for actionplan.# (only public types reach it)."""
    broker = RabbitBroker(rabbit_url, logger=None)
    await broker.connect()
    await declare_core(broker, [])
    internal_name, public_name = f"tap-internal-{unique}", f"tap-public-{unique}"
    await declare_consumer(broker, internal_name, ACTIONPLAN_TYPES)
    await declare_partner_queue(broker, public_name, ["actionplan.#"])
    try:
        yield EventTap(broker, internal_name), EventTap(broker, public_name)
    finally:
        for name in (internal_name, public_name):
            queue = await broker.declare_queue(consumer_queue(name))
            await queue.delete(if_unused=False, if_empty=False)
        await broker.stop()


@pytest.fixture
def actionplan_settings(make_settings: Callable[..., Settings]) -> Settings:
    # the scheduler loop is driven by hand in the tests (a fixed "today")
    return make_settings("actionplan", Settings, ACTIONPLAN_REMINDERS_ENABLED=False)


@pytest.fixture
async def actionplan(
    actionplan_settings: Settings, start_service: Callable[..., Any]
) -> AsyncIterator[Any]:
    async with start_service(build_app(actionplan_settings)) as svc:
        yield svc
