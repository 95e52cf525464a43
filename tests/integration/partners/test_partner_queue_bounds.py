"""A partner who stops reading never blocks the platform: its queue is bounded by the
broker policy the CLI sets (here 5 events), publishing goes on confirmed, every other
queue gets every event, the partner's keeps the newest; `list` shows the depth against
the bound and flags it past 80%."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest
from faststream.rabbit import RabbitBroker

from pesnet.devtools.rabbit import management_url
from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from pesnet.shared.messaging import EventPublisher
from pesnet.shared.topology import PARTNER_QUEUES_POLICY
from tests.integration.partners.conftest import CliResult
from tests.support import bus_tap, eventually

pytestmark = pytest.mark.integration

BOUND = 5


async def test_a_partner_who_stops_reading_loses_its_oldest_events_and_blocks_nobody(
    partners_cli: Callable[..., CliResult],
    admin_broker: RabbitBroker,
    management: httpx.Client,
    rabbit_url: str,
    vhost: str,
    unique: str,
) -> None:
    name = f"idle-{unique}"
    added = partners_cli("add", name, "--events", "agenda.meeting.scheduled")
    assert added.code == 0, added.err
    # again with a bound of 5: the policy changes, for the queue that exists too
    bounded = partners_cli(
        "add", name, env={**cli_environment(rabbit_url), "PESNET_PARTNER_QUEUE_MAX_LENGTH": "5"}
    )
    assert bounded.code == 0, bounded.err
    policy = (
        await asyncio.to_thread(management.get, f"/policies/{vhost}/{PARTNER_QUEUES_POLICY}")
    ).json()
    assert policy["definition"] == {
        "max-length": BOUND,
        "message-ttl": 7 * 24 * 3600 * 1000,
        "overflow": "drop-head",
    }

    publisher = EventPublisher(admin_broker)
    ids = []
    async with bus_tap(rabbit_url, "agenda.meeting.scheduled") as platform:
        for n in range(12):
            event = CATALOG.envelope(
                MeetingScheduled(
                    meeting_id=f"m-{unique}-{n}",
                    number=n + 1,
                    title=Localized(en="m"),
                    timezone="UTC",
                ),
                source="/test",
            )
            await publisher.publish(event)  # confirmed: a full partner queue refuses nothing
            ids.append(event.id)
        await platform.until(lambda: len(platform.events) == 12)

    queue = quote(f"partner.{name}", safe="")

    async def kept_the_bound() -> bool:
        info = (await asyncio.to_thread(management.get, f"/queues/{vhost}/{queue}")).json()
        return bool(info.get("messages") == BOUND)

    await eventually(kept_the_bound, within=30)

    def listed() -> str:
        lines = [line for line in partners_cli("list").out.splitlines() if name in line]
        return lines[0] if lines else ""

    async def depth_against_bound() -> bool:
        return listed().split()[1:5] == ["(!)", str(BOUND), str(BOUND), "0"]

    await eventually(depth_against_bound, within=30)
    assert "past 80% of its bound" in partners_cli("list").out
    assert partners_cli("remove", name).code == 0


def cli_environment(rabbit_url: str) -> dict[str, str]:
    """The environment the `partners_cli` fixture runs the CLI in."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "PESNET_ENV": "test",
        "RABBITMQ_URL": rabbit_url,
        "RABBITMQ_MANAGEMENT_URL": management_url(rabbit_url),
    }
