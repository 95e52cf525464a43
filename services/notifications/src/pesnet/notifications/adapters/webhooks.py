"""MongoDB repositories of webhook subscriptions and deliveries, and the HTTP sender."""

from __future__ import annotations

import asyncio
import functools
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from pesnet.notifications.domain.webhooks import (
    CONNECTION_FAILED,
    HttpResult,
    Subscription,
    WebhookDelivery,
    check_addresses,
    parse_ip,
)
from pesnet.notifications.service_layer.unit_of_work import (
    SubscriptionRepository,
    WebhookDeliveryRepository,
)
from pesnet.notifications.service_layer.webhook_subscriptions import Resolve
from pesnet.shared.errors import InvalidInput
from pesnet.shared.leasing import LEASE_OWNER, LeasedQueue
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec, after_commit
from pesnet.shared.recent import RecentDocuments

log = get_logger(__name__)

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


def _subscription(doc: Document) -> Subscription:
    return Subscription(
        id=doc["_id"],
        partner=doc["partner"],
        url=doc["url"],
        event_types=list(doc["event_types"]),
        created_at=doc["created_at"],
        status=doc["status"],
        disabled_reason=doc.get("disabled_reason"),
        consecutive_failures=doc.get("consecutive_failures", 0),
        secret_sealed=doc.get("secret_sealed"),
        previous_secret_sealed=doc.get("previous_secret_sealed"),
        previous_secret_until=doc.get("previous_secret_until"),
        updated_at=doc.get("updated_at"),
        secret_rotated_at=doc.get("secret_rotated_at"),
        plain_secret=doc.get("secret"),
        plain_previous_secret=doc.get("previous_secret"),
    )


def _subscription_doc(subscription: Subscription) -> Document:
    doc: Document = {
        "partner": subscription.partner,
        "url": subscription.url,
        "event_types": subscription.event_types,
        "status": subscription.status,
        "disabled_reason": subscription.disabled_reason,
        "consecutive_failures": subscription.consecutive_failures,
        "secret_sealed": subscription.secret_sealed,
        "previous_secret_sealed": subscription.previous_secret_sealed,
        "previous_secret_until": subscription.previous_secret_until,
        "created_at": subscription.created_at,
        "updated_at": subscription.updated_at,
    }
    if subscription.secret_rotated_at is not None:
        doc["secret_rotated_at"] = subscription.secret_rotated_at
    # only sealed secrets are ever written: a plain one is only ever read (and sealed)
    return doc


# the active subscriptions as the webhook consumer's look before its transaction reads
# them (`subscribed`): every public event asks, and most find none (issue "Half the cost
# of a registration"); a subscription made on another replica is seen within
# `PESNET_MEETING_CACHE_SECONDS`, one made here at once
RECENT_ACTIVE = RecentDocuments()


class MongoSubscriptions(SubscriptionRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[SUBSCRIPTIONS]
        self.session = session
        self._active = (self.collection.full_name, "active")

    async def add(self, subscription: Subscription) -> None:
        doc = {"_id": subscription.id, **_subscription_doc(subscription)}
        RECENT_ACTIVE.forget(self._active)
        await self.collection.insert_one(doc, session=self.session)

    async def get(self, subscription_id: str) -> Subscription | None:
        doc = await self.collection.find_one({"_id": subscription_id}, session=self.session)
        return None if doc is None else _subscription(doc)

    async def save(self, subscription: Subscription) -> None:
        RECENT_ACTIVE.forget(self._active)
        await self.collection.replace_one(
            {"_id": subscription.id}, _subscription_doc(subscription), session=self.session
        )

    async def all(self, partner: str | None = None) -> list[Subscription]:
        query: Document = {} if partner is None else {"partner": partner}
        cursor = self.collection.find(query, session=self.session).sort("created_at", 1)
        return [_subscription(doc) async for doc in cursor]

    async def active(self, *, recent: bool = False) -> list[Subscription]:
        async def load() -> Document:
            cursor = self.collection.find({"status": "active"}, session=self.session)
            return {"docs": [doc async for doc in cursor]}

        found = await RECENT_ACTIVE.read(self._active, load) if recent else await load()
        return [_subscription(doc) for doc in (found or {}).get("docs", [])]

    async def with_plain_secrets(self) -> list[Subscription]:
        cursor = self.collection.find({"secret": {"$exists": True}}, session=self.session)
        return [_subscription(doc) async for doc in cursor]


def _delivery(doc: Document) -> WebhookDelivery:
    return WebhookDelivery(
        id=doc["_id"],
        event_id=doc["event_id"],
        subscription_id=doc["subscription_id"],
        partner=doc.get("partner", ""),
        event_type=doc["event_type"],
        correlation_id=doc.get("correlation_id"),
        body=doc.get("body", ""),
        created_at=doc["created_at"],
        status=doc["status"],
        attempts=list(doc.get("attempts") or []),
        due_at=doc.get("due_at"),
        completed_at=doc.get("completed_at"),
        last_error=doc.get("last_error"),
        lease=doc.get(LEASE_OWNER),
    )


class MongoWebhookDeliveries(WebhookDeliveryRepository):
    def __init__(
        self,
        db: Database,
        session: DbSession | None,
        lease: timedelta,
        on_queued: Callable[[], None] | None = None,
        on_attempt: Callable[[WebhookDelivery], None] | None = None,
    ) -> None:
        self.collection = db[DELIVERIES]
        # called once an attempt's outcome is committed (the metrics)
        self.on_attempt = on_attempt
        self.session = session
        # called once a new delivery is committed (wakes the webhook worker)
        self.on_queued = on_queued
        self.queue = LeasedQueue(self.collection, ready={"status": "pending"}, lease=lease)

    async def add_once(self, delivery: WebhookDelivery) -> None:
        """An upsert, not an insert: a duplicate-key error would abort the surrounding
        transaction."""
        rest: Document = {
            "_id": delivery.id,
            "partner": delivery.partner,
            "event_type": delivery.event_type,
            "correlation_id": delivery.correlation_id,
            "body": delivery.body,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "attempt_count": delivery.attempt_count,
            "due_at": delivery.due_at,
            LEASE_OWNER: None,
            "created_at": delivery.created_at,
            "completed_at": delivery.completed_at,
            "last_error": delivery.last_error,
        }
        key = {"event_id": delivery.event_id, "subscription_id": delivery.subscription_id}
        result = await self.collection.update_one(
            key, {"$setOnInsert": rest}, upsert=True, session=self.session
        )
        if result.upserted_id is not None and self.on_queued:
            after_commit(self.on_queued)

    async def claim_due(self) -> WebhookDelivery | None:
        claimed = await self.queue.claim()
        return _delivery(claimed[0]) if claimed else None

    def _held(self, delivery: WebhookDelivery) -> Document:
        return {"_id": delivery.id, LEASE_OWNER: delivery.lease}

    async def finish_attempt(self, delivery: WebhookDelivery) -> bool:
        # only what the attempt changed: a disabling that cancelled the delivery
        # meanwhile keeps its status unless the attempt closed it
        changes: Document = {"last_error": delivery.last_error, "due_at": delivery.due_at}
        if delivery.status != "pending":
            changes.update(status=delivery.status, completed_at=delivery.completed_at)
        update = {
            "$push": {"attempts": delivery.attempts[-1]},
            "$inc": {"attempt_count": 1},
            "$set": changes,
        }
        done = await self.queue.finish(self._held(delivery), update, session=self.session)
        if done and self.on_attempt:
            after_commit(functools.partial(self.on_attempt, delivery))
        return done

    async def cancel(self, delivery: WebhookDelivery, reason: str, now: datetime) -> None:
        cancelled = {"status": "cancelled", "completed_at": now, "last_error": reason}
        await self.queue.finish(self._held(delivery), {"$set": cancelled}, session=self.session)

    async def cancel_pending(self, subscription_id: str, reason: str, now: datetime) -> int:
        result = await self.collection.update_many(
            {"subscription_id": subscription_id, "status": "pending"},
            {"$set": {"status": "cancelled", "completed_at": now, "last_error": reason}},
            session=self.session,
        )
        return result.modified_count

    async def of_subscription(
        self, subscription_id: str, *, status: str | None, limit: int
    ) -> list[WebhookDelivery]:
        query: Document = {"subscription_id": subscription_id}
        if status is not None:
            query["status"] = status
        cursor = self.collection.find(query, {"body": 0}, session=self.session)
        return [_delivery(doc) async for doc in cursor.sort("created_at", -1).limit(limit)]

    async def next_due(self) -> datetime | None:
        doc = await self.collection.find_one(
            {"status": "pending"}, {"due_at": 1}, sort=[("due_at", 1)], session=self.session
        )
        return None if doc is None else doc["due_at"]


async def resolve_host(host: str) -> list[str]:
    """Every address the system resolver gives for `host` (none if it does not resolve)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class WebhookSender:
    """POSTs a signed body. Redirects are not followed: a 3xx is an answer like any other
    (the partner registers the final URL). One attempt, from resolving to the end of the
    answer's first bytes, takes at most `timeout` seconds; of the answer only its first
    bytes are read (for the attempt log), whatever the partner sends.

    Before connecting, the host is resolved and every address checked (the subscription
    was checked when made, but a name can be rebound to an inside address since: DNS
    rebinding); the connection goes to the checked address, with the URL's host as Host
    and as TLS server name (SNI and certificate check). A refused address and every
    failed connection are logged alike (`connection failed`): the log tells nothing of
    which ports answer where."""

    def __init__(
        self, timeout: float, *, allow_loopback: bool = False, resolve: Resolve = resolve_host
    ) -> None:
        self.timeout = timeout
        self.allow_loopback = allow_loopback
        self.resolve = resolve
        self.client = httpx.AsyncClient(
            # connecting gives up first, so that it fails as a connection, not a timeout
            timeout=httpx.Timeout(timeout, connect=timeout / 2),
            follow_redirects=False,
            headers={"user-agent": "pesnet-webhooks/1"},
            # connections are pooled by address: one made for one partner's name (SNI)
            # must never carry another's request
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    async def _checked_target(self, url: str) -> tuple[httpx.URL, str, dict[str, Any]]:
        """The URL with the checked address as its host, the Host header and the
        request's extensions (the TLS server name). InvalidInput if it is refused."""
        target = httpx.URL(url)
        host = target.host
        literal = parse_ip(host)
        addresses = [str(literal)] if literal is not None else await self.resolve(host)
        if host.lower() == "localhost" and self.allow_loopback:
            addresses = addresses or ["127.0.0.1"]
        [address, *_] = check_addresses(host, addresses, allow_loopback=self.allow_loopback)
        name = f"[{host}]" if ":" in host else host
        host_header = name if target.port is None else f"{name}:{target.port}"
        extensions: dict[str, Any] = {}
        if target.scheme == "https":
            extensions["sni_hostname"] = host
        return target.copy_with(host=str(address)), host_header, extensions

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpResult:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                target, host_header, extensions = await self._checked_target(url)
                async with self.client.stream(
                    "POST",
                    target,
                    content=body,
                    headers={**headers, "host": host_header},
                    extensions=extensions,
                ) as r:
                    excerpt = b"" if r.is_success else await _first_bytes(r)
        except InvalidInput as exc:
            log.warning("webhook endpoint refused", reason=exc.text)
            return _connection_failed(started)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            log.info("webhook connection failed", error=str(exc) or type(exc).__name__)
            return _connection_failed(started)
        except (TimeoutError, httpx.TimeoutException) as exc:
            return _transport_error("timeout", exc, started)
        except httpx.HTTPError as exc:
            log.info("webhook connection failed", error=str(exc) or type(exc).__name__)
            return _connection_failed(started)
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


def _connection_failed(started: float) -> HttpResult:
    return HttpResult(None, None, CONNECTION_FAILED, _elapsed_ms(started))


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
