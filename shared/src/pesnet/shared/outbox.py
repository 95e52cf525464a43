"""Transactional outbox: an event is stored in the same MongoDB transaction as the
state change that caused it, and a relay publishes it afterwards.

- An entry written in a transaction that aborts never exists, so it is never sent.
- The relay marks an entry published only after the broker confirmed it. If the
  relay dies in between, the entry's lease runs out and it is published again
  (at-least-once; consumers' inboxes make the effect exactly-once).
- Several replicas may run relays: an entry is leased to one at a time.
- The relay of the process that wrote an entry is woken as soon as its transaction
  commits (`after_commit`), with no round trip to the database; a slow poll is the
  safety net (entries of a replica that died, a publish that failed).
- While a process runs its relay, the entries it writes are born leased to that relay
  (`Outbox.owner`): the relay finds them with one read and marks them with one update,
  without the conditional update a claim costs; another replica takes them only once
  that lease ran out, as with any claimed entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from pesnet.shared.audit import acting_actor_id
from pesnet.shared.catalog import EventCatalog, EventPayload
from pesnet.shared.envelope import CloudEvent, utcnow
from pesnet.shared.leasing import LEASE_OWNER, LeasedQueue
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import (
    Database,
    DbSession,
    Document,
    IndexSpec,
    WriteBatch,
    after_commit,
)
from pesnet.shared.tracing import context_of, started_span

OUTBOX = "outbox"
# Every entry has a `lease_until` (the epoch until a relay claims it), so that finding
# pending entries is one index range, with no `$or` that would scan the collection.
# Published entries are kept a week for troubleshooting, then expire.
OUTBOX_INDEXES = (
    IndexSpec(OUTBOX, [("published_at", 1), ("order", 1)], name="pending_by_order"),
    # a purge of a meeting's personal data deletes its published internal events
    IndexSpec(OUTBOX, [("meeting_id", 1), ("published_at", 1)], name="by_meeting"),
    IndexSpec(
        OUTBOX,
        [("published_at_ttl", 1)],
        name="published_expiry",
        expire_after_seconds=7 * 24 * 3600,
    ),
)
NOT_LEASED = datetime(1970, 1, 1, tzinfo=UTC)
_last_order = 0


def _lease_ended(entry: Document, now: datetime) -> bool:
    until = entry.get("lease_until") or NOT_LEASED
    return bool((until if until.tzinfo else until.replace(tzinfo=UTC)) <= now)


def next_order() -> int:
    """Nanoseconds since the epoch, strictly increasing within this process: events
    written by one use case (one transaction) are published in the order written,
    which millisecond timestamps and random ids cannot tell."""
    global _last_order
    _last_order = max(time.time_ns(), _last_order + 1)
    return _last_order


BATCH_SIZE = 100
# how many pending entries past a batch a relay's claim looks at (`OutboxRelay.claim`)
CLAIM_LOOKAHEAD = 64

log = get_logger(__name__)


class Outbox:
    """What a use case calls to emit events, inside its transaction."""

    def __init__(self, db: Database, catalog: EventCatalog, source: str) -> None:
        self.collection = db[OUTBOX]
        self.catalog = catalog
        self.source = source
        # called once a transaction that wrote entries has committed (the relay's wake-up)
        self.listeners: list[Callable[[], None]] = []
        # the running relay of this process, to which new entries are born leased
        # (`OutboxRelay.run` sets it): its lease token and length
        self.owner: tuple[str, timedelta] | None = None

    def _committed(self) -> None:
        for listener in self.listeners:
            listener()

    async def add(
        self,
        session: DbSession,
        payload: EventPayload,
        *,
        subject: str | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        actor_id: str | None = None,
    ) -> CloudEvent:
        batch = WriteBatch()
        event = self.stage(
            batch,
            payload,
            subject=subject,
            correlation_id=correlation_id,
            causation_id=causation_id,
            actor_id=actor_id,
        )
        await self.collection.insert_many([doc for _, doc in batch.inserts], session=session)
        return event

    def stage(
        self,
        batch: WriteBatch,
        payload: EventPayload,
        *,
        subject: str | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        actor_id: str | None = None,
    ) -> CloudEvent:
        """The entry, in the batch its transaction ends with (`WriteBatch`)."""
        # An event caused by an HTTP request carries that request's correlation id
        # (bound by the HTTP middleware), so one id follows the work across services,
        # and the id of the account that made the request (bound with its credentials).
        if correlation_id is None:
            correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
        if actor_id is None:
            actor_id = acting_actor_id()
        # the event carries the context of this span: its consumers continue the trace
        writing = started_span("outbox write", self.catalog.spec_for(payload).type)
        event = self.catalog.envelope(
            payload,
            source=self.source,
            subject=subject,
            correlation_id=correlation_id,
            causation_id=causation_id,
            actor_id=actor_id,
            trace_context=context_of(writing),
        )
        entry: Document = {
            "_id": event.id,
            "type": event.type,
            # who acted, kept beside the body: a public event's body does not say it
            "actor_id": actor_id,
            "body": event.to_json().decode(),
            "correlation_id": event.correlationid,
            "subject": event.subject,
            "created_at": event.time,
            "order": next_order(),
            "published_at": None,
            "lease_until": NOT_LEASED,
        }
        if self.owner is not None:
            # born leased to this process's relay: no claim needed to publish it
            token, lease = self.owner
            entry["lease_until"], entry[LEASE_OWNER] = utcnow() + lease, token
        meeting_id = getattr(payload, "meeting_id", None)
        if isinstance(meeting_id, str) and meeting_id:
            entry["meeting_id"] = meeting_id
        # written with the transaction's last writes (`WriteBatch`): the span ends here
        batch.insert(self.collection, entry)
        writing.end()
        after_commit(self._committed)
        return event

    async def forget_meeting(self, session: DbSession | None, meeting_id: str) -> int:
        """Delete the published internal events about a meeting (their bodies may name
        its participants). Public events name nobody and stay until they expire; events
        not yet published stay until they are (their consumers need them), then expire
        with the rest a week later."""
        result = await self.collection.delete_many(
            {
                "meeting_id": meeting_id,
                "published_at": {"$ne": None},
                "type": {"$nin": self.catalog.public_types()},
            },
            session=session,
        )
        return result.deleted_count


Publish = Callable[[Document], Awaitable[None]]


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        publish: Publish,
        *,
        poll_seconds: float = 2.0,
        lease_seconds: float = 30.0,
        outbox: Outbox | None = None,
    ) -> None:
        self.collection = db[OUTBOX]
        # the outbox whose entries are born leased to this relay while it runs
        self.outbox = outbox
        self.token = uuid.uuid4().hex
        self.publish = publish
        self.poll_seconds = poll_seconds
        # `lease_until` is the due field: NOT_LEASED (the epoch) until a relay claims it
        self.queue = LeasedQueue(
            self.collection,
            ready={"published_at": None},
            lease=timedelta(seconds=lease_seconds),
            due_field="lease_until",
            order=[("order", 1)],
        )
        self._wake = asyncio.Event()

    async def claim(self, limit: int = BATCH_SIZE) -> list[Document]:
        """Lease up to `limit` pending entries, oldest first, to this relay: those born
        leased to it (`Outbox.owner`) and those no live relay holds, in one order (an
        entry released after a failed publish still goes before a newer one). One read
        when every one is its own already; else a conditional update leases the rest
        (of several relays racing for an entry, one wins) and, after a lost race, the
        entries it won are read again."""
        now = utcnow()
        mine = {LEASE_OWNER: self.token}
        free = {"lease_until": {"$lte": now}}
        # the pending entries in order through their index, the ones this relay may take
        # picked here: with the lease condition in the query (an `$or`) the embedded
        # server scanned the whole outbox, published entries and all (80 ms at 6,000;
        # issue "Half the cost of a registration"). Entries another live relay holds are
        # being published by it; a window wider than `limit` looks past a few of them.
        found = [
            doc
            for doc in await self.pending(limit + CLAIM_LOOKAHEAD).to_list()
            if doc.get(LEASE_OWNER) == self.token or _lease_ended(doc, now)
        ][:limit]
        others = [doc["_id"] for doc in found if doc.get(LEASE_OWNER) != self.token]
        if not others:
            return found
        lease = {"lease_until": now + self.queue.lease, **mine}
        result = await self.collection.update_many(
            {"_id": {"$in": others}, "published_at": None, **free}, {"$set": lease}
        )
        if result.modified_count == len(others):
            for doc in found:
                doc.update(lease)
            return found
        won = self.collection.find({"_id": {"$in": [d["_id"] for d in found]}, **mine})
        return await won.sort([("order", 1)]).to_list()

    def pending(self, limit: int) -> Any:
        """The first `limit` entries not yet published, in order (a cursor)."""
        return self.collection.find({"published_at": None}).sort([("order", 1)]).limit(limit)

    async def mark_published(self, docs: list[Document]) -> None:
        now = utcnow()
        await self.queue.finish_many(docs, {"$set": {"published_at": now, "published_at_ttl": now}})

    async def release(self, docs: list[Document]) -> None:
        await self.queue.release(docs, due=NOT_LEASED)

    async def drain(self) -> int:
        """Publish every pending entry this relay can claim; returns how many it sent.

        One at a time, each confirmed by the broker before the next: events of one use
        case reach consumers in the order they were written (publishing a batch
        concurrently was measured to reorder it). What was confirmed is marked; the
        rest of a failed batch is released for the next attempt. A batch shorter than
        the limit ends the drain without another look: the outbox held no more, and an
        entry this process commits afterwards wakes the relay again."""
        sent = 0
        while batch := await self.claim():
            published: list[Document] = []
            try:
                for doc in batch:
                    await self.publish(doc)
                    published.append(doc)
            except Exception as exc:
                failed = batch[len(published)]
                log.error(
                    "outbox publish failed",
                    event_id=failed["_id"],
                    event_type=failed["type"],
                    error=f"{type(exc).__name__}: {exc}",
                )
                raise
            finally:
                await self.mark_published(published)
                await self.release(batch[len(published) :])
            sent += len(published)
            log.debug("outbox batch published", published=len(published))
            if len(batch) < BATCH_SIZE:
                break
        return sent

    def wake(self) -> None:
        """Drain now (an entry was committed in this process)."""
        self._wake.set()

    async def run(self) -> None:
        if self.outbox is not None:
            self.outbox.owner = (self.token, self.queue.lease)
        try:
            await self._run()
        finally:
            if self.outbox is not None:
                self.outbox.owner = None

    async def _run(self) -> None:
        backoff = self.poll_seconds
        while True:
            # cleared before the drain: an entry committed while it runs wakes the next
            self._wake.clear()
            try:
                await self.drain()
                backoff = self.poll_seconds
            except Exception:
                backoff = min(backoff * 2, 30.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=backoff)
