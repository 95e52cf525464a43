"""A partner replays past public events from the stream `pesnet.public.stream`, from its
beginning or from a point in time, connected as the partner the CLI made (read permission
only), and finds nothing there but public events.

The stream stamps what it stores with the broker's clock, so no test can store events
"yesterday", and the broker's clock need not be this process's (an Erlang VM corrects a
jump of the system clock slowly: here it lagged by many seconds). So the test reads the
broker's time of a first batch from the stream itself (the latest point in time from which
a replay still gives it), publishes a later batch seconds after, and replays from a point
between the two: it gives the later batch and not the first, as a replay from yesterday
gives today's events and not the day before's."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage
from faststream.rabbit import RabbitBroker

from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.registration import ParticipantRegistered
from pesnet.shared.i18n import Localized
from pesnet.shared.messaging import EventPublisher
from pesnet.shared.topology import PUBLIC_STREAM
from tests.integration.partners.conftest import CliResult

pytestmark = pytest.mark.integration


def amqp_url(result: CliResult) -> str:
    match = re.search(r"amqps?://\S+", result.out)
    assert result.code == 0, result.err
    assert match, result.out
    return match.group(0)


def scheduled(unique: str, n: int) -> Any:
    return CATALOG.envelope(
        MeetingScheduled(
            meeting_id=f"m-{unique}-{n}", number=n, title=Localized(en=f"{n}th"), timezone="UTC"
        ),
        source="/test",
    )


def registered(unique: str) -> Any:
    return CATALOG.envelope(
        ParticipantRegistered(
            registration_id=f"reg-{unique}",
            meeting_id=f"m-{unique}-1",
            email=f"someone.{unique}@example.org",
            given_name="Someone",
            family_name="Private",
            country="SEN",
            institution="ANPEJ",
            position="Officer",
            role="delegate",
            language="fr",
            status="registered",
            registered_at=datetime.now(UTC),
        ),
        source="/test",
    )


async def replay(
    url: str, offset: str | datetime, until: set[str], within: float = 20.0
) -> list[AbstractIncomingMessage]:
    """What the partner reads from the stream from `offset` until every id of `until`
    came (or `within` seconds passed)."""
    seen: list[AbstractIncomingMessage] = []
    connection = await aio_pika.connect(url, timeout=10)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=100)  # a stream is consumed with a prefetch
        stream = await channel.get_queue(PUBLIC_STREAM, ensure=False)

        async def keep(message: AbstractIncomingMessage) -> None:
            seen.append(message)
            await message.ack()

        tag = await stream.consume(keep, arguments={"x-stream-offset": offset})
        deadline = asyncio.get_running_loop().time() + within
        while not until <= {m.message_id for m in seen}:
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # anything that would come after them, too
        await stream.cancel(tag)
    finally:
        await connection.close()
    return seen


async def broker_time_of(url: str, event_id: str, published: datetime) -> datetime:
    """The stream's (the broker's) time of an event published at `published` by this
    process's clock: the latest whole second from which a replay still gives it."""

    async def gives_it(lag: int) -> bool:
        since = published - timedelta(seconds=lag)
        return event_id in {m.message_id for m in await replay(url, since, {event_id}, 1.5)}

    earliest, latest = 0, 1
    while not await gives_it(latest):
        earliest, latest = latest, latest * 2
        assert latest <= 256, "the stream gives the event from no point in time"
    while latest - earliest > 1:
        middle = (earliest + latest) // 2
        earliest, latest = (earliest, middle) if await gives_it(middle) else (middle, latest)
    return published - timedelta(seconds=latest)


async def test_a_partner_replays_public_events_from_the_start_or_a_point_in_time(
    partners_cli: Callable[..., CliResult], admin_broker: RabbitBroker, unique: str
) -> None:
    name = f"rp-{unique}"
    added = partners_cli("add", name, "--events", "agenda.#")
    url = amqp_url(added)
    assert PUBLIC_STREAM in added.out
    assert "x-stream-offset" in added.out
    publisher = EventPublisher(admin_broker)
    earlier = [scheduled(unique, n) for n in (1, 2, 3)]
    internal = registered(unique)
    published = datetime.now(UTC).replace(microsecond=0)
    for event in [*earlier, internal]:
        await publisher.publish(event)
    await asyncio.sleep(4.0)
    later = [scheduled(unique, n) for n in (4, 5)]
    for event in later:
        await publisher.publish(event)
    everything = {e.id for e in [*earlier, *later]}

    from_start = await replay(url, "first", until=everything)
    ids = [m.message_id for m in from_start]
    # in the order they were published, once each
    assert [i for i in ids if i in everything] == [e.id for e in [*earlier, *later]]
    assert internal.id not in ids
    public = set(CATALOG.public_types())
    assert {m.routing_key for m in from_start} <= public
    assert all(b"@" not in m.body for m in from_start)

    # two seconds after the first batch by the broker's clock, two before the later one
    first_batch = await broker_time_of(url, earlier[-1].id, published)
    since = first_batch + timedelta(seconds=2)
    from_then = await replay(url, since, until={e.id for e in later})
    ids = [m.message_id for m in from_then]
    assert [i for i in ids if i in everything] == [e.id for e in later]
