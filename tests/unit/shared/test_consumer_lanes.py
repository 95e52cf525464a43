"""The consumer's lanes on fakes: the handling (`process`, which in a service is the
inbox transaction) is scripted, the message is a stand-in that records its
acknowledgement."""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import ReleaseNoticesPrepared
from pesnet.shared.events.registration import ParticipantRegistered
from pesnet.shared.messaging import SUBJECT_HEADER, EventConsumer, Subscriptions, on

# a type whose handler needs only its own subject's events (lanes), and one whose handler
# reads what other subjects' events wrote (a barrier)
BY_SUBJECT = CATALOG.type_of(ParticipantRegistered)
BARRIER = CATALOG.type_of(ReleaseNoticesPrepared)


class RawMessage:
    def __init__(self, event_type: str, tag: int | None = None, channel: object = None) -> None:
        self.type = event_type
        if tag is not None:
            self.delivery_tag, self.channel = tag, channel


class FakeMessage:
    def __init__(
        self,
        n: int,
        subject: str | None,
        log: list[str],
        event_type: str = BY_SUBJECT,
        channel: object = None,
    ) -> None:
        self.body = json.dumps({"n": n}).encode()
        self.headers: dict[str, Any] = {SUBJECT_HEADER: subject} if subject else {}
        self.message_id = str(n)
        # with a channel, `n` is the delivery tag
        self.raw_message = RawMessage(event_type, n if channel is not None else None, channel)
        self.log = log
        self.acked = False

    async def ack(self) -> None:
        self.acked = True
        self.log.append(f"ack {self.message_id}")

    async def nack(self, requeue: bool = True) -> None:
        raise AssertionError("a failing message is retried in place, never requeued")


class ScriptedConsumer(EventConsumer):
    """`process` waits for the test to release each message (its commit), and fails
    the number of times the test says."""

    def __init__(self) -> None:
        super().__init__("lanes", CATALOG, cast(Any, None), cast(Any, None), cast(Any, None))

        async def handler(event: Any, uow: Any) -> None:  # never called: `process` is scripted
            raise AssertionError

        self.subscribe(
            Subscriptions(
                on(ParticipantRegistered, handler, by_subject=True),
                on(ReleaseNoticesPrepared, handler),
            )
        )
        self.log: list[str] = []
        self.gates: dict[int, asyncio.Event] = {}
        self.failures: dict[int, int] = {}
        self.dead: list[str] = []

    def gate(self, n: int) -> asyncio.Event:
        return self.gates.setdefault(n, asyncio.Event())

    async def process(self, body: bytes) -> str:
        n = json.loads(body)["n"]
        self.log.append(f"start {n}")
        await self.gate(n).wait()
        if self.failures.get(n, 0) > 0:
            self.failures[n] -= 1
            self.log.append(f"fail {n}")
            raise RuntimeError(f"cannot handle {n}")
        self.log.append(f"commit {n}")
        return "done"

    def retry_pause(self, attempt: int) -> float:
        return 0.0

    async def dead_letter(self, message: Any, reason: str, attempt: int) -> None:
        self.dead.append(f"{message.message_id}: {reason}")


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def deliver(
    consumer: ScriptedConsumer, n: int, subject: str | None, event_type: str = BY_SUBJECT
) -> tuple[FakeMessage, Any]:
    """As the broker client does: each delivery in its own task, in delivery order."""
    message = FakeMessage(n, subject, consumer.log, event_type)
    return message, asyncio.create_task(consumer.on_message(cast(Any, message)))


async def test_events_about_one_subject_wait_for_the_one_before() -> None:
    consumer = ScriptedConsumer()
    _, t1 = deliver(consumer, 1, "registration/a")
    _, t2 = deliver(consumer, 2, "registration/a")
    await settle()
    assert consumer.log == ["start 1"]
    consumer.gate(2).set()
    await settle()
    assert consumer.log == ["start 1"]  # released, but its turn has not come
    consumer.gate(1).set()
    await asyncio.gather(t1, t2)
    assert consumer.log == ["start 1", "commit 1", "ack 1", "start 2", "commit 2", "ack 2"]


async def test_events_about_different_subjects_are_handled_side_by_side() -> None:
    consumer = ScriptedConsumer()
    slow, t1 = deliver(consumer, 1, "registration/a")
    fast, t2 = deliver(consumer, 2, "registration/b")
    await settle()
    assert consumer.log == ["start 1", "start 2"]
    consumer.gate(2).set()
    await t2
    assert fast.acked
    assert not slow.acked
    consumer.gate(1).set()
    await t1
    assert slow.acked


async def test_a_message_is_acknowledged_only_once_its_transaction_committed() -> None:
    consumer = ScriptedConsumer()
    message, task = deliver(consumer, 1, "registration/a")
    await settle()
    assert consumer.log == ["start 1"]
    assert not message.acked
    consumer.gate(1).set()
    await task
    assert consumer.log == ["start 1", "commit 1", "ack 1"]


async def test_a_failing_message_is_retried_before_the_next_about_its_subject() -> None:
    consumer = ScriptedConsumer()
    consumer.failures[1] = 2
    consumer.gate(1).set()
    consumer.gate(2).set()
    _, t1 = deliver(consumer, 1, "registration/a")
    _, t2 = deliver(consumer, 2, "registration/a")
    await asyncio.gather(t1, t2)
    assert consumer.log == [
        "start 1",
        "fail 1",
        "start 1",
        "fail 1",
        "start 1",
        "commit 1",
        "ack 1",
        "start 2",
        "commit 2",
        "ack 2",
    ]


async def test_a_message_failing_past_the_budget_is_dead_lettered_and_its_lane_goes_on() -> None:
    consumer = ScriptedConsumer()
    consumer.delivery_limit = 3
    consumer.failures[1] = 99
    consumer.gate(1).set()
    consumer.gate(2).set()
    first, t1 = deliver(consumer, 1, "registration/a")
    _, t2 = deliver(consumer, 2, "registration/a")
    await asyncio.gather(t1, t2)
    assert consumer.log.count("fail 1") == 3
    assert consumer.dead == ["1: RuntimeError: cannot handle 1 (gave up after 3 attempts)"]
    assert first.acked
    assert consumer.log[-3:] == ["start 2", "commit 2", "ack 2"]


async def test_a_message_without_a_subject_is_handled_in_queue_order() -> None:
    consumer = ScriptedConsumer()
    _, t1 = deliver(consumer, 1, None)
    _, t2 = deliver(consumer, 2, "registration/a")
    await settle()
    assert consumer.log == ["start 1"]
    consumer.gate(2).set()
    consumer.gate(1).set()
    await asyncio.gather(t1, t2)
    assert consumer.log.index("ack 1") < consumer.log.index("start 2")


async def test_an_event_about_other_subjects_waits_for_all_before_it_and_holds_back_the_rest() -> (
    None
):
    consumer = ScriptedConsumer()
    _, t1 = deliver(consumer, 1, "registration/a")
    _, t2 = deliver(consumer, 2, "pesnet-demo", BARRIER)  # reads every registration
    _, t3 = deliver(consumer, 3, "registration/c")
    await settle()
    assert consumer.log == ["start 1"]
    consumer.gate(3).set()
    consumer.gate(2).set()
    await settle()
    assert consumer.log == ["start 1"]
    consumer.gate(1).set()
    await asyncio.gather(t1, t2, t3)
    assert consumer.log == [
        *("start 1", "commit 1", "ack 1"),
        *("start 2", "commit 2", "ack 2"),
        *("start 3", "commit 3", "ack 3"),
    ]


async def test_a_type_whose_handler_did_not_ask_for_lanes_is_handled_in_queue_order() -> None:
    consumer = ScriptedConsumer()
    _, t1 = deliver(consumer, 1, "pesnet-demo", BARRIER)
    _, t2 = deliver(consumer, 2, "pesnet-other", BARRIER)
    await settle()
    assert consumer.log == ["start 1"]
    consumer.gate(2).set()
    consumer.gate(1).set()
    await asyncio.gather(t1, t2)
    assert consumer.log.index("ack 1") < consumer.log.index("start 2")


async def test_deliveries_reaching_the_consumer_out_of_order_are_handled_in_delivery_order() -> (
    None
):
    consumer = ScriptedConsumer()
    channel = object()
    for n in (1, 2, 3):
        consumer.gate(n).set()
    # the client's tasks reach the consumer 3, 1, 2; the delivery tags say 1, 2, 3
    messages = {
        n: FakeMessage(n, "registration/a", consumer.log, channel=channel) for n in (1, 2, 3)
    }
    t3 = asyncio.create_task(consumer.on_message(cast(Any, messages[3])))
    await settle()
    assert consumer.log == []  # 1 and 2 have not come in yet
    t1 = asyncio.create_task(consumer.on_message(cast(Any, messages[1])))
    t2 = asyncio.create_task(consumer.on_message(cast(Any, messages[2])))
    await asyncio.gather(t1, t2, t3)
    assert [entry for entry in consumer.log if entry.startswith("start")] == [
        "start 1",
        "start 2",
        "start 3",
    ]


async def test_a_delivery_waits_only_so_long_for_an_earlier_one_that_never_comes() -> None:
    consumer = ScriptedConsumer()
    consumer.gap_seconds = 0.05
    channel = object()
    consumer.gate(2).set()
    # delivery 1 never reaches the consumer
    await consumer.on_message(
        cast(Any, FakeMessage(2, "registration/a", consumer.log, channel=channel))
    )
    assert consumer.log == ["start 2", "commit 2", "ack 2"]
