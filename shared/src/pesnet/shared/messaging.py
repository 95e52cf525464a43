"""Publishing to and consuming from the bus.

`EventPublisher` sends a stored outbox entry: persistent, waiting for the publisher
confirm, with the event's subject in a header. `EventConsumer` is a service's one queue:
it parses the CloudEvent, looks the type up in the catalog, and runs the use case the
service's subscription table (`Subscriptions`, payload class → use case) names for it
and the inbox record in one transaction; the message is acknowledged only once that
transaction has committed (or it is dead-lettered).

Several messages are handled at once (up to `PESNET_PREFETCH` per replica) where a row
of the table says it may be (`on(..., by_subject=True)`: its use case reads and writes
only what events about the same subject touch): in lanes keyed by the event's subject,
one subject's events one after the other in the order the queue delivered them,
different subjects' side by side, and the transactions of those that are handled at the
same time commit as one (`pesnet.shared.group_commit`: under a burst, one batch of writes
and one commit for up to 16 messages). Every other message (a handler that reads what other
subjects' events wrote, such as a programme release reading a meeting's participants; or
an event without a subject) is a barrier: it waits for everything delivered before it,
and everything after it waits for it, as with one message at a time.

What happens to a message that fails:

- it can never succeed (not JSON, unknown type, payload missing fields, a use case
  raising `Unprocessable` or an error its table names `unprocessable`): dead-lettered
  at once, with the reason in headers;
- the database is unreachable: held and retried in place until it is back (it is
  not the message's fault, so it does not spend the message's retry budget);
- anything else: retried in place, in its lane (so nothing about the same subject
  overtakes it), and dead-lettered with the last error once the consumer's retry
  budget (`PESNET_DELIVERY_LIMIT`, counting earlier deliveries) is spent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from opentelemetry.trace import SpanKind
from pymongo.errors import ConnectionFailure

from pesnet.shared.catalog import EventCatalog, InvalidEvent
from pesnet.shared.envelope import CONTENT_TYPE, CloudEvent, utcnow
from pesnet.shared.group_commit import GroupCommit
from pesnet.shared.inbox import Inbox
from pesnet.shared.logging import bind_event, get_logger
from pesnet.shared.metrics import Metrics
from pesnet.shared.mongo import Client, DbSession, Document
from pesnet.shared.subscriptions import Subscription, Subscriptions, Unprocessable, Wanted, on
from pesnet.shared.topology import DEAD_LETTER_EXCHANGE, dead_letter_exchange, events_exchange
from pesnet.shared.tracing import continued, trace_context_of
from pesnet.shared.unit_of_work import MongoUnitOfWork

log = get_logger(__name__)

REASON_HEADER = "x-pesnet-dead-letter-reason"
# the CloudEvent's subject, so that a consumer can pick the message's lane unparsed
SUBJECT_HEADER = "x-pesnet-subject"


class EventPublisher:
    def __init__(self, broker: RabbitBroker, metrics: Metrics | None = None) -> None:
        self.broker = broker
        self.exchange = events_exchange()
        self.metrics = metrics or Metrics("publisher")

    async def publish_outbox_entry(self, entry: Document) -> None:
        """The relay's publish, a span in the trace of the use case that wrote the event."""
        body: str = entry["body"]
        with continued(
            trace_context_of(body), f"publish {entry['type']}", kind=SpanKind.PRODUCER
        ) as publishing:
            publishing.set_attribute("cloudevents.event_id", entry["_id"])
            try:
                await self.publish_raw(
                    body.encode(),
                    entry["type"],
                    entry["_id"],
                    entry.get("correlation_id"),
                    subject=entry.get("subject"),
                )
            except Exception:
                self.metrics.outbox_publish_failures.inc()
                raise
        self.metrics.outbox_published.labels(entry["type"]).inc()

    async def publish(self, event: CloudEvent) -> None:
        await self.publish_raw(
            event.to_json(), event.type, event.id, event.correlationid, subject=event.subject
        )

    async def publish_raw(
        self,
        body: bytes,
        event_type: str,
        event_id: str,
        correlation_id: str | None,
        *,
        subject: str | None = None,
    ) -> None:
        # persist=True: FastStream's default is a transient message. The channel has
        # publisher confirms on, so this returns once RabbitMQ has the message.
        await self.broker.publish(
            body,
            exchange=self.exchange,
            routing_key=event_type,
            persist=True,
            mandatory=True,
            message_id=event_id,
            correlation_id=correlation_id,
            message_type=event_type,
            content_type=CONTENT_TYPE,
            timestamp=utcnow(),
            headers={SUBJECT_HEADER: subject} if subject else None,
        )


UnitOfWorkFactory = Callable[[], MongoUnitOfWork]


@dataclass(frozen=True)
class _Place:
    """A delivery's place: its lane (None: a barrier), its turn (done once it is
    handled), and the turns it waits for."""

    lane: str | None
    turn: asyncio.Future[None]
    ahead: set[asyncio.Future[None]]


@dataclass(frozen=True)
class _Registration:
    """An event type's place in a subscription table."""

    table: Subscriptions
    by_subject: bool
    wanted: Wanted | None = None


class EventConsumer:
    def __init__(
        self,
        name: str,
        catalog: EventCatalog,
        client: Client,
        inbox: Inbox,
        broker: RabbitBroker,
        *,
        delivery_limit: int = 5,
        unit_of_work: UnitOfWorkFactory | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.name = name
        self.metrics = metrics or Metrics(name)
        self.catalog = catalog
        self.client = client
        self.inbox = inbox
        self.broker = broker
        self.delivery_limit = delivery_limit
        self.unit_of_work = unit_of_work
        # the transactions of messages handled side by side commit together
        self.transactions = GroupCommit(
            client, grouped=self.metrics.transaction_group.labels(name).observe
        )
        self.handlers: dict[str, _Registration] = {}
        # per subject, the turn of the last message that entered its lane; the last
        # barrier still running; every message delivered and not yet done
        self._lanes: dict[str, asyncio.Future[None]] = {}
        self._barrier: asyncio.Future[None] | None = None
        self._running: set[asyncio.Future[None]] = set()
        # delivery order: the channel the deliveries come on, the next delivery tag to
        # admit, and the deliveries that entered ahead of an earlier one
        self._channel: object | None = None
        self._next_tag = 1
        self._early: dict[int, tuple[RabbitMessage, asyncio.Future[_Place]]] = {}
        # how long a delivery waits for an earlier one that never enters (cannot happen
        # unless the client library lost it) before it goes ahead anyway
        self.gap_seconds = 2.0
        self.gaps = 0  # deliveries passed over that way (none is expected)

    def subscribe(self, table: Subscriptions | Subscription) -> None:
        """Take a service's subscription table (or one row of it): each row's use case
        runs in the inbox transaction with a unit of work joined to it (`uow.cause` is
        the event), the inbox record, the effect and any follow-up events committing
        as one."""
        if isinstance(table, Subscription):
            table = Subscriptions(table)
        for row in table.rows:
            for payload in row.payloads:
                self._add(
                    self.catalog.type_of(payload), _Registration(table, row.by_subject, row.wanted)
                )

    def _add(self, event_type: str, registration: _Registration) -> None:
        if event_type in self.handlers:
            raise ValueError(f"{self.name}: two handlers for {event_type}")
        self.handlers[event_type] = registration

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    async def process(self, body: bytes) -> str:
        """Handle one message body: 'done' or 'duplicate' (`Inbox.stage`; an event its
        row's `wanted` says nothing wants: 'unwanted', no write at all). Raises
        `InvalidEvent`/`Unprocessable` for a message that can never succeed."""
        event, payload = self.catalog.parse(body)
        registration = self.handlers.get(event.type)
        if registration is None:
            raise InvalidEvent(f"consumer {self.name} has no handler for {event.type}")
        with (
            bind_event(event.id, event.type, event.correlationid),
            continued(
                event.model_dump(include={"traceparent", "tracestate"}),
                f"{self.name} process {event.type}",
                kind=SpanKind.CONSUMER,
                attributes={"cloudevents.event_id": event.id, "messaging.consumer": self.name},
            ),
        ):
            if not await self._wanted(registration, event):
                # no effect, so nothing to keep once: a redelivery is looked at again
                log.info("event handled: wanted by no one", consumer=self.name)
                return "unwanted"

            async def work(session: DbSession) -> None:
                if self.unit_of_work is None:
                    raise RuntimeError(f"consumer {self.name} has no unit of work")
                self.inbox.stage(session, self.name, event)
                uow = self.unit_of_work().joined(session, event)
                await uow.run(lambda joined: registration.table.handle(payload, joined, event))

            try:
                await self.transactions.run(work)
            except Exception as exc:
                if not await self.inbox.was_duplicate(exc, self.name, event.id):
                    raise
                await self.inbox.count_duplicate(self.name, event.id)
                log.info("duplicate event ignored", consumer=self.name)
                return "duplicate"
            log.info("event handled", consumer=self.name)
            return "done"

    async def _wanted(self, registration: _Registration, event: CloudEvent) -> bool:
        """Whether the event is worth its transaction: its row's `wanted` look, on a
        unit of work of its own outside the transaction (no such look: it always is)."""
        if registration.wanted is None or self.unit_of_work is None:
            return True
        return await registration.wanted(event, self.unit_of_work())

    async def on_message(self, message: RabbitMessage, rejected: Exception | None = None) -> None:
        """The FastStream subscriber body (manual acknowledgement). Each delivery runs in
        its own task, and the tasks may reach this point out of delivery order; the
        delivery tag (the consumer has a channel of its own) restores it: a delivery is
        admitted once every earlier one was, and takes its place then, in its subject's
        lane behind the one before it (and behind the last barrier), or as a barrier
        behind everything before it. `rejected`: a message found unreadable before it
        reached here, dead-lettered in its turn."""
        self.metrics.in_flight.labels(self.name).inc()
        place = await self._admitted(message)
        try:
            waited = time.perf_counter()
            if place.ahead:
                await asyncio.wait(place.ahead)  # never cancels the messages ahead
            started = time.perf_counter()
            self.metrics.lane_wait.labels(self.name).observe(started - waited)
            outcome = await self._handle(message, rejected)
            event_type = str(getattr(message.raw_message, "type", None) or "unknown")
            self.metrics.handled(self.name, event_type, outcome, time.perf_counter() - started)
        finally:
            self.metrics.in_flight.labels(self.name).dec()
            turn = place.turn
            if not turn.done():
                turn.set_result(None)
            self._running.discard(turn)
            if place.lane is not None and self._lanes.get(place.lane) is turn:
                del self._lanes[place.lane]
            if self._barrier is turn:
                self._barrier = None

    async def _admitted(self, message: RabbitMessage) -> _Place:
        raw = getattr(message, "raw_message", None)
        tag = getattr(raw, "delivery_tag", None)
        if not isinstance(tag, int):
            return self._place(message)
        channel = getattr(raw, "channel", None)
        if channel is not self._channel:
            # a new channel (start, reconnection) numbers its deliveries from 1; what is
            # left of the old one goes first (it can no longer be acknowledged anyway)
            self._admit(everything=True)
            self._channel, self._next_tag = channel, 1
        placed: asyncio.Future[_Place] = asyncio.get_running_loop().create_future()
        self._early[tag] = (message, placed)
        self._admit()
        if not placed.done():
            asyncio.get_running_loop().call_later(self.gap_seconds, self._stalled, channel, tag)
        return await placed

    def _stalled(self, channel: object, tag: int) -> None:
        """A delivery still waits for an earlier one after `gap_seconds`: go past the gap."""
        if channel is self._channel and tag in self._early:
            self._admit(everything=True)

    def _admit(self, everything: bool = False) -> None:
        """Place the deliveries that are next in delivery order (`everything`: all that
        entered, in tag order, past any gap)."""
        if everything and self._early:
            missing = min(self._early) - self._next_tag
            if missing > 0:
                self.gaps += missing
                self.metrics.delivery_gaps.labels(self.name).inc(missing)
                log.warning(
                    "deliveries never reached the consumer", consumer=self.name, missing=missing
                )
            self._next_tag = min(self._early)
        while self._next_tag in self._early or (everything and self._early):
            tag = self._next_tag if self._next_tag in self._early else min(self._early)
            message, placed = self._early.pop(tag)
            self._next_tag = tag + 1
            if not placed.done():
                placed.set_result(self._place(message))

    def _place(self, message: RabbitMessage) -> _Place:
        lane = self._lane_of(message)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if lane is None:
            ahead = set(self._running)
            self._barrier = turn
        else:
            ahead = {f for f in (self._lanes.get(lane), self._barrier) if f is not None}
            self._lanes[lane] = turn
        self._running.add(turn)
        return _Place(lane, turn, ahead)

    def _lane_of(self, message: RabbitMessage) -> str | None:
        """The subject whose lane the message takes; None: it is a barrier."""
        raw = getattr(message, "raw_message", None)
        registration = self.handlers.get(str(getattr(raw, "type", None) or ""))
        if registration is None or not registration.by_subject:
            return None
        return _subject_of(message.headers)

    async def _handle(self, message: RabbitMessage, rejected: Exception | None = None) -> str:
        """Handle, retry or dead-letter; the outcome: 'done', 'duplicate', 'unwanted',
        'dead-lettered'."""
        body: bytes = message.body
        attempt = _delivery_count(message.headers) + 1
        if rejected is not None:
            await self.dead_letter(message, f"{type(rejected).__name__}: {rejected}", attempt)
            await message.ack()
            return "dead-lettered"
        while True:
            try:
                outcome = await self._process_while_database_unavailable(body, message.message_id)
            except (InvalidEvent, Unprocessable) as exc:
                await self.dead_letter(message, f"{type(exc).__name__}: {exc}", attempt)
                await message.ack()
                return "dead-lettered"
            except Exception as exc:
                if attempt >= self.delivery_limit:
                    await self.dead_letter(
                        message,
                        f"{type(exc).__name__}: {exc} (gave up after {attempt} attempts)",
                        attempt,
                    )
                    await message.ack()
                    return "dead-lettered"
                self.metrics.messages_retried.labels(self.name, str(message.raw_message.type)).inc()
                log.warning(
                    "handler failed, will retry",
                    consumer=self.name,
                    attempt=attempt,
                    error=f"{type(exc).__name__}: {exc}",
                    message_id=message.message_id,
                )
                # a short pause so that a failing dependency is not hammered; the message
                # stays unacknowledged (a process that dies meanwhile loses nothing)
                await asyncio.sleep(self.retry_pause(attempt))
                attempt += 1
            else:
                await message.ack()
                return outcome

    def retry_pause(self, attempt: int) -> float:
        """Seconds before retrying a message whose `attempt` failed."""
        return min(0.2 * 2.0**attempt, 5.0)

    async def _process_while_database_unavailable(self, body: bytes, message_id: str | None) -> str:
        """An unreachable database is not the message's fault: keep the message (unacked,
        so a dying process loses nothing) and retry in place until the database is back,
        instead of spending its retry budget and dead-lettering it."""
        pause = 0.5
        while True:
            try:
                return await self.process(body)
            except ConnectionFailure as exc:
                log.warning(
                    "database unavailable, holding the message",
                    consumer=self.name,
                    message_id=message_id,
                    error=f"{type(exc).__name__}: {exc}",
                    retry_in=pause,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)

    async def dead_letter(self, message: RabbitMessage, reason: str, attempt: int) -> None:
        log.error(
            "message dead-lettered",
            consumer=self.name,
            reason=reason,
            message_id=message.message_id,
            attempts=attempt,
        )
        headers = dict(message.headers or {})
        headers.update(
            {
                REASON_HEADER: reason[:2000],
                "x-pesnet-consumer": self.name,
                "x-pesnet-attempts": attempt,
                "x-pesnet-failed-at": utcnow().isoformat(),
            }
        )
        raw = message.raw_message
        await self.broker.publish(
            message.body,
            exchange=dead_letter_exchange(),
            routing_key=self.name,
            persist=True,
            headers=headers,
            message_id=message.message_id or None,
            correlation_id=message.correlation_id or None,
            content_type=raw.content_type,
            message_type=raw.type,
        )


def _subject_of(headers: dict[str, Any] | None) -> str | None:
    subject = (headers or {}).get(SUBJECT_HEADER)
    return subject if isinstance(subject, str) and subject else None


def _delivery_count(headers: dict[str, Any] | None) -> int:
    """Quorum queues count earlier deliveries in `x-delivery-count`."""
    try:
        return int((headers or {}).get("x-delivery-count", 0))
    except (TypeError, ValueError):
        return 0


__all__ = [
    "DEAD_LETTER_EXCHANGE",
    "REASON_HEADER",
    "SUBJECT_HEADER",
    "EventConsumer",
    "EventPublisher",
    "Subscription",
    "Subscriptions",
    "Unprocessable",
    "on",
]
