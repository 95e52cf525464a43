"""A mail send has an overall deadline: a relay that accepts the connection and then
says nothing (or answers each step just in time) cannot hold a worker's slot for
good; the send fails as transient (retried) within the deadline."""

from __future__ import annotations

import asyncio
import time

from pesnet.notifications.adapters.smtp import SmtpSender
from pesnet.notifications.domain.deliveries import OutgoingMail, SendFailed
from pesnet.notifications.settings import Settings


async def test_a_relay_that_never_answers_fails_the_send_within_its_deadline() -> None:
    connections: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)  # accepted, never greeted

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = Settings.model_validate(
        {
            "PESNET_ENV": "test",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_TIMEOUT_SECONDS": 30,
            "SMTP_SEND_TIMEOUT_SECONDS": 0.5,
        }
    )
    mail = OutgoingMail(
        to="amina@example.org",
        subject="s",
        text="t",
        html="<p>t</p>",
        language="en",
        attachments=[],
        headers={},
    )
    started = time.monotonic()
    try:
        try:
            await SmtpSender(settings).send(mail)
        except SendFailed as exc:
            failed = exc
        else:
            raise AssertionError("a silent relay's send succeeded")
    finally:
        server.close()
        for writer in connections:
            writer.close()
    assert time.monotonic() - started < 3
    assert failed.permanent is False
    assert "timed out" in failed.reason
