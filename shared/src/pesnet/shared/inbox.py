"""Inbox: one record per (consumer, event id), written in the same transaction as
the effect. A redelivered or duplicated event hits the unique index and has no
second effect; the record counts such duplicates (`duplicates`), which is how an
operator, or a test, sees that a duplicate arrived and was ignored."""

from __future__ import annotations

from pymongo.errors import ConnectionFailure, DuplicateKeyError

from pesnet.shared.envelope import CloudEvent, utcnow
from pesnet.shared.mongo import Client, Database, DbSession, Document, IndexSpec, WriteBatch

INBOX = "inbox"
INBOX_INDEXES = (IndexSpec(INBOX, [("consumer", 1), ("event_id", 1)], unique=True, name="once"),)


class AlreadyProcessed(Exception):
    """This consumer has already handled this event."""


class Inbox:
    def __init__(self, db: Database) -> None:
        self.collection = db[INBOX]

    @staticmethod
    def entry(consumer: str, event: CloudEvent) -> Document:
        return {
            "consumer": consumer,
            "event_id": event.id,
            "type": event.type,
            "correlation_id": event.correlationid,
            "processed_at": utcnow(),
        }

    async def record(self, session: DbSession, consumer: str, event: CloudEvent) -> None:
        try:
            await self.collection.insert_one(self.entry(consumer, event), session=session)
        except DuplicateKeyError as exc:
            raise AlreadyProcessed(event.id) from exc

    def stage(self, batch: WriteBatch, consumer: str, event: CloudEvent) -> WriteBatch:
        """The record as the first write of the batch the transaction ends with (one
        round trip with the outbox and audit entries); a duplicate then fails the batch
        (`is_duplicate`) and the transaction rolls back whatever the effect wrote."""
        batch.insert(self.collection, self.entry(consumer, event))
        return batch

    async def flush(
        self, batch: WriteBatch, client: Client, session: DbSession, event_id: str
    ) -> None:
        """Send a batch this inbox's record heads; `AlreadyProcessed` if it was there."""
        try:
            await batch.flush(client, session)
        except DuplicateKeyError as exc:
            if (exc.details or {}).get("namespace") == self.collection.full_name:
                raise AlreadyProcessed(event_id) from exc
            raise

    async def was_duplicate(self, exc: Exception, consumer: str, event_id: str) -> bool:
        """Whether a failed attempt to handle an event failed because it was handled
        already: its record stopped the batch, or (read now) its effect failed before
        the record was reached, as a duplicate's may where the state it changes has
        moved on. A database that is unreachable says nothing."""
        if isinstance(exc, AlreadyProcessed):
            return True
        if isinstance(exc, ConnectionFailure):
            return False
        found = await self.collection.find_one(
            {"consumer": consumer, "event_id": event_id}, projection={"_id": 1}
        )
        return found is not None

    async def count_duplicate(self, consumer: str, event_id: str) -> None:
        await self.collection.update_one(
            {"consumer": consumer, "event_id": event_id},
            {"$inc": {"duplicates": 1}, "$set": {"last_duplicate_at": utcnow()}},
        )
