"""Webhook use cases: manage subscriptions, fan an event out to deliveries (inside the
consumer's inbox transaction), and the worker that sends them."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo.errors import PyMongoError

from pesnet.notifications.webhooks import domain
from pesnet.notifications.webhooks.adapters import (
    DeliveryRepository,
    HttpResult,
    SubscriptionRepository,
    WebhookSender,
)
from pesnet.notifications.webhooks.sealing import SecretSealer, UnsealError
from pesnet.notifications.webhooks.settings import WebhookSettings
from pesnet.notifications.webhooks.signing import new_secret, signature_headers
from pesnet.shared.catalog import EventCatalog, EventPayload
from pesnet.shared.envelope import CONTENT_TYPE, CloudEvent, utcnow
from pesnet.shared.errors import NotFound
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import Database, DbSession, Document

log = get_logger(__name__)


class Subscriptions:
    """What the secretariat does with subscriptions."""

    def __init__(
        self,
        db: Database,
        catalog: EventCatalog,
        settings: WebhookSettings,
        sealer: SecretSealer,
        *,
        dev_mode: bool,
    ) -> None:
        self.repo = SubscriptionRepository(db)
        self.delivery_log = DeliveryRepository(db)
        self.catalog = catalog
        self.settings = settings
        self.sealer = sealer
        self.dev_mode = dev_mode

    async def create(
        self, partner: str, url: str, event_types: Sequence[str] | None
    ) -> tuple[Document, str]:
        """A new active subscription; returns it and its signing secret (shown once: only
        its sealed form is stored)."""
        secret = new_secret()
        doc: Document = {
            "_id": f"whs_{uuid.uuid4().hex}",
            "partner": domain.validate_partner(partner),
            "url": domain.validate_url(url, dev_mode=self.dev_mode),
            "event_types": domain.validate_event_types(
                event_types, self.catalog.public_types(), (s.type for s in self.catalog)
            ),
            "status": "active",
            "disabled_reason": None,
            "consecutive_failures": 0,
            "secret_sealed": self.sealer.seal(secret),
            "previous_secret_sealed": None,
            "previous_secret_until": None,
            "created_at": utcnow(),
            "updated_at": None,
        }
        await self.repo.add(doc)
        log.info("webhook subscription created", subscription_id=doc["_id"], partner=partner)
        return doc, secret

    async def get(self, subscription_id: str) -> Document:
        doc = await self.repo.get(subscription_id)
        if doc is None:
            raise NotFound(f"no webhook subscription {subscription_id}")
        return doc

    async def all(self, partner: str | None = None) -> list[Document]:
        return await self.repo.all(partner)

    async def disable(self, subscription_id: str, reason: str) -> Document:
        await self.get(subscription_id)
        doc = await self.repo.update(
            subscription_id,
            {"status": "disabled", "disabled_reason": reason, "updated_at": utcnow()},
        )
        assert doc is not None
        cancelled = await self.delivery_log.cancel_pending(
            subscription_id, "subscription disabled", utcnow()
        )
        log.info(
            "webhook subscription disabled",
            subscription_id=subscription_id,
            reason=reason,
            cancelled=cancelled,
        )
        return doc

    async def enable(self, subscription_id: str) -> Document:
        await self.get(subscription_id)
        doc = await self.repo.update(
            subscription_id,
            {
                "status": "active",
                "disabled_reason": None,
                "consecutive_failures": 0,
                "updated_at": utcnow(),
            },
        )
        assert doc is not None
        return doc

    async def rotate_secret(self, subscription_id: str) -> tuple[Document, str]:
        """A new secret; the old one keeps signing (alongside) for the grace period, so
        the partner can switch without losing a delivery."""
        current = await self.get(subscription_id)
        now = utcnow()
        secret = new_secret()
        grace = timedelta(seconds=self.settings.rotation_grace_seconds)
        doc = await self.repo.update(
            subscription_id,
            {
                "secret_sealed": self.sealer.seal(secret),
                # still sealed with the key it was sealed with: the worker unseals it
                # with any configured key
                "previous_secret_sealed": current["secret_sealed"] if grace else None,
                "previous_secret_until": now + grace if grace else None,
                "secret_rotated_at": now,
                "updated_at": now,
            },
        )
        assert doc is not None
        log.info("webhook secret rotated", subscription_id=subscription_id)
        return doc, secret

    async def deliveries(
        self, subscription_id: str, *, status: str | None, limit: int
    ) -> list[Document]:
        await self.get(subscription_id)
        return await self.delivery_log.of_subscription(subscription_id, status=status, limit=limit)


async def fan_out(
    session: DbSession,
    subscriptions: SubscriptionRepository,
    deliveries: DeliveryRepository,
    event: CloudEvent,
    payload: EventPayload,
) -> int:
    """One pending delivery per active subscription that matches the event's type,
    written in the consumer's inbox transaction (`session`). The body is rebuilt from
    the validated public payload: a field the catalog does not know never leaves."""
    matching = [
        s
        for s in await subscriptions.active(session)
        if domain.matches_any(s["event_types"], event.type)
    ]
    if not matching:
        return 0
    body = event.model_copy(update={"data": payload.model_dump(mode="json")}).to_json().decode()
    now = utcnow()
    for subscription in matching:
        await deliveries.add_once(
            session,
            {
                "_id": f"whd_{uuid.uuid4().hex}",
                "event_id": event.id,
                "subscription_id": subscription["_id"],
                "partner": subscription["partner"],
                "event_type": event.type,
                "correlation_id": event.correlationid,
                "body": body,
                "status": "pending",
                "attempts": [],
                "attempt_count": 0,
                "due_at": now,
                "lease_owner": None,
                "created_at": now,
                "completed_at": None,
                "last_error": None,
            },
        )
    log.info("webhook deliveries queued", subscriptions=len(matching))
    return len(matching)


class DeliveryWorker:
    """Sends pending deliveries: claims one at a time (a lease, so that replicas never
    send the same delivery at the same time), POSTs it signed, records the attempt, and
    schedules a retry or gives up. Up to `concurrency` sends run at once."""

    def __init__(self, db: Database, settings: WebhookSettings, sealer: SecretSealer) -> None:
        self.db = db
        self.subscriptions = SubscriptionRepository(db)
        self.deliveries = DeliveryRepository(db)
        self.settings = settings
        self.sealer = sealer
        self.policy = settings.retry_policy()
        self.lease = timedelta(seconds=settings.lease_seconds)
        self._wake = asyncio.Event()

    async def run(self) -> None:
        try:
            await self.seal_plain_secrets()
        except PyMongoError as exc:
            log.warning("webhook worker: could not seal plain secrets", error=str(exc))
        sender = WebhookSender(self.settings.timeout_seconds)
        watcher = asyncio.create_task(self._watch_inserts())
        backoff = self.settings.poll_seconds
        try:
            while True:
                try:
                    await self.drain(sender)
                    backoff = self.settings.poll_seconds
                except PyMongoError as exc:
                    log.warning("webhook worker: database error", error=str(exc))
                    backoff = min(backoff * 2, 30.0)
                idle = await self._idle(backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=idle)
                self._wake.clear()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await sender.close()

    async def seal_plain_secrets(self) -> int:
        """Subscriptions created before secrets were encrypted at rest keep working: their
        plain secrets are replaced by sealed ones when a worker starts."""
        sealed = 0
        for doc in await self.subscriptions.with_plain_secrets():
            previous = doc.get("previous_secret")
            await self.subscriptions.replace_plain_secrets(
                doc,
                {
                    "secret_sealed": self.sealer.seal(doc["secret"]),
                    "previous_secret_sealed": self.sealer.seal(previous) if previous else None,
                },
            )
            sealed += 1
        if sealed:
            log.info("webhook secrets sealed at rest", subscriptions=sealed)
        return sealed

    async def _idle(self, poll: float) -> float:
        """Sleep until the next retry is due, at most `poll` seconds."""
        try:
            due = await self.deliveries.next_due()
        except PyMongoError:
            return poll
        if due is None:
            return poll
        return max(0.01, min(poll, (due - utcnow()).total_seconds()))

    async def drain(self, sender: WebhookSender) -> int:
        """Send everything due now; returns how many attempts were made."""
        made = 0
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                while len(running) < self.settings.concurrency:
                    doc = await self.deliveries.claim(utcnow(), self.lease)
                    if doc is None:
                        break
                    running.add(asyncio.create_task(self.attempt(sender, doc)))
                if not running:
                    return made
                # back to claiming as soon as one send ends, or after a poll interval
                # anyway: a slow partner does not keep the free slots from other work
                done, running = await asyncio.wait(
                    running,
                    timeout=self.settings.poll_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in done:
                    made += 1
                    if (exc := task.exception()) is not None:
                        log.error("webhook attempt crashed", error=f"{type(exc).__name__}: {exc}")
        except asyncio.CancelledError:
            # shutting down: the leases of unfinished sends run out and another replica
            # (or this one after a restart) sends them again
            for task in running:
                task.cancel()
            raise
        except Exception:
            # the database failed to claim more: let the sends already made be recorded
            if running:
                await asyncio.wait(running)
            raise

    async def attempt(self, sender: WebhookSender, delivery: Document) -> None:
        now = utcnow()
        subscription = await self.subscriptions.get(delivery["subscription_id"])
        if subscription is None or subscription["status"] != "active":
            await self.deliveries.cancel(delivery, "subscription disabled", now)
            return
        try:
            secrets = _signing_secrets(subscription, now, self.sealer)
        except UnsealError as exc:
            # nothing is sent unsigned, and retrying will not find the key: this delivery
            # fails for good with the reason in its log, the worker goes on with the others
            await self.record(
                delivery, subscription, HttpResult(None, None, str(exc), 0), final=True
            )
            return
        body = delivery["body"].encode()
        headers = {
            "content-type": CONTENT_TYPE,
            **signature_headers(secrets, delivery["event_id"], body),
        }
        result = await sender.post(subscription["url"], body, headers)
        await self.record(delivery, subscription, result)

    async def record(
        self,
        delivery: Document,
        subscription: Document,
        result: HttpResult,
        *,
        final: bool = False,
    ) -> None:
        """Record one attempt and close or reschedule the delivery; `final`: it failed
        for good whatever the result (it could not even be sent)."""
        now = utcnow()
        number = delivery.get("attempt_count", 0) + 1
        outcome = (
            "failed"
            if final
            else "retry"
            if result.status_code is None
            else domain.classify_status(result.status_code)
        )
        changes: dict[str, Any] = {"last_error": result.error}
        if outcome == "retry":
            next_at = self.policy.next_attempt_at(
                attempt=number,
                now=now,
                created_at=delivery["created_at"],
                retry_after=domain.parse_retry_after(result.retry_after, now=now),
            )
            if next_at is None:
                outcome = "failed"
            else:
                changes["due_at"] = next_at
        if outcome != "retry":
            changes.update({"status": outcome, "completed_at": now, "due_at": None})
        attempt = {
            "number": number,
            "at": now,
            "status_code": result.status_code,
            "error": result.error,
            "duration_ms": result.duration_ms,
            "outcome": outcome,
        }
        if not await self.deliveries.finish_attempt(delivery, attempt, changes):
            log.warning(
                "webhook lease lost before the attempt was recorded", delivery_id=delivery["_id"]
            )
            return
        fields = {
            "delivery_id": delivery["_id"],
            "event_id": delivery["event_id"],
            "event_type": delivery["event_type"],
            "correlation_id": delivery.get("correlation_id"),
            "subscription_id": subscription["_id"],
            "partner": subscription["partner"],
            "attempt": number,
            "status_code": result.status_code,
        }
        if outcome == "succeeded":
            log.info("webhook delivered", **fields)
            await self.subscriptions.record_success(subscription["_id"])
        elif outcome == "retry":
            log.warning(
                "webhook attempt failed, will retry",
                error=result.error,
                retry_at=changes["due_at"].isoformat(),
                **fields,
            )
        else:
            log.error("webhook delivery failed for good", error=result.error, **fields)
            await self._count_failure(subscription)

    async def _count_failure(self, subscription: Document) -> None:
        after = await self.subscriptions.record_failure(subscription["_id"])
        if after is None or after["status"] != "active":
            return
        failures = after.get("consecutive_failures", 0)
        if domain.should_disable(failures, self.settings.disable_after_failures):
            reason = f"disabled automatically after {failures} deliveries in a row failed"
            await self.subscriptions.update(
                subscription["_id"],
                {"status": "disabled", "disabled_reason": reason, "updated_at": utcnow()},
            )
            await self.deliveries.cancel_pending(
                subscription["_id"], "subscription disabled", utcnow()
            )
            log.error(
                "webhook subscription disabled",
                subscription_id=subscription["_id"],
                partner=subscription["partner"],
                reason=reason,
            )

    async def _watch_inserts(self) -> None:
        """Wake the worker when the consumer queues a delivery; polling covers the rest."""
        while True:
            try:
                pipeline: list[dict[str, Any]] = [{"$match": {"operationType": "insert"}}]
                async with await self.deliveries.collection.watch(pipeline) as stream:
                    async for _ in stream:
                        self._wake.set()
            except PyMongoError as exc:
                log.warning("webhook change stream unavailable, polling", error=str(exc))
                await asyncio.sleep(self.settings.poll_seconds * 5)


def _signing_secrets(subscription: Document, now: datetime, sealer: SecretSealer) -> list[str]:
    """The subscription's secrets in the clear (the current one, and the previous one
    during a rotation's grace period): only for signing, never stored or logged."""
    current = subscription.get("secret_sealed")
    if not current:
        raise UnsealError("the subscription has no sealed signing secret stored")
    secrets = [sealer.unseal(current)]
    previous = subscription.get("previous_secret_sealed")
    until = subscription.get("previous_secret_until")
    if previous and until is not None and until > now:
        secrets.append(sealer.unseal(previous))
    return secrets
