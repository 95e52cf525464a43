"""Exactly one mail per (event, recipient): a burst of events, 10% of them published
twice, handled by two replicas of the service sharing the database and the queue.
(`benchmarks/notifications_burst.py` runs the same with 1,000 events.)"""

from __future__ import annotations

import os
import random
from collections import Counter
from typing import Any

import pytest

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.bootstrap import build_app
from pesnet.shared.mongo import Client
from tests.integration.notifications.notifications_factories import participant
from tests.integration.notifications.notifications_support import Bus, wait_for_mail
from tests.support import duplicate_seen, eventually

pytestmark = pytest.mark.integration

EVENTS = int(os.environ.get("NOTIFICATIONS_BURST_EVENTS", "200"))


@pytest.mark.timeout(240)
async def test_burst_with_duplicates_on_two_replicas_yields_one_mail_each(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings()
    async with start_service(build_app(settings)) as svc, start_service(build_app(settings)):
        unique = EVENTS - EVENTS // 10
        events = [
            bus.envelope(participant("registered", ("ar", "en", "fr")[i % 3]))
            for i in range(unique)
        ]
        rng = random.Random(6)
        twice = rng.sample(events, EVENTS - unique)
        burst = events + twice
        rng.shuffle(burst)
        for event in burst:
            await bus.resend(event)

        db = mongo_client[settings.database]
        consumer = svc.app.state.runtime.consumer.name
        for event in twice:
            await duplicate_seen(db, consumer, event.id, within=180)
        mails = await wait_for_mail(smtp_sink, unique, within=180)
        pairs = Counter((m["event_id"], m["to"]) for m in mails)
        assert len(mails) == unique
        assert set(pairs.values()) == {1}
        assert {e for e, _ in pairs} == {e.id for e in events}
        deliveries = mongo_client[settings.database]["deliveries"]

        async def all_recorded_sent() -> bool:
            # the last mail can reach the sink a moment before its delivery is marked sent
            return bool(await deliveries.count_documents({"status": "sent"}) == unique)

        await eventually(all_recorded_sent, within=30)
        assert await deliveries.count_documents({}) == unique
