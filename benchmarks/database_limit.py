"""M0: what the database alone allows for the writes of one registration.

After L3 the platform's own databases hold the documents that a registration wrote on its
way to a mail. M0 takes one of each (`templates`) and writes them again, with fresh ids,
in the same grouping as the path: raw PyMongo, the same write concern (majority,
journaled), the same indexes (copied from the platform's collections), no framework.
Per registration:

  registration  upsert of the delegation's counters (before the transaction)
                transaction: the registration, the counters, two outbox entries
                (ParticipantRegistered, DelegationUpdated), the audit entry
                the relay marks both entries published
  agenda        transaction: inbox record, the participant
  notifications transaction: inbox record, participation, recipient, the delivery
                transaction: the delivery sent, the DeliverySent outbox entry
                the relay marks it published

4 transactions and 16 writes (the webhooks consumer writes nothing for an event that no
partner wants). Reads, leases and claims are not in it: they are what the
framework adds, and the path is measured against the writes it cannot do without.

The smallest-writes floor (`smallest_writes`) goes further: only what a registration
cannot do without, at the same concurrency: the registration with its outbox entry in one
transaction, the mail's delivery with its inbox record in another, and the sent mark.
2 transactions and 5 writes."""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient, WriteConcern
from pymongo.asynchronous.client_session import AsyncClientSession

from pesnet.registration.domain.badges import new_short_code

Document = dict[str, Any]
DURABLE = WriteConcern(w="majority", j=True)
PREFIX = "bench_m0_"
# messages the broker carries per registration on the path (L0 is divided by it):
# ParticipantRegistered, DelegationUpdated, DeliverySent published; the first consumed
# by notifications and agenda, the second by notifications' webhooks consumer
MESSAGES_PER_REGISTRATION = 3 + 3
BENCH_ADDRESS = {"$regex": "^bench\\."}

# (database, collection, filter): one document of each kind a registration wrote
SOURCES: dict[str, tuple[str, str, Document]] = {
    "registration": ("pesnet_registration", "registrations", {"email": BENCH_ADDRESS}),
    "delegation": ("pesnet_registration", "delegations", {"meeting_id": "pesnet-demo"}),
    "registered": (
        "pesnet_registration",
        "outbox",
        {"type": "registration.participant.registered", "body": {"$regex": "bench\\."}},
    ),
    "delegation_updated": (
        "pesnet_registration",
        "outbox",
        {"type": "registration.delegation.updated"},
    ),
    "audit": ("pesnet_registration", "audit", {"action": "participant.registered"}),
    "agenda_inbox": ("pesnet_agenda", "inbox", {"type": "registration.participant.registered"}),
    "participant": ("pesnet_agenda", "participants", {"email": BENCH_ADDRESS}),
    "inbox": (
        "pesnet_notifications",
        "inbox",
        {"type": "registration.participant.registered"},
    ),
    "participation": ("pesnet_notifications", "participations", {"email": BENCH_ADDRESS}),
    "recipient": ("pesnet_notifications", "recipients", {"_id": BENCH_ADDRESS}),
    "delivery": (
        "pesnet_notifications",
        "deliveries",
        {"recipient": BENCH_ADDRESS, "status": "sent"},
    ),
    "sent": ("pesnet_notifications", "outbox", {"type": "notifications.delivery.sent"}),
}


@dataclass
class Templates:
    documents: dict[str, Document]


async def templates(mongo_url: str) -> Templates:
    """One real document of each kind, and the platform's indexes on M0's databases."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        found: dict[str, Document] = {}
        for name, (db, collection, query) in SOURCES.items():
            doc = await client[db][collection].find_one(query)
            if doc is None:
                raise RuntimeError(f"M0: no {name} document in {db}.{collection}")
            found[name] = doc
        copied: set[tuple[str, str]] = set()
        for db, collection, _ in SOURCES.values():
            if (db, collection) in copied:
                continue
            copied.add((db, collection))
            target = client[PREFIX + db][collection]
            await target.drop()
            async for index in await client[db][collection].list_indexes():
                if index["name"] == "_id_":
                    continue
                options = {
                    k: v for k, v in index.items() if k not in ("v", "key", "ns", "background")
                }
                await target.create_index(list(index["key"].items()), **options)
        return Templates(found)
    finally:
        await client.close()


def fresh(doc: Document, **changes: Any) -> Document:
    new = copy.deepcopy(doc)
    new.update(changes)
    return new


def fresh_registration(t: dict[str, Document], reg_id: str, email: str) -> Document:
    """A registration as the template, of another person (its short code is unique in
    its meeting, as registration draws it)."""
    return fresh(
        t["registration"], _id=reg_id, email=email, email_key=email, short_code=new_short_code()
    )


class Writer:
    def __init__(self, client: AsyncMongoClient[Document], t: Templates) -> None:
        self.t = t.documents
        self.client = client
        self.transactions = 0

    def collection(self, name: str) -> Any:
        db, collection, _ = SOURCES[name]
        return self.client[PREFIX + db][collection]

    async def transaction(self, writes: list[tuple[str, str, Document, Document | None]]) -> None:
        """(kind, source name, filter or document, update) writes in one transaction."""

        async def work(session: AsyncClientSession) -> None:
            for kind, name, doc, update in writes:
                target = self.collection(name)
                if kind == "insert":
                    await target.insert_one(doc, session=session)
                elif kind == "replace":
                    await target.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)
                else:
                    assert update is not None
                    await target.update_one(doc, update, upsert=True, session=session)

        async with self.client.start_session() as session:
            await session.with_transaction(work, write_concern=DURABLE)
        self.transactions += 1

    async def registration(self, n: int, tag: str) -> None:
        t = self.t
        reg_id = uuid.uuid4().hex
        email = f"m0.{tag}.{n}@example.org"
        delegation_id = f"m0|{tag}|{n % 57}"
        delegation = fresh(t["delegation"], _id=delegation_id)
        delegation_fields = {k: v for k, v in delegation.items() if k != "_id"}
        registered = fresh(t["registered"], _id=str(uuid.uuid4()))
        updated = fresh(t["delegation_updated"], _id=str(uuid.uuid4()))
        # registration service
        await self.collection("delegation").update_one(
            {"_id": delegation_id}, {"$setOnInsert": delegation_fields}, upsert=True
        )
        await self.transaction(
            [
                (
                    "insert",
                    "registration",
                    fresh_registration(t, reg_id, email),
                    None,
                ),
                ("replace", "delegation", delegation, None),
                ("insert", "registered", registered, None),
                ("insert", "delegation_updated", updated, None),
                ("insert", "audit", fresh(t["audit"], _id=uuid.uuid4().hex, subject=reg_id), None),
            ]
        )
        now = t["sent"]["created_at"]
        await self.collection("registered").update_many(
            {"_id": {"$in": [registered["_id"], updated["_id"]]}},
            {"$set": {"published_at": now, "published_at_ttl": now}},
        )
        # agenda
        await self.transaction(
            [
                (
                    "insert",
                    "agenda_inbox",
                    fresh(t["agenda_inbox"], _id=uuid.uuid4().hex, event_id=registered["_id"]),
                    None,
                ),
                ("replace", "participant", fresh(t["participant"], _id=reg_id, email=email), None),
            ]
        )
        # notifications
        delivery_id = str(uuid.uuid4())
        await self.transaction(
            [
                (
                    "insert",
                    "inbox",
                    fresh(t["inbox"], _id=uuid.uuid4().hex, event_id=registered["_id"]),
                    None,
                ),
                (
                    "replace",
                    "participation",
                    fresh(t["participation"], _id=reg_id, email=email),
                    None,
                ),
                ("replace", "recipient", fresh(t["recipient"], _id=email, email=email), None),
                (
                    "update",
                    "delivery",
                    {"event_id": registered["_id"], "recipient": email, "channel": "email"},
                    {
                        "$setOnInsert": fresh(
                            t["delivery"],
                            _id=delivery_id,
                            status="pending",
                            recipient=email,
                            address=email,
                            event_id=registered["_id"],
                        )
                    },
                ),
            ]
        )
        sent = fresh(t["sent"], _id=str(uuid.uuid4()))
        await self.transaction(
            [
                (
                    "update",
                    "delivery",
                    {"_id": delivery_id},
                    {
                        "$set": {
                            k: t["delivery"].get(k)
                            for k in ("status", "sent_at", "message_id", "attempts", "expires_at")
                        }
                    },
                ),
                ("insert", "sent", sent, None),
            ]
        )
        await self.collection("sent").update_one(
            {"_id": sent["_id"]}, {"$set": {"published_at": now, "published_at_ttl": now}}
        )


class SmallestWriter(Writer):
    async def registration(self, n: int, tag: str) -> None:
        t = self.t
        reg_id = uuid.uuid4().hex
        email = f"floor.{tag}.{n}@example.org"
        registered = fresh(t["registered"], _id=str(uuid.uuid4()))
        await self.transaction(
            [
                (
                    "insert",
                    "registration",
                    fresh_registration(t, reg_id, email),
                    None,
                ),
                ("insert", "registered", registered, None),
            ]
        )
        delivery_id = str(uuid.uuid4())
        delivery = fresh(
            t["delivery"],
            _id=delivery_id,
            status="pending",
            recipient=email,
            address=email,
            event_id=registered["_id"],
        )
        inbox = fresh(t["inbox"], _id=uuid.uuid4().hex, event_id=registered["_id"])
        await self.transaction(
            [("insert", "delivery", delivery, None), ("insert", "inbox", inbox, None)]
        )
        await self.collection("delivery").update_one(
            {"_id": delivery_id},
            {"$set": {k: t["delivery"].get(k) for k in ("status", "sent_at", "message_id")}},
        )


async def smallest_writes(
    mongo_url: str,
    found: Templates,
    registrations: int,
    concurrency: int = 16,
    cpu: Callable[[], float | None] = lambda: None,
) -> dict[str, Any]:
    """The floor: per registration only the writes it cannot do without (2
    transactions, 5 writes), raw PyMongo at the path's concurrency."""
    return await database_limit(
        mongo_url, found, registrations, concurrency, cpu, writer_type=SmallestWriter
    ) | {"transactions_per_registration": 2, "writes_per_registration": 5}


async def database_limit(
    mongo_url: str,
    found: Templates,
    registrations: int,
    concurrency: int = 16,
    cpu: Callable[[], float | None] = lambda: None,
    writer_type: type[Writer] = Writer,
) -> dict[str, Any]:
    """`cpu`: the database server's CPU seconds so far (for its cost per registration)."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        mongo_url, tz_aware=True, w="majority", journal=True
    )
    try:
        writer = writer_type(client, found)
        tag = uuid.uuid4().hex[:6]
        numbers = iter(range(registrations))

        async def chain() -> None:
            for n in numbers:
                await writer.registration(n, tag)

        started, cpu_before = time.perf_counter(), cpu()
        await asyncio.gather(*(chain() for _ in range(concurrency)))
        elapsed, cpu_after = time.perf_counter() - started, cpu()
    finally:
        await client.close()
    return {
        "registrations": registrations,
        "concurrency": concurrency,
        "transactions_per_registration": 4,
        "writes_per_registration": 16,
        "messages_per_registration": MESSAGES_PER_REGISTRATION,
        "registrations_per_second": round(registrations / elapsed, 1),
        "transactions_per_second": round(writer.transactions / elapsed, 1),
        "seconds": round(elapsed, 1),
        "database_cpu_ms_per_registration": (
            round((cpu_after - cpu_before) * 1000 / registrations, 1)
            if cpu_after is not None and cpu_before is not None
            else None
        ),
    }
