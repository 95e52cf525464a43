"""Inbox: one record per (consumer, event id), written in the same transaction as
the effect. A redelivered or duplicated event hits the unique index and has no
second effect; the record counts such duplicates (`duplicates`), which is how an
operator, or a test, sees that a duplicate arrived and was ignored."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from pesnet.shared.envelope import CloudEvent, utcnow
from pesnet.shared.mongo import Database, DbSession, IndexSpec

INBOX = "inbox"
INBOX_INDEXES = (IndexSpec(INBOX, [("consumer", 1), ("event_id", 1)], unique=True, name="once"),)


class AlreadyProcessed(Exception):
    """This consumer has already handled this event."""


class Inbox:
    def __init__(self, db: Database) -> None:
        self.collection = db[INBOX]

    async def record(self, session: DbSession, consumer: str, event: CloudEvent) -> None:
        try:
            await self.collection.insert_one(
                {
                    "consumer": consumer,
                    "event_id": event.id,
                    "type": event.type,
                    "correlation_id": event.correlationid,
                    "processed_at": utcnow(),
                },
                session=session,
            )
        except DuplicateKeyError as exc:
            raise AlreadyProcessed(event.id) from exc

    async def count_duplicate(self, consumer: str, event_id: str) -> None:
        await self.collection.update_one(
            {"consumer": consumer, "event_id": event_id},
            {"$inc": {"duplicates": 1}, "$set": {"last_duplicate_at": utcnow()}},
        )
