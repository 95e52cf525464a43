"""Test runs' throw-away vhosts: a queue left behind by a finished test does not stay
bound to `pesnet.events` for the rest of the run (it would collect every later event)."""

from __future__ import annotations

from urllib.parse import quote

import aio_pika
import httpx
import pytest

from pesnet.devtools.rabbit import UNUSED_QUEUE_EXPIRES_MS, TestVhost
from tests.support import eventually

pytestmark = pytest.mark.integration


async def test_a_test_vhost_expires_queues_nobody_uses(rabbit_url: str) -> None:
    vhost = TestVhost(rabbit_url).create()
    try:
        connection = await aio_pika.connect(vhost.url)
        async with connection:
            channel = await connection.channel()
            await channel.declare_queue("registration.0badc0de")

        queue_api = (
            f"http://127.0.0.1:15672/api/queues/{quote(vhost.name, safe='')}/registration.0badc0de"
        )

        async def effective_policy() -> dict[str, object]:
            async with httpx.AsyncClient(auth=("guest", "guest"), timeout=10) as http:
                response = await http.get(queue_api)
            response.raise_for_status()
            definition: dict[str, object] = response.json().get("effective_policy_definition") or {}
            return definition

        # the broker applies policies asynchronously, right after the declaration
        async def expires() -> bool:
            return (await effective_policy()).get("expires") == UNUSED_QUEUE_EXPIRES_MS

        await eventually(expires, within=10)
    finally:
        vhost.delete()
