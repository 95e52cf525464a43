"""Fixtures of the registration service's integration tests: the service running in
process against the real broker and database, a tap on the event bus, and helpers
(request bodies, publishing an event as another service would)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aio_pika
import httpx
import pytest

from pesnet.registration.bootstrap import build_app
from pesnet.registration.settings import Settings
from pesnet.shared.catalog import EventPayload
from pesnet.shared.events import CATALOG
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from pesnet.shared.topology import EVENTS_EXCHANGE

SECRETARIAT_HEADERS = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}


class BusTap:
    """A private queue bound to `pesnet.events`: what the service really published."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()

    async def on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            self.events.append(json.loads(message.body))
            async with self._changed:
                self._changed.notify_all()

    def of(self, event_type: str, **data: Any) -> list[dict[str, Any]]:
        return [
            e
            for e in self.events
            if e["type"] == event_type and all(e["data"].get(k) == v for k, v in data.items())
        ]

    async def wait_for(
        self, event_type: str, count: int = 1, within: float = 15.0, **data: Any
    ) -> list[dict[str, Any]]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.of(event_type, **data)) >= count)

        try:
            await asyncio.wait_for(enough(), within)
        except TimeoutError:
            found = len(self.of(event_type, **data))
            raise AssertionError(f"expected {count} {event_type} {data}, got {found}") from None
        return self.of(event_type, **data)

    async def until(self, condition: Callable[[], bool], within: float = 15.0) -> None:
        """Wait until `condition()` holds over what arrived (events are asynchronous)."""

        async def satisfied() -> None:
            async with self._changed:
                await self._changed.wait_for(condition)

        try:
            await asyncio.wait_for(satisfied(), within)
        except TimeoutError:
            raise AssertionError("the expected events did not arrive") from None


@dataclass
class Registration:
    """The running service: its HTTP client, the bus tap, and a channel to publish."""

    http: httpx.AsyncClient
    bus: BusTap
    channel: aio_pika.abc.AbstractChannel

    async def publish(self, payload: EventPayload, source: str = "/pesnet/agenda") -> str:
        """Publish a CloudEvent on `pesnet.events` as another service would."""
        event = CATALOG.envelope(payload, source=source)
        exchange = await self.channel.get_exchange(EVENTS_EXCHANGE)
        await exchange.publish(
            aio_pika.Message(event.to_json(), message_id=event.id, content_type="application/json"),
            routing_key=event.type,
        )
        return event.id


@pytest.fixture
def secretariat() -> dict[str, str]:
    return dict(SECRETARIAT_HEADERS)


@pytest.fixture
def person() -> Callable[..., dict[str, Any]]:
    """A valid registration body; `person(n, **overrides)`."""

    def build(n: int = 0, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "given_name": "Amina",
            "family_name": f"Benali{n}",
            "email": f"amina{n}@anapec.example.ma",
            "country": "MAR",
            "institution": "ANAPEC",
            "position": "Director",
            "role": "delegate",
            "language": "en",
        }
        body.update(overrides)
        return body

    return build


@pytest.fixture
async def registration(
    make_settings: Callable[..., Settings],
    start_service: Callable[..., Any],
    rabbit_url: str,
) -> AsyncIterator[Registration]:
    """The registration service, started, with pesnet-4 seeded (quota 3)."""
    settings = make_settings("registration", Settings)
    connection = await aio_pika.connect_robust(rabbit_url)
    try:
        channel = await connection.channel()
        async with start_service(build_app(settings)) as svc:
            tap = BusTap()
            exchange = await channel.get_exchange(EVENTS_EXCHANGE)
            queue = await channel.declare_queue(exclusive=True, auto_delete=True)
            await queue.bind(exchange, routing_key="registration.#")
            await queue.consume(tap.on_message)
            response = await svc.http.post("/dev/seed", headers=SECRETARIAT_HEADERS)
            assert response.status_code == 200, response.text
            yield Registration(svc.http, tap, channel)
    finally:
        await connection.close()


Register = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def register(registration: Registration, person: Callable[..., dict[str, Any]]) -> Register:
    """`await register(n, **overrides)` → the 201 body (asserts the 201)."""

    async def post(n: int = 0, meeting: str = "pesnet-4", **overrides: Any) -> dict[str, Any]:
        response = await registration.http.post(
            f"/meetings/{meeting}/registrations", json=person(n, **overrides)
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return post
