"""Fixtures of the action-plan integration tests: the service running in process
against the real broker and database, and taps on what it publishes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aio_pika
import pytest

from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.topology import PUBLIC_EXCHANGE
from tests.support import BusTap, bus_tap


@asynccontextmanager
async def public_tap(amqp_url: str) -> AsyncIterator[BusTap]:
    """A `BusTap` on `pesnet.public`, where partners listen: only public events reach it."""
    tap = BusTap()
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel()
        exchange = await channel.get_exchange(PUBLIC_EXCHANGE)
        queue = await channel.declare_queue(
            f"tap-public-{uuid.uuid4().hex[:8]}", exclusive=True, auto_delete=True
        )
        await queue.bind(exchange, routing_key="actionplan.#")
        await queue.consume(tap.on_message)
        yield tap
    finally:
        await connection.close()


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


@pytest.fixture
async def taps(actionplan: Any, rabbit_url: str) -> AsyncIterator[tuple[BusTap, BusTap]]:
    """(internal, public): everything the service publishes on `pesnet.events`, and what
    of it reaches `pesnet.public`. The service runs first: it declares the exchanges."""
    async with bus_tap(rabbit_url, "actionplan.#") as internal, public_tap(rabbit_url) as public:
        yield internal, public
