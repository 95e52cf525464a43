"""MongoDB collections of the notifications service and their indexes.

- `recipients`: one per e-mail address (lower-cased `_id`): name, language, the
  preferences the person chose, and where we know them from. Built only from events.
- `participations`: one per registration id (from registration events): who, which
  meeting, which status. Agenda events name people by registration id only.
- `meetings`: what `agenda.meeting.scheduled` said (title, time zone, dates).
- `deliveries`: one per (event, recipient, channel) (unique index); the rendered mail,
  its status and attempts. A finished one expires (`expires_at`, TTL index) the
  retention after it finished (`NOTIFICATIONS_DELIVERY_RETENTION_DAYS`); a purge of its
  meeting empties it first.
- `digests`: one per (recipient, meeting) for programme notices held back to be
  sent together.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from datetime import date, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument

from pesnet.notifications.domain.deliveries import PURGED_PREFIX, Delivery, Digest
from pesnet.notifications.domain.recipients import Participation, Recipient
from pesnet.notifications.service_layer.unit_of_work import (
    DeliveryRepository,
    DigestRepository,
    Handed,
    ParticipationRepository,
    RecipientRepository,
)
from pesnet.shared.envelope import utcnow
from pesnet.shared.events.common import ParticipantStatus
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.leasing import LEASE_OWNER, LeasedQueue
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec, after_commit, deferred

RECIPIENTS = "recipients"
PARTICIPATIONS = "participations"
MEETINGS = "meetings"
DELIVERIES = "deliveries"
DIGESTS = "digests"

INDEXES = (
    IndexSpec(
        DELIVERIES, [("event_id", 1), ("recipient", 1), ("channel", 1)], unique=True, name="once"
    ),
    IndexSpec(DELIVERIES, [("status", 1), ("digest_key", 1), ("due_at", 1)], name="due"),
    IndexSpec(DELIVERIES, [("recipient", 1), ("created_at", -1)], name="log"),
    IndexSpec(DELIVERIES, [("digest_key", 1), ("status", 1)], name="digest_items"),
    IndexSpec(DELIVERIES, [("meeting_id", 1)], name="by_meeting"),
    IndexSpec(DELIVERIES, [("expires_at", 1)], name="expiry", expire_after_seconds=0),
    IndexSpec(DIGESTS, [("meeting_id", 1)], name="digests_by_meeting"),
    IndexSpec(DIGESTS, [("due_at", 1)], name="digest_due"),
    IndexSpec(PARTICIPATIONS, [("meeting_id", 1), ("status", 1)], name="by_meeting"),
    IndexSpec(PARTICIPATIONS, [("email", 1)], name="by_email"),
)


def _localized(value: Any) -> Localized | None:
    return Localized.model_validate(value) if isinstance(value, dict) else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


class MongoRecipients(RecipientRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[RECIPIENTS]
        self.session = session

    @staticmethod
    def _load(doc: Document) -> Recipient:
        preferred = doc.get("preferred_language")
        return Recipient(
            address=doc["_id"],
            email=doc.get("email") or doc["_id"],
            name=doc.get("name") or "",
            language=doc.get("language") or "en",
            preferred_language=Language(preferred) if preferred else None,
            opted_out=bool(doc.get("opted_out")),
            roles=list(doc.get("roles") or []),
            sources=list(doc.get("sources") or []),
            institutions=list(doc.get("institutions") or []),
            seen_at=doc.get("seen_at"),
        )

    async def get(self, address: str) -> Recipient | None:
        doc = await self.collection.find_one({"_id": address}, session=self.session)
        return None if doc is None else self._load(doc)

    async def save(self, recipient: Recipient) -> None:
        doc: Document = {
            "email": recipient.email,
            "name": recipient.name,
            "language": recipient.language,
            "seen_at": recipient.seen_at,
            "preferred_language": recipient.preferred_language,
            "opted_out": recipient.opted_out,
            "roles": recipient.roles,
            "sources": recipient.sources,
        }
        if recipient.institutions:
            doc["institutions"] = recipient.institutions
        await self.collection.replace_one(
            {"_id": recipient.address}, doc, upsert=True, session=self.session
        )

    async def heard_of(
        self,
        email: str,
        *,
        name: str,
        language: str,
        role: str,
        source: str,
        institution: str | None,
        seen_at: datetime,
    ) -> Recipient:
        """`Recipient.heard_of` as one write that returns the result (the newest name
        and language; every role, source and institution), instead of a read and a
        write: the person's own preferences are kept as they are."""
        added: Document = {"roles": role, "sources": source, "institutions": institution}
        doc = await self.collection.find_one_and_update(
            {"_id": Recipient.first_heard(email).address},
            {
                "$set": {
                    "email": email.strip(),
                    "name": name,
                    "language": language,
                    "seen_at": seen_at,
                },
                "$addToSet": {k: v for k, v in added.items() if v},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )
        assert doc is not None  # upserted
        return self._load(doc)

    async def remove(self, address: str) -> None:
        await self.collection.delete_one({"_id": address}, session=self.session)

    async def everyone(self) -> list[Recipient]:
        cursor = self.collection.find({}, session=self.session).sort("_id", 1)
        return [self._load(doc) async for doc in cursor]


class MongoParticipations(ParticipationRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[PARTICIPATIONS]
        self.session = session

    @staticmethod
    def _load(doc: Document) -> Participation:
        return Participation(
            registration_id=doc["_id"],
            address=doc["email"],
            meeting_id=doc["meeting_id"],
            role=doc.get("role") or "",
            status=ParticipantStatus(doc["status"]),
            as_of=doc.get("as_of"),
            sessions=list(doc.get("sessions") or []),
            attendance=doc.get("attendance"),
        )

    async def _find(self, query: Document) -> list[Participation]:
        cursor = self.collection.find(query, session=self.session).sort("_id", 1)
        return [self._load(doc) async for doc in cursor]

    async def get(self, registration_id: str) -> Participation | None:
        doc = await self.collection.find_one({"_id": registration_id}, session=self.session)
        return None if doc is None else self._load(doc)

    async def save(self, participation: Participation) -> None:
        doc: Document = {
            "email": participation.address,
            "meeting_id": participation.meeting_id,
            "role": participation.role,
            "status": participation.status,
            "as_of": participation.as_of,
            "attendance": participation.attendance,
        }
        if participation.sessions:
            doc["sessions"] = participation.sessions
        await self.collection.replace_one(
            {"_id": participation.registration_id}, doc, upsert=True, session=self.session
        )

    async def record(self, participation: Participation) -> None:
        """`ParticipationRepository.record` as one conditional write (an update
        pipeline), instead of a read and a write."""
        fields: Document = {
            "email": participation.address,
            "meeting_id": participation.meeting_id,
            "role": participation.role,
            "status": participation.status.value,
            "as_of": participation.as_of,
            "attendance": participation.attendance,
        }
        # newer_than(as_of) is false: no state stored yet, or stored as of no later
        not_newer = {
            "$or": [
                {"$eq": [{"$ifNull": ["$as_of", None]}, None]},
                {"$lte": ["$as_of", participation.as_of]},
            ]
        }
        where = {"_id": participation.registration_id}
        pipeline = [
            {
                "$set": {
                    name: {"$cond": [not_newer, {"$literal": value}, f"${name}"]}
                    for name, value in fields.items()
                }
            }
        ]
        if (batch := deferred(self.session)) is not None:
            # with the transaction's last writes: the use case does not read it back
            batch.update(self.collection, where, pipeline, upsert=True)
            return
        await self.collection.update_one(where, pipeline, upsert=True, session=self.session)

    async def with_ids(self, registration_ids: Sequence[str]) -> list[Participation]:
        return await self._find({"_id": {"$in": list(registration_ids)}})

    async def of_meeting(
        self, meeting_id: str, statuses: Sequence[ParticipantStatus] | None = None
    ) -> list[Participation]:
        query: Document = {"meeting_id": meeting_id}
        if statuses is not None:
            query["status"] = {"$in": list(statuses)}
        return await self._find(query)

    async def count_of(self, address: str) -> int:
        return await self.collection.count_documents({"email": address}, session=self.session)

    async def remove_meeting(self, meeting_id: str) -> None:
        await self.collection.delete_many({"meeting_id": meeting_id}, session=self.session)


# what the worker writes when it finishes a delivery (the rest never changes)
_OUTCOME = ("status", "attempts", "error", "sent_at", "failed_at", "message_id", "due_at")
DEFAULT_RETENTION = timedelta(days=30)
_DELIVERY_FIELDS = {f.name for f in fields(Delivery)} - {"id", "lease"}


def _delivery(doc: Document) -> Delivery:
    values = {k: v for k, v in doc.items() if k in _DELIVERY_FIELDS}
    if values.get("attachments") is None:
        values.pop("attachments", None)
    return Delivery(id=doc["_id"], lease=doc.get(LEASE_OWNER), **values)


def _delivery_doc(delivery: Delivery) -> Document:
    doc = asdict(delivery)
    doc["_id"] = doc.pop("id")
    del doc["lease"]
    if delivery.status != "pending":
        # a delivery that was never written has no mail and no due date
        for name in ("subject", "text", "html", "attachments", "due_at"):
            if not doc[name]:
                del doc[name]
        for name in ("digest_item", "digest_context"):
            del doc[name]
    if delivery.failed_at is None:
        del doc["failed_at"]
    if delivery.message_id is None:
        del doc["message_id"]
    return doc


class MongoDeliveries(DeliveryRepository):
    def __init__(
        self,
        db: Database,
        session: DbSession | None,
        lease: timedelta,
        retention: timedelta = DEFAULT_RETENTION,
        on_due: Callable[[], None] | None = None,
        handed: Handed | None = None,
        on_outcome: Callable[[Delivery], None] | None = None,
    ) -> None:
        self.collection = db[DELIVERIES]
        self.session = session
        self.retention = retention
        self.lease = lease
        # called once a delivery that goes out alone is committed (wakes the mail sender)
        self.on_due = on_due
        # this process's mail sender, to which such a delivery may be born leased
        self.handed = handed
        # (event, recipient, channel) of the deliveries deferred in this transaction
        self._staged: set[tuple[str, str, str]] = set()
        # called once a delivery's outcome (sent, failed, suppressed) is committed
        self.on_outcome = on_outcome
        self.queue = LeasedQueue(
            self.collection, ready={"status": "pending", "digest_key": None}, lease=lease
        )

    def _expires_at(self, delivery: Delivery) -> datetime | None:
        """A finished delivery is kept `retention` after it finished, then expires."""
        if delivery.pending:
            return None
        return (delivery.sent_at or delivery.failed_at or delivery.created_at) + self.retention

    async def add(self, delivery: Delivery) -> bool:
        doc = _delivery_doc(delivery)
        if (expires_at := self._expires_at(delivery)) is not None:
            doc["expires_at"] = expires_at
        due_alone = delivery.pending and delivery.digest_key is None
        handed = self.handed if due_alone and self.on_due and self.handed else None
        if handed is not None and handed.accepting():
            # born leased to this process's sender, its attempt counted: no claim
            doc["due_at"], doc[LEASE_OWNER] = utcnow() + self.lease, handed.token
            doc["attempts"] = delivery.attempts + 1
        key = (doc["event_id"], doc["recipient"], doc["channel"])
        where = {"event_id": key[0], "recipient": key[1], "channel": key[2]}
        if (batch := deferred(self.session)) is not None:
            # with the transaction's last writes (a consumer's: its inbox record first, so
            # an event handled before fails there); one per key within the transaction
            added = key not in self._staged
            self._staged.add(key)
            if added:
                batch.update(self.collection, where, {"$setOnInsert": doc}, upsert=True)
        else:
            result = await self.collection.update_one(
                where, {"$setOnInsert": doc}, upsert=True, session=self.session
            )
            added = result.upserted_id is not None
        if added and self.on_due and due_alone:
            if LEASE_OWNER in doc and handed is not None:
                mine = _delivery(doc)
                half = self.lease.total_seconds() / 2
                after_commit(lambda: handed.hand(mine, half))
            elif self.handed is not None:
                after_commit(self._claim_wanted)
            after_commit(self.on_due)
        if added and self.on_outcome and not delivery.pending:
            after_commit(functools.partial(self.on_outcome, delivery))
        return added

    def _claim_wanted(self) -> None:
        if self.handed is not None:
            self.handed.claim_wanted = True

    async def claim_due(self, limit: int = 1) -> list[Delivery]:
        claimed = await self.queue.claim(limit, increment={"attempts": 1})
        return [_delivery(doc) for doc in claimed]

    async def pending_in_digest(
        self, digest_key: str, excluding: Sequence[str] = ()
    ) -> list[Delivery]:
        query: Document = {"digest_key": digest_key, "status": "pending"}
        if excluding:
            query["_id"] = {"$nin": list(excluding)}
        cursor = self.collection.find(query, session=self.session)
        return [_delivery(doc) async for doc in cursor]

    async def pending_of(self, recipient: str, meeting_id: str) -> list[Delivery]:
        query: Document = {"recipient": recipient, "meeting_id": meeting_id, "status": "pending"}
        cursor = self.collection.find(query, session=self.session)
        return [_delivery(doc) async for doc in cursor]

    async def count_attempt(self, delivery_ids: Sequence[str]) -> None:
        await self.collection.update_many(
            {"_id": {"$in": list(delivery_ids)}}, {"$inc": {"attempts": 1}}, session=self.session
        )

    async def finish(self, delivery: Delivery) -> bool:
        outcome = {name: getattr(delivery, name) for name in _OUTCOME}
        outcome["expires_at"] = self._expires_at(delivery)
        if delivery.lease is not None:
            item = {"_id": delivery.id, LEASE_OWNER: delivery.lease}
            done = await self.queue.finish(item, {"$set": outcome}, session=self.session)
        else:
            result = await self.collection.update_one(
                {"_id": delivery.id, "status": "pending"}, {"$set": outcome}, session=self.session
            )
            done = result.modified_count == 1
        if done and self.on_outcome:
            after_commit(functools.partial(self.on_outcome, delivery))
        return done

    async def log(self, recipient: str, limit: int = 200) -> list[Delivery]:
        cursor = self.collection.find(
            {"recipient": recipient},
            projection={"html": 0, "text": 0, "attachments": 0, "digest_item": 0},
            session=self.session,
        )
        return [_delivery(doc) async for doc in cursor.sort("created_at", -1).limit(limit)]

    async def of_meeting(self, meeting_id: str) -> list[Delivery]:
        cursor = self.collection.find(
            {"meeting_id": meeting_id, "recipient": {"$not": {"$regex": f"^{PURGED_PREFIX}"}}},
            session=self.session,
        )
        return [_delivery(doc) async for doc in cursor]

    async def save_purged(self, delivery: Delivery) -> None:
        doc = _delivery_doc(delivery)
        doc["expires_at"] = self._expires_at(delivery)
        await self.collection.replace_one({"_id": doc["_id"]}, doc, session=self.session)


class MongoDigests(DigestRepository):
    def __init__(self, db: Database, session: DbSession | None, lease: timedelta) -> None:
        self.collection = db[DIGESTS]
        self.session = session
        self.queue = LeasedQueue(self.collection, ready={}, lease=lease)

    @staticmethod
    def _load(doc: Document) -> Digest:
        return Digest(
            key=doc["_id"],
            recipient=doc.get("recipient") or "",
            meeting_id=doc.get("meeting_id"),
            due_at=doc.get("due_at"),
            items=doc.get("items", 0),
            sent=doc.get("sent", 0),
            attempts=doc.get("attempts", 0),
            lease=doc.get(LEASE_OWNER),
        )

    async def get(self, key: str) -> Digest | None:
        doc = await self.collection.find_one({"_id": key}, session=self.session)
        return None if doc is None else self._load(doc)

    async def save(self, digest: Digest) -> None:
        doc = {
            "recipient": digest.recipient,
            "meeting_id": digest.meeting_id,
            "due_at": digest.due_at,
            "items": digest.items,
            "sent": digest.sent,
            "attempts": digest.attempts,
        }
        if digest.lease is not None:
            doc[LEASE_OWNER] = digest.lease
        await self.collection.replace_one(
            {"_id": digest.key}, doc, upsert=True, session=self.session
        )

    async def claim_due(self) -> Digest | None:
        claimed = await self.queue.claim()
        return self._load(claimed[0]) if claimed else None

    async def claim_due_many(self, limit: int) -> list[Digest]:
        return [self._load(doc) for doc in await self.queue.claim(limit)]

    async def forget_meeting(self, meeting_id: str) -> None:
        await self.collection.delete_many({"meeting_id": meeting_id}, session=self.session)
