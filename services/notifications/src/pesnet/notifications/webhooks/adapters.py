"""MongoDB repositories of webhook subscriptions and deliveries, and the HTTP sender."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from pymongo import ReturnDocument

from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec

SUBSCRIPTIONS = "webhook_subscriptions"
DELIVERIES = "webhook_deliveries"
# finished deliveries (and their attempt logs) are kept this long, then expire
KEEP_FINISHED_DELIVERIES_SECONDS = 30 * 24 * 3600
# how much of a partner's error answer the attempt log keeps
EXCERPT_BYTES = 300

WEBHOOK_INDEXES = (
    # exactly one delivery per (event, subscription), whatever the bus redelivers
    IndexSpec(DELIVERIES, [("event_id", 1), ("subscription_id", 1)], unique=True, name="once"),
    # the worker's claim: pending deliveries whose time has come
    IndexSpec(DELIVERIES, [("status", 1), ("due_at", 1)], name="due"),
    # the attempt log of one subscription, newest first
    IndexSpec(DELIVERIES, [("subscription_id", 1), ("created_at", -1)], name="by_subscription"),
    IndexSpec(
        DELIVERIES,
        [("completed_at", 1)],
        name="finished_expiry",
        expire_after_seconds=KEEP_FINISHED_DELIVERIES_SECONDS,
    ),
    IndexSpec(SUBSCRIPTIONS, [("status", 1)], name="by_status"),
)


class SubscriptionRepository:
    def __init__(self, db: Database) -> None:
        self.collection = db[SUBSCRIPTIONS]

    async def add(self, doc: Document) -> None:
        await self.collection.insert_one(doc)

    async def get(self, subscription_id: str) -> Document | None:
        return await self.collection.find_one({"_id": subscription_id})

    async def all(self, partner: str | None = None) -> list[Document]:
        query: Document = {} if partner is None else {"partner": partner}
        return await self.collection.find(query).sort("created_at", 1).to_list()

    async def active(self, session: DbSession | None = None) -> list[Document]:
        return await self.collection.find({"status": "active"}, session=session).to_list()

    async def update(self, subscription_id: str, changes: Document) -> Document | None:
        return await self.collection.find_one_and_update(
            {"_id": subscription_id}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )

    async def with_plain_secrets(self) -> list[Document]:
        """Subscriptions stored before secrets were sealed (a plain `secret` field)."""
        return await self.collection.find({"secret": {"$exists": True}}).to_list()

    async def replace_plain_secrets(self, doc: Document, sealed: Document) -> None:
        """Swap the plain secrets for their sealed forms, unless another replica did."""
        await self.collection.update_one(
            {"_id": doc["_id"], "secret": doc["secret"]},
            {"$set": sealed, "$unset": {"secret": "", "previous_secret": ""}},
        )

    async def record_success(self, subscription_id: str) -> None:
        await self.collection.update_one(
            {"_id": subscription_id, "consecutive_failures": {"$ne": 0}},
            {"$set": {"consecutive_failures": 0}},
        )

    async def record_failure(self, subscription_id: str) -> Document | None:
        """Count one more delivery that failed for good; returns the subscription after."""
        return await self.collection.find_one_and_update(
            {"_id": subscription_id},
            {"$inc": {"consecutive_failures": 1}},
            return_document=ReturnDocument.AFTER,
        )


class DeliveryRepository:
    def __init__(self, db: Database) -> None:
        self.collection = db[DELIVERIES]

    async def add_once(self, session: DbSession, doc: Document) -> None:
        """Insert unless this (event, subscription) already has a delivery. An upsert, not
        an insert: a duplicate-key error would abort the surrounding transaction."""
        key = {"event_id": doc["event_id"], "subscription_id": doc["subscription_id"]}
        rest = {k: v for k, v in doc.items() if k not in key}
        await self.collection.update_one(key, {"$setOnInsert": rest}, upsert=True, session=session)

    async def claim(self, now: datetime, lease: timedelta) -> Document | None:
        """Lease the oldest due pending delivery to this caller, atomically: a replica that
        loses the race gets another one (or none). `due_at` doubles as the lease: while a
        replica sends, it is pushed to the lease's end, so a crashed replica's delivery
        becomes due again by itself."""
        return await self.collection.find_one_and_update(
            {"status": "pending", "due_at": {"$lte": now}},
            {"$set": {"due_at": now + lease, "lease_owner": uuid.uuid4().hex}},
            sort=[("due_at", 1)],
            return_document=ReturnDocument.AFTER,
        )

    async def finish_attempt(self, doc: Document, attempt: Document, changes: Document) -> bool:
        """Record one attempt and the delivery's new state, if this caller still holds the
        lease (False when it ran out and another replica took the delivery over)."""
        result = await self.collection.update_one(
            {"_id": doc["_id"], "lease_owner": doc["lease_owner"]},
            {"$push": {"attempts": attempt}, "$inc": {"attempt_count": 1}, "$set": changes},
        )
        return result.modified_count == 1

    async def cancel(self, doc: Document, reason: str, now: datetime) -> None:
        await self.collection.update_one(
            {"_id": doc["_id"], "lease_owner": doc["lease_owner"]},
            {"$set": {"status": "cancelled", "completed_at": now, "last_error": reason}},
        )

    async def cancel_pending(self, subscription_id: str, reason: str, now: datetime) -> int:
        """Cancel what a disabled subscription still had to send. A delivery being sent
        right now keeps its lease token, so that attempt is still recorded."""
        result = await self.collection.update_many(
            {"subscription_id": subscription_id, "status": "pending"},
            {"$set": {"status": "cancelled", "completed_at": now, "last_error": reason}},
        )
        return result.modified_count

    async def of_subscription(
        self, subscription_id: str, *, status: str | None, limit: int
    ) -> list[Document]:
        query: Document = {"subscription_id": subscription_id}
        if status is not None:
            query["status"] = status
        cursor = self.collection.find(query, {"body": 0}).sort("created_at", -1).limit(limit)
        return await cursor.to_list()

    async def next_due(self) -> datetime | None:
        doc = await self.collection.find_one(
            {"status": "pending"}, {"due_at": 1}, sort=[("due_at", 1)]
        )
        return None if doc is None else doc["due_at"]


@dataclass(frozen=True)
class HttpResult:
    """What one POST gave: a status code, or a transport error (timeout, refused, ...)."""

    status_code: int | None
    retry_after: str | None
    error: str | None
    duration_ms: int


class WebhookSender:
    """POSTs a signed body. Redirects are not followed: a 3xx is an answer like any other
    (the partner registers the final URL). One attempt, from connecting to the end of the
    answer's first bytes, takes at most `timeout` seconds; of the answer only its first
    bytes are read (for the attempt log), whatever the partner sends."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"user-agent": "pesnet-webhooks/1"},
        )

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpResult:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                async with self.client.stream("POST", url, content=body, headers=headers) as r:
                    excerpt = b"" if r.is_success else await _first_bytes(r)
        except (TimeoutError, httpx.TimeoutException) as exc:
            return _transport_error("timeout", exc, started)
        except httpx.HTTPError as exc:
            return _transport_error("connection error", exc, started)
        reason = None
        if not r.is_success:
            text = excerpt.decode("utf-8", "replace").strip()
            reason = f"HTTP {r.status_code}" + (f": {text}" if text else "")
        return HttpResult(
            status_code=r.status_code,
            retry_after=r.headers.get("retry-after"),
            error=reason,
            duration_ms=_elapsed_ms(started),
        )

    async def close(self) -> None:
        await self.client.aclose()


async def _first_bytes(response: httpx.Response) -> bytes:
    # the start of the partner's answer helps them and us debug; never more
    excerpt = b""
    async for chunk in response.aiter_raw():
        excerpt += chunk
        if len(excerpt) >= EXCERPT_BYTES:
            break
    return excerpt[:EXCERPT_BYTES]


def _transport_error(kind: str, exc: Exception, started: float) -> HttpResult:
    detail = str(exc) or type(exc).__name__
    return HttpResult(None, None, f"{kind}: {detail}"[:300], _elapsed_ms(started))


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def public_view(doc: Document) -> dict[str, Any]:
    """A subscription as the API shows it: never the secrets."""
    return {
        "id": doc["_id"],
        "partner": doc["partner"],
        "url": doc["url"],
        "event_types": doc["event_types"],
        "status": doc["status"],
        "disabled_reason": doc.get("disabled_reason"),
        "consecutive_failures": doc.get("consecutive_failures", 0),
        "created_at": doc["created_at"],
        "updated_at": doc.get("updated_at"),
        "secret_rotated_at": doc.get("secret_rotated_at"),
    }
