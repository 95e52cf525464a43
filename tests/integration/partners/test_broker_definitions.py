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
from collections.abc import Iterator
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
from pesnet.shared.topology import declare_consumer, declare_core, declare_partner_queue

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
    env = {
        "PATH": os.environ.get("PATH", ""),
        "RABBITMQ_USER": f"svc-{unique}",
        "RABBITMQ_PASSWORD": f's3cret {unique} "quoted"',
        "RABBITMQ_ADMIN_USER": f"adm-{unique}",
        "RABBITMQ_ADMIN_PASSWORD": f"adm-{unique}",
        "PESNET_DEFINITIONS_DIR": str(tmp_path),
    }
    subprocess.run(
        ["sh", str(ROOT / "deploy" / "rabbitmq" / "render-users.sh")], env=env, check=True
    )
    return json.loads((tmp_path / "00-users.json").read_text()), env


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
    consumers: dict[str, list[str]] = {}
    for binding in committed["bindings"]:
        if binding["source"] == "pesnet.events" and binding["destination_type"] == "queue":
            consumers.setdefault(binding["destination"], []).append(binding["routing_key"])
    response = await asyncio.to_thread(
        management.post,
        "/definitions",
        json={"users": users["users"], "permissions": users["permissions"]},
    )
    assert response.status_code in (200, 201, 204), response.text
    try:
        address = urlsplit(rabbit_url)
        service_url = (
            f"amqp://{quote(env['RABBITMQ_USER'], safe='')}:{quote(env['RABBITMQ_PASSWORD'], safe='')}"
            f"@{address.hostname}:{address.port or 5672}/{quote(fresh_vhost, safe='')}"
        )
        # the hash render-users.sh wrote lets the services' user in, and its permissions
        # suffice for everything the services declare
        broker = RabbitBroker(service_url, logger=None)
        await broker.connect()
        try:
            await declare_core(broker, CATALOG.public_types())
            for name, event_types in consumers.items():
                await declare_consumer(broker, name, event_types)
        finally:
            await broker.stop()
        exported = await asyncio.to_thread(
            lambda: management.get(f"/definitions/{quote(fresh_vhost, safe='')}").json()
        )
        assert comparable(exported) == comparable(committed)

        # ...and no more: the services' user cannot make a partner queue
        broker = RabbitBroker(service_url, logger=None)
        await broker.connect()
        try:
            with pytest.raises(aio_pika.exceptions.AMQPError):
                await declare_partner_queue(broker, f"partner.x-{unique}", ["agenda.#"])
        finally:
            await broker.stop()
    finally:
        for user in users["users"]:
            await asyncio.to_thread(management.delete, f"/users/{quote(user['name'], safe='')}")
