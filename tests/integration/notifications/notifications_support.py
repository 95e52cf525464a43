"""Helpers of the notifications integration tests (imported by name: the module name is
unique in the suite)."""

from __future__ import annotations

from typing import Any

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.adapters.maildir import read_mailbox
from pesnet.notifications.adapters.repository import DELIVERIES
from pesnet.shared.catalog import EventPayload
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.events import CATALOG
from pesnet.shared.inbox import INBOX
from pesnet.shared.messaging import EventPublisher
from pesnet.shared.mongo import Database
from tests.support import eventually


class Bus:
    """Publishes CloudEvents on `pesnet.events`, as the producing services' relays do,
    and remembers what it sent (so a test can wait until all of it was handled)."""

    def __init__(self, publisher: EventPublisher) -> None:
        self.publisher = publisher
        self.sent: list[CloudEvent] = []

    def envelope(self, payload: EventPayload) -> CloudEvent:
        service = CATALOG.spec_for(payload).type.split(".")[0]
        return CATALOG.envelope(payload, source=f"/pesnet/{service}")

    async def send(self, payload: EventPayload) -> CloudEvent:
        event = self.envelope(payload)
        await self.publisher.publish(event)
        self.sent.append(event)
        return event

    async def resend(self, event: CloudEvent) -> None:
        await self.publisher.publish(event)


def mail_count(sink: SmtpSink) -> int:
    """How many mails the sink holds, without parsing them (cheap enough to poll)."""
    return sum(1 for sub in ("new", "cur") for _ in (sink.directory / sub).glob("*"))


async def wait_for_mail(sink: SmtpSink, count: int, within: float = 15.0) -> list[dict[str, Any]]:
    """The sink's mails once there are at least `count`."""

    async def arrived() -> bool:
        return mail_count(sink) >= count

    try:
        await eventually(arrived, within)
    except AssertionError:
        raise AssertionError(f"expected {count} mails, the sink has {mail_count(sink)}") from None
    return read_mailbox(sink.directory)


async def mail_when_settled(
    sink: SmtpSink, bus: Bus, db: Database, consumer: str, within: float = 20.0
) -> list[dict[str, Any]]:
    """The sink's mails once the service has handled every event `bus` sent and no
    delivery is pending any more (a digest's items included): only then is "exactly
    these mails" worth asserting, since nothing else is still on its way."""
    sent = [event.id for event in bus.sent]

    async def settled() -> bool:
        handled = await db[INBOX].count_documents({"consumer": consumer, "event_id": {"$in": sent}})
        if handled < len(sent):
            return False
        # a delivery is marked sent just after the sink took its mail, so once none is
        # pending the sink holds every mail
        return await db[DELIVERIES].count_documents({"status": "pending"}) == 0

    try:
        await eventually(settled, within)
    except AssertionError:
        raise AssertionError(
            f"the service did not settle within {within}s; the sink has {mail_count(sink)} mails"
        ) from None
    return read_mailbox(sink.directory)


async def drain_dead_letters(bus: Bus, consumer: str) -> list[Any]:
    """Everything in the consumer's dead-letter queue right now (taken out)."""
    from pesnet.shared.topology import dead_letter_queue

    queue = await bus.publisher.broker.declare_queue(dead_letter_queue(consumer))
    messages: list[Any] = []
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        await message.ack()
        messages.append(message)
    return messages


def by_template(mails: list[dict[str, Any]], template: str) -> dict[str, dict[str, Any]]:
    """The mails of one template, by language (one per language expected)."""
    found: dict[str, dict[str, Any]] = {}
    for mail in mails:
        if mail["template"] == template:
            assert mail["language"] not in found, f"two {template} mails in {mail['language']}"
            found[mail["language"]] = mail
    return found


def assert_localized(mail: dict[str, Any], language: str) -> None:
    """What every mail must be: the language header, html + text, Arabic right-to-left."""
    assert mail["language"] == language
    assert mail["html"]
    assert mail["text"]
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in mail["html"]


async def schedule_meeting(bus: Bus, db: Any) -> None:
    """Publish pesnet-4's `agenda.meeting.scheduled` and wait until it is projected
    (the consumer handles messages concurrently, so a later event could overtake it)."""
    from tests.integration.notifications.notifications_factories import MEETING

    await bus.send(MEETING)

    async def projected() -> bool:
        count: int = await db["meetings"].count_documents({"_id": MEETING.meeting_id})
        return count == 1

    await eventually(projected)
