"""Inbox: one record per (consumer, event id), written in the same transaction as
the effect. A redelivered or duplicated event hits the unique index and has no
second effect; the record counts such duplicates (`duplicates`), which is how an
operator, or a test, sees that a duplicate arrived and was ignored."""

from __future__ import annotations

from pymongo.errors import ConnectionFailure, DuplicateKeyError

from pesnet.shared.envelope import CloudEvent, utcnow
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec, deferred

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

    async def record(self, session: DbSession | None, consumer: str, event: CloudEvent) -> None:
        try:
            await self.collection.insert_one(self.entry(consumer, event), session=session)
        except DuplicateKeyError as exc:
            raise AlreadyProcessed(event.id) from exc

    def stage(self, session: DbSession, consumer: str, event: CloudEvent) -> None:
        """The record as the first of the writes the transaction ends with (`deferred`:
        one round trip with the effect's and its outbox and audit entries); a duplicate
        then fails the batch on it (`was_duplicate`) and the transaction rolls back what
        the effect wrote."""
        batch = deferred(session)
        if batch is None:
            raise RuntimeError("the inbox record is staged in a transaction in_transaction runs")
        batch.insert(self.collection, self.entry(consumer, event))

    async def was_duplicate(self, exc: Exception, consumer: str, event_id: str) -> bool:
        """Whether a failed attempt to handle an event failed because it was handled
        already: its record stopped the batch, or (read now) its effect failed before
        the record was reached, as a duplicate's may where the state it changes has
        moved on. A database that is unreachable says nothing."""
        if isinstance(exc, AlreadyProcessed):
            return True
        if isinstance(exc, DuplicateKeyError):
            namespace = (exc.details or {}).get("namespace")
            if namespace == self.collection.full_name:
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
