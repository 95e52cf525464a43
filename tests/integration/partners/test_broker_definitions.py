"""deploy/rabbitmq: the committed definitions are what the code declares, and the users
file that render-users.sh writes works on a real broker with the permissions it grants.

A fresh vhost holds the code's declarations (made as the services' user, with its
least-privilege permissions), and the management API's export of it is compared with
deploy/rabbitmq/definitions.json."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import aio_pika
import httpx
import pytest
from faststream.rabbit import RabbitBroker

from pesnet.devtools.rabbit import TestVhost as Vhost
from pesnet.devtools.rabbit import vhost_url
from pesnet.shared.events import CATALOG
from pesnet.shared.topology import (
    declare_consumer,
    declare_core,
    declare_partner_queue,
    declare_public_stream,
)
from scripts.generate_rabbitmq_definitions import SERVICES, consumers_by_service

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"


@pytest.fixture
def fresh_vhost(rabbit_url: str, management: httpx.Client) -> Iterator[str]:
    base = vhost_url(rabbit_url, "")
    vhost = Vhost(base).create()
    try:
        yield vhost.name
    finally:
        vhost.delete()


def rendered_users(tmp_path: Path, unique: str) -> tuple[dict[str, Any], dict[str, str]]:
    """What render-users.sh writes for compose, with this test's names: the five services'
    users are renamed `<service>-<unique>` (users are global to the broker)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "RABBITMQ_ADMIN_USER": f"adm-{unique}",
        "RABBITMQ_ADMIN_PASSWORD": f"adm-{unique}",
        **{f"RABBITMQ_{s.upper()}_PASSWORD": f's3cret {s} "quoted"' for s in SERVICES},
        "PESNET_DEFINITIONS_DIR": str(tmp_path),
    }
    subprocess.run(
        ["sh", str(ROOT / "deploy" / "rabbitmq" / "render-users.sh")], env=env, check=True
    )
    text = (tmp_path / "00-users.json").read_text()
    for service in SERVICES:
        text = text.replace(f'"pesnet-{service}"', f'"{service}-{unique}"')
    return json.loads(text), env


def comparable(definitions: dict[str, Any]) -> dict[str, Any]:
    def strip(items: list[dict[str, Any]], key: Any) -> list[dict[str, Any]]:
        return sorted(({k: v for k, v in i.items() if k != "vhost"} for i in items), key=key)

    return {
        "exchanges": strip(definitions["exchanges"], lambda e: e["name"]),
        "queues": strip(definitions["queues"], lambda q: q["name"]),
        "bindings": strip(
            definitions["bindings"], lambda b: (b["source"], b["destination"], b["routing_key"])
        ),
    }


async def test_the_committed_definitions_are_what_the_code_declares(
    rabbit_url: str, management: httpx.Client, fresh_vhost: str, tmp_path: Path, unique: str
) -> None:
    users, env = rendered_users(tmp_path, unique)
    for permission in users["permissions"]:
        permission["vhost"] = fresh_vhost
    committed = json.loads(DEFINITIONS.read_text())
    queues_of = consumers_by_service()
    response = await asyncio.to_thread(
        management.post,
        "/definitions",
        json={"users": users["users"], "permissions": users["permissions"]},
    )
    assert response.status_code in (200, 201, 204), response.text
    address = urlsplit(rabbit_url)

    def url_of(service: str) -> str:
        password = quote(env[f"RABBITMQ_{service.upper()}_PASSWORD"], safe="")
        return (
            f"amqp://{service}-{unique}:{password}"
            f"@{address.hostname}:{address.port or 5672}/{quote(fresh_vhost, safe='')}"
        )

    try:
        # the hashes render-users.sh wrote let each service's user in, and its permissions
        # suffice for everything that service declares
        for service in SERVICES:
            broker = RabbitBroker(url_of(service), logger=None)
            await broker.connect()
            try:
                await declare_core(broker, CATALOG.public_types())
                for name, event_types in queues_of[service].items():
                    await declare_consumer(broker, name, event_types)
            finally:
                await broker.stop()
        # and the stream of public events, which the partners CLI declares (an administrator)
        admin = RabbitBroker(vhost_url(rabbit_url, fresh_vhost), logger=None)
        await admin.connect()
        try:
            await declare_public_stream(admin)
        finally:
            await admin.stop()
        exported = await asyncio.to_thread(
            lambda: management.get(f"/definitions/{quote(fresh_vhost, safe='')}").json()
        )
        assert comparable(exported) == comparable(committed)

        # ...and no more: no partner queue, no other service's queue
        attempts: list[tuple[str, Callable[[RabbitBroker], Awaitable[None]]]] = [
            (
                "registration",
                lambda b: declare_partner_queue(b, f"partner.x-{unique}", ["agenda.#"]),
            ),
            ("agenda", lambda b: declare_consumer(b, "registration", ["agenda.meeting.scheduled"])),
            ("identity", lambda b: declare_consumer(b, "notifications", ["identity.#"])),
        ]
        for service, attempt in attempts:
            broker = RabbitBroker(url_of(service), logger=None)
            await broker.connect()
            try:
                with pytest.raises(aio_pika.exceptions.AMQPError):
                    await attempt(broker)
            finally:
                await broker.stop()
    finally:
        for user in users["users"]:
            await asyncio.to_thread(management.delete, f"/users/{quote(user['name'], safe='')}")
