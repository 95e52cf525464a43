"""Fixtures of the registration service's integration tests: the service running in
process against the real broker and database, a tap on the event bus (the shared
`BusTap`), and helpers (request bodies, publishing an event as another service would)."""

from __future__ import annotations

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
from tests.support import BusTap

SECRETARIAT_HEADERS = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}


@dataclass
class Registration:
    """The running service: its HTTP client, the bus tap, and a channel to publish."""

    http: httpx.AsyncClient
    bus: BusTap
    channel: aio_pika.abc.AbstractChannel
    app: Any = None

    def client_at(self, address: str) -> httpx.AsyncClient:
        """Another client of the same service, from another address."""
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

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
    """The registration service, started, with pesnet-4 (held) and pesnet-demo (open,
    quota 3) seeded."""
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
            yield Registration(svc.http, tap, channel, svc.app)
    finally:
        await connection.close()


Register = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def register(registration: Registration, person: Callable[..., dict[str, Any]]) -> Register:
    """`await register(n, **overrides)` → the 201 body (asserts the 201); `headers=` for
    the roles only the secretariat gives (speaker, moderator, secretariat)."""

    async def post(
        n: int = 0,
        meeting: str = "pesnet-demo",
        headers: dict[str, str] | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        response = await registration.http.post(
            f"/meetings/{meeting}/registrations", json=person(n, **overrides), headers=headers
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return post
