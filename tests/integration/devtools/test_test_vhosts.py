"""Test runs' throw-away vhosts: the queues a finished test leaves bound to
`pesnet.events` are deleted, so they do not collect every later event of the run."""

from __future__ import annotations

import aio_pika
import pytest

from pesnet.devtools.rabbit import TestVhost

pytestmark = pytest.mark.integration


async def queue_exists(url: str, name: str) -> bool:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        try:
            await channel.declare_queue(name, passive=True)
        except aio_pika.exceptions.ChannelClosed:
            return False
        return True


async def test_a_tests_queues_are_deleted_and_no_one_elses(rabbit_url: str) -> None:
    vhost = TestVhost(rabbit_url).create()
    try:
        connection = await aio_pika.connect(vhost.url)
        async with connection:
            channel = await connection.channel()
            for name in ("registration.0badc0de", "registration.0badc0de.dlq", "agenda.1ce1ce11"):
                await channel.declare_queue(name)

        assert vhost.delete_queues(containing="0badc0de") == 2

        assert not await queue_exists(vhost.url, "registration.0badc0de")
        assert not await queue_exists(vhost.url, "registration.0badc0de.dlq")
        assert await queue_exists(vhost.url, "agenda.1ce1ce11")
    finally:
        vhost.delete()
