"""Where a webhook may go: checked when subscribing (names resolved) and again when
connecting (the name may have been rebound since), and one error for every refused or
failed connection. The sender's tests use a local listener, never the network."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest

from pesnet.notifications.adapters.webhooks import WebhookSender
from pesnet.notifications.domain.commands import CreateSubscription
from pesnet.notifications.domain.webhooks import CONNECTION_FAILED
from pesnet.notifications.service_layer.webhook_subscriptions import (
    WebhookRules,
    create_subscription,
)
from pesnet.shared.errors import InvalidInput
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork


class PlainSealer:
    def seal(self, secret: str) -> str:
        return secret

    def unseal(self, sealed: str) -> str:
        return sealed


def resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str) -> list[str]:
        return table.get(host, [])

    return resolve


def rules(table: dict[str, list[str]], *, allow_loopback: bool = False) -> WebhookRules:
    return WebhookRules(
        public_types=["agenda.meeting.scheduled"],
        all_types=["agenda.meeting.scheduled"],
        rotation_grace=timedelta(0),
        allow_loopback=allow_loopback,
        resolve=resolver(table),
    )


def command(url: str) -> CreateSubscription:
    return CreateSubscription(partner="ilo", url=url, event_types=["agenda.#"])


async def test_a_name_resolving_inside_is_refused_at_subscription_naming_url() -> None:
    uow = FakeNotificationsUnitOfWork()
    table = {
        "inside.example": ["10.0.0.7"],
        "mixed.example": ["93.184.216.34", "169.254.169.254"],
        "public.example": ["93.184.216.34"],
    }
    for host in ("inside.example", "mixed.example", "nowhere.example"):
        with pytest.raises(InvalidInput) as caught:
            await create_subscription(
                command(f"https://{host}/h"), uow, PlainSealer(), rules(table)
            )
        assert caught.value.field == "url"
    subscription, _ = await create_subscription(
        command("https://public.example/h"), uow, PlainSealer(), rules(table)
    )
    assert subscription.url == "https://public.example/h"


class Listener:
    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.requests.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        writer.close()


@asynccontextmanager
async def listening() -> AsyncIterator[Listener]:
    listener = Listener()
    server = await asyncio.start_server(listener.handle, "127.0.0.1", 0)
    listener.port = server.sockets[0].getsockname()[1]
    async with server:
        yield listener


async def test_a_name_rebound_inside_after_subscribing_is_not_connected_to() -> None:
    async with listening() as partner:
        sender = WebhookSender(2.0, resolve=resolver({"partner.example": ["127.0.0.1"]}))
        result = await sender.post(f"http://partner.example:{partner.port}/h", b"{}", {})
        await sender.close()
    assert (result.status_code, result.error) == (None, CONNECTION_FAILED)
    assert partner.requests == []


async def test_the_checked_address_is_connected_to_with_the_names_host_header() -> None:
    async with listening() as partner:
        sender = WebhookSender(
            2.0, allow_loopback=True, resolve=resolver({"partner.example": ["127.0.0.1"]})
        )
        result = await sender.post(f"http://partner.example:{partner.port}/h", b"{}", {})
        await sender.close()
    assert result.status_code == 204
    [request] = partner.requests
    assert f"host: partner.example:{partner.port}".encode() in request.lower()


async def test_open_and_closed_ports_inside_fail_alike() -> None:
    async with listening() as partner:
        closed = partner.port + 1 if partner.port < 65535 else partner.port - 1
        sender = WebhookSender(2.0)
        errors = {
            (await sender.post(f"https://{host}:{port}/h", b"{}", {})).error
            for host in ("127.0.0.1", "2130706433", "[::ffff:127.0.0.1]", "10.255.255.1")
            for port in (partner.port, closed)
        }
        await sender.close()
    assert errors == {CONNECTION_FAILED}
    assert partner.requests == []
