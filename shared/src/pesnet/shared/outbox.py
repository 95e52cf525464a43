"""Transactional outbox: an event is stored in the same MongoDB transaction as the
state change that caused it, and a relay publishes it afterwards.

- An entry written in a transaction that aborts never exists, so it is never sent.
- The relay marks an entry published only after the broker confirmed it. If the
  relay dies in between, the entry's lease runs out and it is published again
  (at-least-once; consumers' inboxes make the effect exactly-once).
- Several replicas may run relays: an entry is leased to one at a time.
- A change stream on the outbox wakes the relay at once; polling is the fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from pesnet.shared.catalog import EventCatalog, EventPayload
from pesnet.shared.envelope import CloudEvent, utcnow
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import Database, Document, IndexSpec, Session
from pymongo import ReturnDocument
from pymongo.errors import PyMongoError

OUTBOX = "outbox"
# Published entries are kept a week for troubleshooting, then expire.
OUTBOX_INDEXES = (
    IndexSpec(OUTBOX, [("published_at", 1), ("created_at", 1)], name="pending_in_order"),
    IndexSpec(
        OUTBOX,
        [("published_at_ttl", 1)],
        name="published_expiry",
        expire_after_seconds=7 * 24 * 3600,
    ),
)

log = get_logger(__name__)


class Outbox:
    """What a use case calls to emit events, inside its transaction."""

    def __init__(self, db: Database, catalog: EventCatalog, source: str) -> None:
        self.collection = db[OUTBOX]
        self.catalog = catalog
        self.source = source

    async def add(
        self,
        session: Session,
        payload: EventPayload,
        *,
        subject: str | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
    ) -> CloudEvent:
        event = self.catalog.envelope(
            payload,
            source=self.source,
            subject=subject,
            correlation_id=correlation_id,
            causation_id=causation_id,
        )
        await self.collection.insert_one(
            {
                "_id": event.id,
                "type": event.type,
                "body": event.to_json().decode(),
                "correlation_id": event.correlationid,
                "created_at": event.time,
                "published_at": None,
                "lease_until": None,
                "attempts": 0,
            },
            session=session,
        )
        return event


Publish = Callable[[Document], Awaitable[None]]


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        publish: Publish,
        *,
        poll_seconds: float = 2.0,
        lease_seconds: float = 30.0,
    ) -> None:
        self.collection = db[OUTBOX]
        self.publish = publish
        self.poll_seconds = poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.owner = uuid.uuid4().hex
        self._wake = asyncio.Event()

    async def claim(self) -> Document | None:
        now = utcnow()
        doc: Document | None = await self.collection.find_one_and_update(
            {
                "published_at": None,
                "$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}],
            },
            {
                "$set": {"lease_until": now + self.lease, "lease_owner": self.owner},
                "$inc": {"attempts": 1},
            },
            sort=[("created_at", 1)],
            return_document=ReturnDocument.AFTER,
        )
        return doc

    async def mark_published(self, doc: Document) -> None:
        now = utcnow()
        await self.collection.update_one(
            {"_id": doc["_id"]},
            {"$set": {"published_at": now, "published_at_ttl": now}, "$unset": {"lease_until": ""}},
        )

    async def release(self, doc: Document) -> None:
        await self.collection.update_one(
            {"_id": doc["_id"], "lease_owner": self.owner}, {"$set": {"lease_until": None}}
        )

    async def drain(self) -> int:
        """Publish every pending entry this relay can claim; returns how many it sent."""
        sent = 0
        while (doc := await self.claim()) is not None:
            try:
                await self.publish(doc)
            except Exception:
                log.exception("outbox publish failed", event_id=doc["_id"], event_type=doc["type"])
                await self.release(doc)
                raise
            await self.mark_published(doc)
            log.info(
                "event published",
                event_id=doc["_id"],
                event_type=doc["type"],
                correlation_id=doc.get("correlation_id"),
            )
            sent += 1
        return sent

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        watcher = asyncio.create_task(self._watch_inserts())
        backoff = self.poll_seconds
        try:
            while True:
                try:
                    await self.drain()
                    backoff = self.poll_seconds
                except Exception:
                    backoff = min(backoff * 2, 30.0)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=backoff)
                self._wake.clear()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _watch_inserts(self) -> None:
        """Wake the relay on each insert; if change streams are unavailable, polling does it."""
        while True:
            try:
                pipeline: list[dict[str, Any]] = [{"$match": {"operationType": "insert"}}]
                async with await self.collection.watch(pipeline) as stream:
                    async for _ in stream:
                        self._wake.set()
            except PyMongoError as exc:
                log.warning("outbox change stream unavailable, polling", error=str(exc))
                await asyncio.sleep(self.poll_seconds * 5)
