"""Helpers of the notifications integration tests (imported by name: the module name is
unique in the suite)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.adapters.maildir import read_mailbox
from pesnet.shared.catalog import EventPayload
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.events import CATALOG
from pesnet.shared.messaging import EventPublisher


class Bus:
    """Publishes CloudEvents on `pesnet.events`, as the producing services' relays do."""

    def __init__(self, publisher: EventPublisher) -> None:
        self.publisher = publisher

    def envelope(self, payload: EventPayload) -> CloudEvent:
        service = CATALOG.spec_for(payload).type.split(".")[0]
        return CATALOG.envelope(payload, source=f"/pesnet/{service}")

    async def send(self, payload: EventPayload) -> CloudEvent:
        event = self.envelope(payload)
        await self.publisher.publish(event)
        return event

    async def resend(self, event: CloudEvent) -> None:
        await self.publisher.publish(event)


async def wait_for_mail(
    sink: SmtpSink, count: int, within: float = 15.0, settle: float = 0.0
) -> list[dict[str, Any]]:
    """The sink's mails once there are at least `count` (then `settle` more seconds
    to catch any extra, which a test of 'exactly one' needs)."""
    deadline = time.monotonic() + within
    while True:
        mails = read_mailbox(sink.directory)
        if len(mails) >= count:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} mails, the sink has {len(mails)}")
        await asyncio.sleep(0.1)
    if settle:
        await asyncio.sleep(settle)
        mails = read_mailbox(sink.directory)
    return mails


async def wait_until(check: Callable[[], Any], within: float = 15.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)
