"""A partner added with the CLI reads its own queue of public events and can do nothing
else on the broker: checked by connecting as the partner over AMQP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from faststream.rabbit import RabbitBroker

from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.registration import DelegationUpdated
from pesnet.shared.i18n import Localized
from pesnet.shared.messaging import EventPublisher
from pesnet.shared.topology import EVENTS_EXCHANGE, PUBLIC_EXCHANGE, declare_consumer
from tests.integration.partners.conftest import CliResult
from tests.support import eventually

pytestmark = pytest.mark.integration

Probe = Callable[[AbstractChannel], Awaitable[Any]]


async def ignore(message: AbstractIncomingMessage) -> None:
    return None


def amqp_url(result: CliResult) -> str:
    match = re.search(r"amqps?://\S+", result.out)
    assert result.code == 0, result.err
    assert match, result.out
    return match.group(0)


async def outcome(url: str, probe: Probe) -> str:
    """ "allowed" if the broker let the partner do it, else "refused"."""
    connection = await aio_pika.connect(url, timeout=10)
    try:
        channel = await connection.channel(publisher_confirms=True)
        await probe(channel)
        await asyncio.sleep(0.3)  # a refusal closes the channel asynchronously
        return "refused" if channel.is_closed else "allowed"
    except aio_pika.exceptions.AMQPError:
        return "refused"
    finally:
        await connection.close()


def meeting_event(unique: str) -> Any:
    return CATALOG.envelope(
        MeetingScheduled(
            meeting_id=f"m-{unique}", number=9, title=Localized(en="9th"), timezone="UTC"
        ),
        source="/test",
    )


async def test_partner_receives_its_public_events_and_can_do_nothing_else(
    partners_cli: Callable[..., CliResult], admin_broker: RabbitBroker, unique: str
) -> None:
    name = f"lp-{unique}"
    result = partners_cli("add", name, "--events", "agenda.#")
    url = amqp_url(result)
    assert f"partner.{name}" in result.out
    assert url.startswith(f"amqp://{name}:")
    await declare_consumer(admin_broker, "registration", ["agenda.meeting.scheduled"])

    publisher = EventPublisher(admin_broker)
    wanted = meeting_event(unique)
    other_public = CATALOG.envelope(
        DelegationUpdated(meeting_id=f"m-{unique}", by_status={}, by_role={}, confirmed=0),
        source="/test",
    )
    await publisher.publish(other_public)  # public, but not a pattern the partner chose
    await publisher.publish(wanted)

    received: list[str | None] = []
    connection = await aio_pika.connect(url, timeout=10)
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(f"partner.{name}", ensure=False)

        async def got_it() -> bool:
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                received.append(message.message_id)
            return wanted.id in received

        await eventually(got_it)
        # consuming (not only basic.get) works on the own queue
        tag = await queue.consume(ignore)
        await queue.cancel(tag)
    finally:
        await connection.close()
    assert received == [wanted.id]

    async def publish_events(ch: AbstractChannel) -> None:
        exchange = await ch.get_exchange(EVENTS_EXCHANGE, ensure=False)
        await exchange.publish(aio_pika.Message(b"{}"), routing_key="agenda.meeting.scheduled")

    async def publish_public(ch: AbstractChannel) -> None:
        exchange = await ch.get_exchange(PUBLIC_EXCHANGE, ensure=False)
        await exchange.publish(aio_pika.Message(b"{}"), routing_key="agenda.meeting.scheduled")

    async def publish_default(ch: AbstractChannel) -> None:
        # the default exchange reaches any queue by name: `amq.default` to permissions
        await ch.default_exchange.publish(aio_pika.Message(b"{}"), routing_key="registration")

    async def declare_queue(ch: AbstractChannel) -> None:
        await ch.declare_queue(f"partner.{name}.mine", durable=False)

    async def declare_own_queue_again(ch: AbstractChannel) -> None:
        await ch.declare_queue(f"partner.{name}", durable=True)

    async def consume_service_queue(ch: AbstractChannel) -> None:
        queue = await ch.get_queue("registration", ensure=False)
        await queue.consume(ignore)

    async def get_from_service_queue(ch: AbstractChannel) -> None:
        queue = await ch.get_queue("registration", ensure=False)
        await queue.get(fail=False)

    async def bind_to_events(ch: AbstractChannel) -> None:
        queue = await ch.get_queue(f"partner.{name}", ensure=False)
        await queue.bind(EVENTS_EXCHANGE, routing_key="registration.#")

    async def declare_events_exchange(ch: AbstractChannel) -> None:
        await ch.declare_exchange(
            EVENTS_EXCHANGE,
            aio_pika.ExchangeType.TOPIC,
            durable=True,
            arguments={"alternate-exchange": "pesnet.unrouted"},
        )

    async def purge_own_queue(ch: AbstractChannel) -> None:
        queue = await ch.get_queue(f"partner.{name}", ensure=False)
        await queue.purge()

    async def delete_own_queue(ch: AbstractChannel) -> None:
        queue = await ch.get_queue(f"partner.{name}", ensure=False)
        await queue.delete(if_unused=False, if_empty=False)

    probes: dict[str, Probe] = {
        "publish to pesnet.events": publish_events,
        "publish to pesnet.public": publish_public,
        "publish through the default exchange": publish_default,
        "declare a queue": declare_queue,
        "re-declare its own queue": declare_own_queue_again,
        "consume a service queue": consume_service_queue,
        "basic.get from a service queue": get_from_service_queue,
        "bind its queue to pesnet.events": bind_to_events,
        "declare pesnet.events": declare_events_exchange,
        "delete its own queue": delete_own_queue,
    }
    outcomes = {what: await outcome(url, probe) for what, probe in probes.items()}
    assert outcomes == dict.fromkeys(probes, "refused")
    # purging takes read permission only (RabbitMQ's rule): the partner may empty its queue
    assert await outcome(url, purge_own_queue) == "allowed"


async def test_a_passive_declare_reveals_existence_and_grants_nothing(
    partners_cli: Callable[..., CliResult], unique: str
) -> None:
    """RabbitMQ checks no permission on passive declares; the partner learns that
    pesnet.events exists, and still cannot bind to it or read from it."""
    name = f"pd-{unique}"
    url = amqp_url(partners_cli("add", name, "--events", "agenda.meeting.scheduled"))

    async def passive_then_bind(ch: AbstractChannel) -> None:
        await ch.declare_exchange(
            EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True, passive=True
        )
        queue = await ch.get_queue(f"partner.{name}", ensure=False)
        await queue.bind(EVENTS_EXCHANGE, routing_key="#")

    assert await outcome(url, passive_then_bind) == "refused"
