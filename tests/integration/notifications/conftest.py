"""Fixtures of the notifications integration tests: the service wired to a real
SMTP sink, and a publisher that puts events on the real broker as the other
services would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.settings import Settings
from pesnet.shared.messaging import EventPublisher
from tests.integration.notifications.notifications_support import Bus


@pytest.fixture
def notifications_settings(
    make_settings: Callable[..., Any], smtp_sink: SmtpSink, unique: str
) -> Callable[..., Settings]:
    """Settings with a queue of its own per test (`PESNET_SERVICE` names the queue)."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": smtp_sink.port,
            "PESNET_DEV_MAILBOX": str(smtp_sink.directory),
            "NOTIFICATIONS_POLL_SECONDS": 0.1,
            "NOTIFICATIONS_DIGEST_WINDOW_SECONDS": 0.5,
            "NOTIFICATIONS_RETRY_BASE_SECONDS": 0.2,
            "PESNET_DATABASE": f"test_{unique}_notifications",
            **overrides,
        }
        settings: Settings = make_settings(f"notifications-{unique}", Settings, **values)
        return settings

    return build


@pytest.fixture
async def bus(rabbit_url: str) -> AsyncIterator[Bus]:
    broker = RabbitBroker(rabbit_url, logger=None)
    await broker.connect()
    try:
        yield Bus(EventPublisher(broker))
    finally:
        await broker.stop()
