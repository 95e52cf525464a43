"""Webhook integration fixtures: the webhook part of the notifications service on the real
broker and database, a partner's HTTP endpoint on 127.0.0.1 (a real server in a thread,
scripted per path), and a publisher of events on the real bus."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from faststream.rabbit import RabbitBroker

from pesnet.notifications.bootstrap import build_webhooks_app
from pesnet.notifications.webhook_settings import WebhookSettings
from pesnet.shared.catalog import EventPayload
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import ChairInstitution, ChairmanshipTransferred, MeetingScheduled
from pesnet.shared.events.registration import DelegationUpdated, ParticipantRegistered
from pesnet.shared.i18n import Localized
from pesnet.shared.messaging import EventPublisher
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN, ServiceSettings
from tests.support import eventually, metrics_of, total

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}

# Short waits so that retries happen within a test's second or two.
FAST = {
    "timeout_seconds": 1.0,
    "initial_backoff_seconds": 0.1,
    "max_backoff_seconds": 0.4,
    "max_attempts": 4,
    "max_age_seconds": 60.0,
    "poll_seconds": 0.1,
    "disable_after_failures": 2,
    # the partner's endpoint below is on 127.0.0.1
    "allow_loopback": True,
}


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


class PartnerEndpoint:
    """A partner's webhook receiver on 127.0.0.1. Each path answers its scripted replies
    in turn, then 200; every request is recorded with its raw headers and body."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._replies: dict[str, deque[Reply]] = defaultdict(deque)
        self.requests: list[Received] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with endpoint._lock:
                    queue = endpoint._replies[self.path]
                    reply = queue.popleft() if queue else Reply()
                    endpoint.requests.append(
                        Received(
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            time.monotonic(),
                        )
                    )
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._replies[path].extend(replies)

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    async def wait_for(self, path: str, count: int, within: float = 10.0) -> list[Received]:
        async def arrived() -> bool:
            return len(self.at(path)) >= count

        await eventually(arrived, within)
        return self.at(path)


@pytest.fixture
def partner() -> Iterator[PartnerEndpoint]:
    endpoint = PartnerEndpoint()
    endpoint.thread.start()
    try:
        yield endpoint
    finally:
        endpoint.server.shutdown()
        endpoint.server.server_close()


WebhooksFactory = Callable[..., Any]

# the names the tests' subscriptions use, resolved without DNS (a public address: the
# worker would refuse anything else; these subscriptions are never delivered to)
PARTNER_NAMES = {"hooks.example.org": ["93.184.215.14"]}


async def partner_names(host: str) -> list[str]:
    return PARTNER_NAMES.get(host, [])


@pytest.fixture
def webhooks_app(
    make_settings: Callable[..., ServiceSettings], start_service: Any
) -> WebhooksFactory:
    """`async with webhooks_app(**webhook_settings) as http:` a notifications app with
    partner webhooks installed (as the notifications bootstrap will), running. Calling it
    twice in one test gives two replicas sharing the queue and the database."""

    @asynccontextmanager
    async def run(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = build_webhooks_app(
            make_settings("notifications"),
            WebhookSettings(**{**FAST, **overrides}),
            resolve=partner_names,
        )
        async with start_service(app) as service:
            yield service.http

    return run


@pytest.fixture
async def webhooks(webhooks_app: WebhooksFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with webhooks_app() as http:
        yield http


async def wait_handled(webhooks: httpx.AsyncClient, event: CloudEvent, count: int = 1) -> None:
    """Wait until the webhook consumer has handled `count` events of `event`'s type (its
    metrics say so; an event that no subscription wants leaves no record to look at): a
    test waits for that instead of sleeping before it checks that nothing was sent."""

    async def handled() -> bool:
        found = total(
            await metrics_of(webhooks), "pesnet_messages_handled_total", event_type=event.type
        )
        return found >= count

    await eventually(handled)


@pytest.fixture
async def bus(rabbit_url: str) -> AsyncIterator[EventPublisher]:
    broker = RabbitBroker(rabbit_url, logger=None)
    await broker.connect()
    try:
        yield EventPublisher(broker)
    finally:
        await broker.stop()


async def publish(bus: EventPublisher, payload: EventPayload) -> CloudEvent:
    """Publish an event on pesnet.events as its producing service would."""
    event = CATALOG.envelope(payload, source="/pesnet/test")
    await bus.publish(event)
    return event


def meeting_scheduled(meeting_id: str) -> MeetingScheduled:
    return MeetingScheduled(
        meeting_id=meeting_id,
        number=5,
        title=Localized(ar="الاجتماع الخامس", en="5th meeting", fr="5e réunion"),
        timezone="Africa/Casablanca",
    )


def delegation_updated(meeting_id: str) -> DelegationUpdated:
    return DelegationUpdated(
        meeting_id=meeting_id,
        country="MAR",
        by_status={"confirmed": 2},
        by_role={"delegate": 2},
        confirmed=2,
    )


def chairmanship_transferred() -> ChairmanshipTransferred:
    return ChairmanshipTransferred(
        effective_date=datetime(2026, 10, 1, tzinfo=UTC).date(),
        term="2026-2028",
        incoming=ChairInstitution(
            institution="iskur",
            name=Localized(en="İŞKUR", fr="İŞKUR", ar="إشكور"),
            country="TUR",
            oic_group="asian",
        ),
    )


def participant_registered(meeting_id: str) -> ParticipantRegistered:
    return ParticipantRegistered(
        registration_id="reg-private",
        meeting_id=meeting_id,
        given_name="Amina",
        family_name="Private",
        email="amina.private@example.org",
        country="MAR",
        institution="ANAPEC",
        position="Director",
        role="delegate",
        language="fr",
        status="registered",
        registered_at=datetime.now(UTC),
    )


async def subscribe(
    http: httpx.AsyncClient, url: str, event_types: list[str] | None = None, partner: str = "ilo"
) -> dict[str, Any]:
    body: dict[str, Any] = {"partner": partner, "url": url}
    if event_types is not None:
        body["event_types"] = event_types
    response = await http.post("/partners/webhooks", json=body, headers=SECRETARIAT)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def deliveries_when_settled(
    http: httpx.AsyncClient, subscription_id: str, count: int, within: float = 10.0
) -> list[dict[str, Any]]:
    """The subscription's deliveries once `count` exist and none is pending any more."""
    found: list[dict[str, Any]] = []

    async def settled() -> bool:
        response = await http.get(
            f"/partners/webhooks/{subscription_id}/deliveries", headers=SECRETARIAT
        )
        found[:] = response.json()
        return len(found) >= count and all(d["status"] != "pending" for d in found)

    await eventually(settled, within)
    return found
