"""A three-node RabbitMQ cluster under the platform: one node stopped in the middle of a
burst of registrations and started again, then the node that leads the queues. Every
registration answered 201 is stored once and gets exactly one "received" mail, and
afterwards every service's queue has its consumer again and nothing waits in it."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.cluster.conftest import NODES, cluster, management, node_name
from tests.faults.conftest import Ledger, Platform, produce, settle, until_answered
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.cluster, pytest.mark.timeout(900)]

BURST = 40
SERVICE_QUEUES = ("registration", "agenda", "actionplan", "notifications")


def leader_of(queue: str, asking: int) -> str:
    with management(asking) as api:
        return str(api.get(f"/queues/%2F/{queue}").json()["leader"])


async def consumers_back(asking: int) -> None:
    """Every service's queue is consumed again and holds nothing ready."""
    with management(asking) as api:

        async def consumed() -> bool:
            for queue in SERVICE_QUEUES:
                info = api.get(f"/queues/%2F/{queue}").json()
                if info.get("consumers", 0) < 1 or info.get("messages_ready", 0) > 0:
                    return False
            return True

        await eventually(consumed, within=120)


async def drill(platform: Platform, node: int, what: str) -> None:
    ledger = Ledger()
    burst = asyncio.create_task(produce(platform, ledger, BURST, concurrency=2))
    await until_answered(ledger, BURST // 4)
    await asyncio.to_thread(cluster, "stop-node", str(node))
    stopped = time.monotonic()
    try:
        await asyncio.sleep(5)  # the outage itself
    finally:
        await asyncio.to_thread(cluster, "start-node", str(node))
    outage = time.monotonic() - stopped
    await burst
    figures = await settle(platform, ledger)
    print(
        "\n"
        + figures.line(
            what,
            f"; {node_name(node)} down {outage:.1f} s; answers other than 201: "
            f"{dict(ledger.refused)}",
        )
    )
    assert figures.answered > 0
    assert figures.stored == figures.answered
    assert figures.double_effects == 0
    assert figures.mails == figures.answered
    await consumers_back(asking=next(n for n in NODES if n != node))


async def test_a_follower_node_stopped_mid_burst(platform: Platform) -> None:
    leader = leader_of("notifications", asking=1)
    follower = next(n for n in NODES if node_name(n) != leader)
    await drill(platform, follower, f"cluster: follower {node_name(follower)} stopped mid-burst")


async def test_the_node_leading_the_queues_stopped_mid_burst(platform: Platform) -> None:
    leader = leader_of("notifications", asking=1)
    node = next(n for n in NODES if node_name(n) == leader)
    await drill(platform, node, f"cluster: queue leader {leader} stopped mid-burst")
    # the queues elected another leader while it was away
    assert leader_of("registration", asking=node) in {node_name(n) for n in NODES}
