"""Bad input and failed deliveries: an event lacking what a template needs is
dead-lettered with the reason; an invalid address, a permanent SMTP refusal and
exhausted retries are recorded and emit `notifications.delivery.failed`; a transient
refusal is retried; names that look like template code or HTML stay text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from pesnet.devtools.ports import free_port
from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.bootstrap import build_app
from pesnet.shared.messaging import REASON_HEADER
from pesnet.shared.mongo import Client
from tests.integration.notifications.notifications_factories import (
    contact,
    participant,
    programme,
    progress,
)
from tests.integration.notifications.notifications_support import (
    Bus,
    drain_dead_letters,
    wait_for_mail,
)
from tests.support import eventually

pytestmark = pytest.mark.integration


async def test_event_lacking_template_data_is_dead_lettered_with_the_reason(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings()
    async with start_service(build_app(settings)) as svc:
        consumer = svc.app.state.runtime.consumer.name
        attendee = participant("confirmed", "en")
        confirmed = await bus.send(attendee)
        await wait_for_mail(smtp_sink, 1)
        no_ics = await bus.send(programme(2, ics=None))
        no_comment = await bus.send(progress(contact("fr"), outcome="returned", comment=" "))
        after = await bus.send(participant("registered", "fr"))  # the consumer goes on

        dead: list[Any] = []

        async def both_dead_lettered() -> bool:
            dead.extend(await drain_dead_letters(bus, consumer))
            return len(dead) >= 2

        await eventually(both_dead_lettered)
        reasons = {m.message_id: m.headers[REASON_HEADER] for m in dead}
        assert "data.ics" in reasons[no_ics.id]
        assert "Unprocessable" in reasons[no_ics.id]
        assert "data.comment" in reasons[no_comment.id]
        # the dead-lettered events were rolled back: they recorded no delivery. Once the
        # later registration's delivery is sent, every recorded delivery is final and
        # nothing more can be mailed
        deliveries = mongo_client[settings.database]["deliveries"]

        async def later_one_sent() -> bool:
            found = await deliveries.count_documents({"event_id": after.id, "status": "sent"})
            return found == 1

        await eventually(later_one_sent)
        recorded = {d["event_id"]: d["status"] async for d in deliveries.find({})}
        assert recorded == {confirmed.id: "sent", after.id: "sent"}
        mails = await wait_for_mail(smtp_sink, 2)
        # only the confirmation and the later registration: nothing half-empty
        assert sorted(m["event_id"] for m in mails) == sorted([confirmed.id, after.id])


async def test_names_that_look_like_code_are_rendered_as_text(
    notifications_settings: Any, start_service: Any, bus: Bus, smtp_sink: SmtpSink
) -> None:
    async with start_service(build_app(notifications_settings())):
        await bus.send(
            participant(
                "registered",
                "en",
                given_name="{{ 7*7 }} {% raw %}",
                family_name="<script>alert(1)</script>",
                institution="A & B <b>Ltd</b>",
            )
        )
        [mail] = await wait_for_mail(smtp_sink, 1)
        assert "{{ 7*7 }} {% raw %}" in mail["html"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail["html"]
        assert "<script>" not in mail["html"]
        assert "A &amp; B &lt;b&gt;Ltd&lt;/b&gt;" in mail["html"]
        assert "Dear 49" not in mail["text"]  # not evaluated
        # plain text is text: the name as the person typed it
        assert "Dear {{ 7*7 }} {% raw %} <script>alert(1)</script>," in mail["text"]


async def test_invalid_address_is_recorded_as_a_failed_delivery(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings()
    async with start_service(build_app(settings)) as svc:
        event = await bus.send(participant("registered", "fr", email="not an address@@x"))
        outbox = mongo_client[settings.database]["outbox"]

        async def failure_emitted() -> bool:
            found = await outbox.count_documents({"type": "notifications.delivery.failed"})
            return found > 0

        await eventually(failure_emitted)
        [entry] = await outbox.find({"type": "notifications.delivery.failed"}).to_list()
        data = json.loads(entry["body"])["data"]
        assert data["event_id"] == event.id
        assert data["permanent"] is True
        assert data["reason"] == "invalid recipient address"
        log = await svc.http.get("/deliveries", params={"recipient": "not an address@@x"})
        [delivery] = log.json()
        assert delivery["status"] == "failed"
        assert delivery["error"] == "invalid recipient address"
        assert read_nothing(smtp_sink)


def read_nothing(sink: SmtpSink) -> bool:
    return not any(sink.directory.glob("new/*"))


class PickyServer:
    """A real SMTP server that refuses some recipients: `gone.*` for good (550),
    `busy.*` always for now (451), `flaky.*` once (451) then accepts."""

    def __init__(self) -> None:
        self.refusals: dict[str, int] = {}
        self.accepted: list[str] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        local = address.split("@")[0]
        if local.startswith("gone"):
            return "550 5.1.1 no such mailbox"
        if local.startswith("busy") or (
            local.startswith("flaky") and self.refusals.get(address, 0) == 0
        ):
            self.refusals[address] = self.refusals.get(address, 0) + 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def picky_smtp() -> Iterator[tuple[PickyServer, int]]:
    handler = PickyServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


async def test_smtp_refusals_retry_transient_and_record_permanent_failures(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    mongo_client: Client,
    picky_smtp: tuple[PickyServer, int],
) -> None:
    server, port = picky_smtp
    settings = notifications_settings(
        SMTP_PORT=port,
        NOTIFICATIONS_MAX_ATTEMPTS=3,
        NOTIFICATIONS_RETRY_BASE_SECONDS=0.2,
    )
    async with start_service(build_app(settings)) as svc:
        flaky = participant("registered", "en", email="flaky.one@example.org")
        gone = participant("registered", "en", email="gone.one@example.org")
        busy = participant("registered", "en", email="busy.one@example.org")
        for payload in (flaky, gone, busy):
            await bus.send(payload)

        result: dict[str, dict[str, Any]] = {}

        async def all_final() -> bool:
            for payload in (flaky, gone, busy):
                log = await svc.http.get("/deliveries", params={"recipient": payload.email})
                [entry] = log.json() or [None]
                if entry is None or entry["status"] == "pending":
                    return False
                result[payload.email] = entry
            return True

        await eventually(all_final, within=20)
        assert result[flaky.email]["status"] == "sent"
        assert result[flaky.email]["attempts"] == 2  # refused once, then accepted
        assert server.accepted == [flaky.email]
        assert result[gone.email]["status"] == "failed"
        assert result[gone.email]["attempts"] == 1  # 5xx: not retried
        assert "550" in result[gone.email]["error"]
        assert result[busy.email]["status"] == "failed"
        assert result[busy.email]["attempts"] == 3
        assert "gave up after 3 attempts" in result[busy.email]["error"]

        outbox = mongo_client[settings.database]["outbox"]
        failed = {
            (data := json.loads(d["body"])["data"])["delivery_id"]: data["permanent"]
            async for d in outbox.find({"type": "notifications.delivery.failed"})
        }
        assert failed == {result[gone.email]["id"]: True, result[busy.email]["id"]: False}
        sent = await outbox.count_documents({"type": "notifications.delivery.sent"})
        assert sent == 1
