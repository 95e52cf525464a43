"""The mail sender keeps its SMTP connections between mails, against the real SMTP
sink the tests use (aiosmtpd, its Maildir): mails in a row share one connection, and
every mail arrives whole; a connection the relay dropped, one idle past
`SMTP_REUSE_SECONDS`, or one on which a send failed is not used again; mails sent side
by side each have a connection of their own; shutting down says QUIT."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from pesnet.devtools.ports import free_port
from pesnet.devtools.smtp_sink import MaildirHandler
from pesnet.notifications.adapters.maildir import read_mailbox
from pesnet.notifications.adapters.smtp import SmtpSender
from pesnet.notifications.domain.deliveries import OutgoingMail, SendFailed
from pesnet.notifications.settings import Settings

pytestmark = pytest.mark.integration


class Relay(MaildirHandler):
    """The sink's handler, noting which connection (client port) each mail came on and
    the QUITs; it refuses `refused@...`."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.directory = directory
        self.peers: list[Any] = []
        self.quits = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("refused@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        self.quits += 1
        return "221 Bye"


@pytest.fixture
def relay(tmp_path: Path) -> Any:
    handler = Relay(tmp_path / "maildir")
    # a relay that drops a connection idle for a second (as real ones do, later)
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=True, timeout=1.0
    )
    controller.start()
    yield controller
    controller.stop()


def sender(relay: Controller, **settings: Any) -> SmtpSender:
    return SmtpSender(
        Settings.model_validate(
            {"PESNET_ENV": "test", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": relay.port, **settings}
        )
    )


def mail(to: str, subject: str = "Welcome") -> OutgoingMail:
    return OutgoingMail(
        to=to,
        subject=subject,
        text=f"Dear {to},\n",
        html=f"<p>Dear {to}</p>",
        language="en",
        attachments=[{"filename": "m.ics", "content_type": "text/calendar", "content": "BEGIN"}],
        headers={"X-PESNET-Template": "participant_registered"},
    )


def mailbox(relay: Controller) -> list[dict[str, Any]]:
    handler: Relay = relay.handler
    return read_mailbox(handler.directory)


async def test_mails_in_a_row_share_one_connection_and_arrive_whole(relay: Controller) -> None:
    smtp = sender(relay)
    ids = [
        await smtp.send(mail(to)) for to in ("a@example.org", "b@example.org", "فاطمة@example.org")
    ]
    handler: Relay = relay.handler
    assert len(set(handler.peers)) == 1
    got = mailbox(relay)
    assert [m["to"] for m in got] == ["a@example.org", "b@example.org", "فاطمة@example.org"]
    assert [m["message_id"] for m in got] == ids
    assert all(m["text"].replace("\r\n", "\n") == f"Dear {m['to']},\n" for m in got)
    assert all(a["filename"] == "m.ics" for m in got for a in m["attachments"])
    await smtp.close()
    assert handler.quits == 1


async def test_a_connection_the_relay_dropped_is_not_used_again(relay: Controller) -> None:
    smtp = sender(relay)
    await smtp.send(mail("a@example.org"))
    await asyncio.sleep(1.5)  # past the relay's idle timeout: it closed the connection
    await smtp.send(mail("b@example.org"))  # no failure: a new connection
    handler: Relay = relay.handler
    assert len(set(handler.peers)) == 2
    assert [m["to"] for m in mailbox(relay)] == ["a@example.org", "b@example.org"]


async def test_a_connection_idle_past_its_reuse_time_is_not_used_again(relay: Controller) -> None:
    smtp = sender(relay, SMTP_REUSE_SECONDS=0.2)
    await smtp.send(mail("a@example.org"))
    await asyncio.sleep(0.4)
    await smtp.send(mail("b@example.org"))
    await smtp.send(mail("c@example.org"))
    handler: Relay = relay.handler
    assert handler.peers[0] != handler.peers[1] == handler.peers[2]


async def test_no_reuse_sends_each_mail_on_its_own_connection(relay: Controller) -> None:
    smtp = sender(relay, SMTP_REUSE_SECONDS=0)
    for to in ("a@example.org", "b@example.org"):
        await smtp.send(mail(to))
    handler: Relay = relay.handler
    assert len(set(handler.peers)) == 2
    assert handler.quits == 2


async def test_after_a_refusal_the_next_mail_goes_out_on_a_new_connection(
    relay: Controller,
) -> None:
    smtp = sender(relay)
    await smtp.send(mail("a@example.org"))
    with pytest.raises(SendFailed) as refused:
        await smtp.send(mail("refused@example.org"))
    assert refused.value.permanent
    assert "550" in refused.value.reason
    await smtp.send(mail("b@example.org"))
    handler: Relay = relay.handler
    assert len(set(handler.peers)) == 2
    assert [m["to"] for m in mailbox(relay)] == ["a@example.org", "b@example.org"]


async def test_mails_sent_side_by_side_each_have_a_connection(relay: Controller) -> None:
    smtp = sender(relay)
    addresses = [f"p{n}@example.org" for n in range(4)]
    await asyncio.gather(*(smtp.send(mail(to)) for to in addresses))
    await asyncio.gather(*(smtp.send(mail(to, "Again")) for to in addresses))
    handler: Relay = relay.handler
    assert len(set(handler.peers)) == 4  # the second round reused the first's
    assert sorted(m["to"] for m in mailbox(relay)) == sorted(addresses * 2)
