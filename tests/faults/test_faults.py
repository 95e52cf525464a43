"""Issue 10's fault drill: nothing lost, nothing doubled. Each test runs a bounded
burst of registrations, injects one fault in the middle of it, checks that the fault
really happened, and then that every registration answered 201 is stored once and
got exactly one "received" mail (a repeated mail is allowed only as the same delivery
sent twice: the documented window between SMTP hand-over and its record)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from urllib.parse import urlsplit

import httpx
import pytest
from faststream.rabbit import RabbitBroker

from pesnet.devtools.ports import port_open
from pesnet.shared.messaging import REASON_HEADER
from pesnet.shared.mongo import make_client
from pesnet.shared.topology import EVENTS_EXCHANGE, dead_letter_queue
from tests.faults.conftest import Ledger, Platform, produce, settle, until_answered
from tests.integration.shared.test_poison_messages import POISON
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(600)]

BURST = 40


def broker_node() -> list[str]:
    """`-n <node>` of the broker the drill uses: RABBITMQ_NODENAME (a node of one's own,
    as RABBITMQ_URL points at it), else rabbitmqctl's default node."""
    node = os.environ.get("RABBITMQ_NODENAME")
    return ["-n", node] if node else []


async def rabbitmqctl(command: str) -> None:
    await asyncio.to_thread(
        subprocess.run, ["rabbitmqctl", "-q", *broker_node(), command], check=True, timeout=120
    )


async def restarted(platform: Platform, service: str, old_pid: int, within: float = 60) -> float:
    """Seconds until the supervisor's new process of `service` is healthy."""
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=2) as http:

        async def healthy_again() -> bool:
            if platform.pid(service) == old_pid:
                return False
            try:
                response = await http.get(platform.url(service, "/healthz"))
            except httpx.TransportError:
                return False
            return response.status_code == 200

        await eventually(healthy_again, within=within)
    return time.monotonic() - started


async def test_notifications_killed_mid_burst(platform: Platform) -> None:
    ledger = Ledger()
    burst = asyncio.create_task(produce(platform, ledger, BURST))
    await until_answered(ledger, BURST // 3)
    victim = platform.pid("notifications")
    os.kill(victim, signal.SIGKILL)
    back_after = await restarted(platform, "notifications", victim)
    await burst
    figures = await settle(platform, ledger)
    print(
        "\n"
        + figures.line(
            "kill -9 notifications mid-burst",
            f"; pid {victim} -> {platform.pid('notifications')}, healthy again after "
            f"{back_after:.1f} s",
        )
    )
    assert figures.double_effects == 0
    assert figures.stored == figures.answered == len(ledger.answered)


async def test_registration_killed_between_commit_and_publish(platform: Platform) -> None:
    """Registration answers 201 once its transaction (registration + outbox entry) has
    committed; its relay publishes afterwards. Killed right after a burst of 201s,
    entries it had not yet published must be published by the restarted process."""
    ledger = Ledger()
    await produce(platform, ledger, BURST, concurrency=8)
    victim = platform.pid("registration")
    os.kill(victim, signal.SIGKILL)
    client = make_client(platform.mongo.url)
    try:
        unpublished = await client["pesnet_registration"]["outbox"].count_documents(
            {"published_at": None}
        )
    finally:
        await client.close()
    back_after = await restarted(platform, "registration", victim)
    figures = await settle(platform, ledger)
    print(
        "\n"
        + figures.line(
            "kill -9 registration after its 201s",
            f"; {unpublished} outbox entries unpublished at the kill; pid {victim} -> "
            f"{platform.pid('registration')}, healthy again after {back_after:.1f} s",
        )
    )
    assert figures.double_effects == 0
    assert figures.stored == figures.answered == BURST


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="needs rabbitmqctl (local broker)")
async def test_broker_stopped_and_started_mid_burst(platform: Platform) -> None:
    """`rabbitmqctl stop_app` for about 5 s. The broker is shared by everything on this
    machine, so the outage is kept short and only this suite does it."""
    ledger = Ledger()
    burst = asyncio.create_task(produce(platform, ledger, BURST, concurrency=2))
    await until_answered(ledger, BURST // 4)
    await rabbitmqctl("stop_app")
    stopped = time.monotonic()
    try:
        broker = urlsplit(platform.rabbit_url)
        assert not port_open(broker.hostname or "127.0.0.1", broker.port or 5672), (
            "the broker did not stop"
        )
        await asyncio.sleep(5)  # the outage itself
    finally:
        await rabbitmqctl("start_app")
    outage = time.monotonic() - stopped
    await burst
    figures = await settle(platform, ledger)
    print(
        "\n"
        + figures.line(
            "rabbitmqctl stop_app / start_app mid-burst",
            f"; broker down {outage:.1f} s; answers other than 201: {dict(ledger.refused)}",
        )
    )
    assert figures.double_effects == 0
    assert figures.stored == figures.answered


async def test_database_killed_and_restarted_mid_burst(platform: Platform) -> None:
    ledger = Ledger()
    burst = asyncio.create_task(produce(platform, ledger, BURST))
    await until_answered(ledger, BURST // 3)
    old_pid = platform.kill_database()
    killed = time.monotonic()
    await asyncio.sleep(3)  # the outage itself
    new_pid = await asyncio.to_thread(platform.start_database)
    outage = time.monotonic() - killed
    await burst
    figures = await settle(platform, ledger)
    print(
        "\n"
        + figures.line(
            "kill -9 of the database mid-burst, restarted on its data",
            f"; database pid {old_pid} -> {new_pid}, down {outage:.1f} s; answers other "
            f"than 201: {dict(ledger.refused)}",
        )
    )
    assert new_pid != old_pid
    assert figures.double_effects == 0
    assert figures.stored == figures.answered


async def test_poison_messages_on_a_service_queue(platform: Platform) -> None:
    """Each undecodable kind, published where registration events go, ends in the
    notifications dead-letter queue with its reason; the registrations after it are
    handled as usual."""
    broker = RabbitBroker(platform.rabbit_url, logger=None)
    await broker.connect()
    try:
        for name, (body, content_type, _) in POISON.items():
            if name == "too-large":  # the platform's limit is the default 1 MiB
                body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
            await broker.publish(
                body,
                exchange=EVENTS_EXCHANGE,
                routing_key="registration.participant.registered",
                persist=True,
                message_id=f"poison-{name}",
                content_type=content_type,
            )
        ledger = Ledger()
        await produce(platform, ledger, 10)
        figures = await settle(platform, ledger)

        dlq = await broker.declare_queue(dead_letter_queue("notifications"))
        reasons: dict[str, str] = {}

        async def all_dead_lettered() -> bool:
            while (message := await dlq.get(no_ack=False, fail=False)) is not None:
                await message.ack()
                if str(message.message_id).startswith("poison-"):
                    reasons[str(message.message_id)] = str(message.headers[REASON_HEADER])
            return len(reasons) == len(POISON)

        await eventually(all_dead_lettered, within=60)
    finally:
        await broker.stop()
    for name, (_, _, reason_part) in POISON.items():
        assert reason_part in reasons[f"poison-{name}"], (name, reasons)
    kinds: Counter[str] = Counter(reason_part for _, _, reason_part in POISON.values())
    print(
        "\n"
        + figures.line(
            "poison messages on the notifications queue",
            f"; {len(reasons)} poison messages dead-lettered with their reason ({dict(kinds)})",
        )
    )
