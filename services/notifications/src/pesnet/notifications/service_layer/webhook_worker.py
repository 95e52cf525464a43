"""The webhook worker: sends pending deliveries. It claims one at a time (a lease,
`LeasedQueue` behind the repository, so that replicas never send the same delivery at
the same time), POSTs it signed, records the attempt, and schedules a retry or gives
up. Up to `concurrency` sends run at once. It is woken when the consumer commits a new
delivery (`Wakeups.webhooks`), and polls only as a safety net."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pesnet.notifications.domain.signing import signature_headers
from pesnet.notifications.domain.webhooks import (
    HttpResult,
    RetryPolicy,
    Subscription,
    UnsealError,
    WebhookDelivery,
    should_disable,
)
from pesnet.notifications.service_layer.unit_of_work import NotificationsUnitOfWork
from pesnet.notifications.service_layer.webhook_subscriptions import CANCELLED, Sealer
from pesnet.shared.envelope import CONTENT_TYPE, utcnow
from pesnet.shared.logging import get_logger
from pesnet.shared.tracing import sending, trace_context_of

log = get_logger(__name__)


class WebhookClient(Protocol):
    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpResult: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class WebhookPolicy:
    retry: RetryPolicy
    disable_after_failures: int
    concurrency: int
    poll_seconds: float
    clock: Callable[[], datetime] = field(default=utcnow)


class WebhookWorker:
    def __init__(
        self,
        uow_factory: Callable[[], NotificationsUnitOfWork],
        client_factory: Callable[[], WebhookClient],
        sealer: Sealer,
        policy: WebhookPolicy,
        wake: asyncio.Event | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.client_factory = client_factory
        self.sealer = sealer
        self.policy = policy
        self._wake = wake or asyncio.Event()

    async def run(self) -> None:
        """A background loop of the runtime."""
        uow = self.uow_factory()
        try:
            await seal_plain_secrets(uow, self.sealer)
        except uow.store_errors as exc:
            log.warning("webhook worker: could not seal plain secrets", error=str(exc))
        client = self.client_factory()
        backoff = self.policy.poll_seconds
        try:
            while True:
                # cleared before claiming: a delivery committed meanwhile sets it again
                self._wake.clear()
                try:
                    await self.drain(uow, client)
                    backoff = self.policy.poll_seconds
                except uow.store_errors as exc:
                    log.warning("webhook worker: database error", error=str(exc))
                    backoff = min(backoff * 2, 30.0)
                idle = await self._idle(uow, backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=idle)
        finally:
            await client.close()

    async def _idle(self, uow: NotificationsUnitOfWork, poll: float) -> float:
        """Sleep until the next retry is due, at most `poll` seconds."""
        try:
            due = await uow.webhook_deliveries.next_due()
        except uow.store_errors:
            return poll
        if due is None:
            return poll
        return max(0.01, min(poll, (due - self.policy.clock()).total_seconds()))

    async def drain(self, uow: NotificationsUnitOfWork, client: WebhookClient) -> int:
        """Send everything due now; returns how many attempts were made."""
        made = 0
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                while len(running) < self.policy.concurrency:
                    delivery = await uow.webhook_deliveries.claim_due()
                    if delivery is None:
                        break
                    # a unit of work runs one transaction at a time: one per send
                    attempt = self.attempt(self.uow_factory(), client, delivery)
                    running.add(asyncio.create_task(attempt))
                if not running:
                    return made
                # back to claiming as soon as one send ends, or after a poll interval
                # anyway: a slow partner does not keep the free slots from other work
                done, running = await asyncio.wait(
                    running, timeout=self.policy.poll_seconds, return_when=asyncio.FIRST_COMPLETED
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

    async def attempt(
        self, uow: NotificationsUnitOfWork, client: WebhookClient, delivery: WebhookDelivery
    ) -> None:
        now = self.policy.clock()
        subscription = await uow.subscriptions.get(delivery.subscription_id)
        if subscription is None or not subscription.active:
            await uow.webhook_deliveries.cancel(delivery, CANCELLED, now)
            return
        try:
            secrets = [self.sealer.unseal(s) for s in subscription.signing_secrets_sealed(now)]
        except UnsealError as exc:
            # nothing is sent unsigned, and retrying will not find the key: this delivery
            # fails for good with the reason in its log, the worker goes on with the others
            result = HttpResult(None, None, str(exc), 0)
            await record_attempt(uow, delivery, subscription, result, self.policy, final=True)
            return
        body = delivery.body.encode()
        headers = {
            "content-type": CONTENT_TYPE,
            **signature_headers(secrets, delivery.event_id, body),
        }
        # the POST joins the trace of the event it carries (its `traceparent`)
        with sending(trace_context_of(delivery.body), "webhook post", partner=delivery.partner):
            result = await client.post(subscription.url, body, headers)
        await record_attempt(uow, delivery, subscription, result, self.policy)


async def seal_plain_secrets(uow: NotificationsUnitOfWork, sealer: Sealer) -> int:
    """Subscriptions created before secrets were encrypted at rest keep working: their
    plain secrets are replaced by sealed ones when a worker starts."""
    sealed = 0
    for subscription in await uow.subscriptions.with_plain_secrets():
        assert subscription.plain_secret is not None
        previous = subscription.plain_previous_secret
        subscription.secret_sealed = sealer.seal(subscription.plain_secret)
        subscription.previous_secret_sealed = sealer.seal(previous) if previous else None
        subscription.plain_secret = subscription.plain_previous_secret = None
        await uow.subscriptions.save(subscription)
        sealed += 1
    if sealed:
        log.info("webhook secrets sealed at rest", subscriptions=sealed)
    return sealed


async def record_attempt(
    uow: NotificationsUnitOfWork,
    delivery: WebhookDelivery,
    subscription: Subscription,
    result: HttpResult,
    policy: WebhookPolicy,
    *,
    final: bool = False,
) -> str | None:
    """Record one attempt and close or reschedule the delivery; its outcome, or None
    when the lease ran out before (another worker took the delivery over)."""
    outcome = delivery.record(result, policy.retry, policy.clock(), final=final)
    if not await uow.webhook_deliveries.finish_attempt(delivery):
        log.warning("webhook lease lost before the attempt was recorded", delivery_id=delivery.id)
        return None
    fields = {
        "delivery_id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "correlation_id": delivery.correlation_id,
        "subscription_id": subscription.id,
        "partner": subscription.partner,
        "attempt": delivery.attempt_count,
        "status_code": result.status_code,
    }
    if outcome == "succeeded":
        log.info("webhook delivered", **fields)
        await _count(uow, subscription.id, failed=False, policy=policy)
    elif outcome == "retry":
        assert delivery.due_at is not None
        log.warning(
            "webhook attempt failed, will retry",
            error=result.error,
            retry_at=delivery.due_at.isoformat(),
            **fields,
        )
    else:
        log.error("webhook delivery failed for good", error=result.error, **fields)
        await _count(uow, subscription.id, failed=True, policy=policy)
    return outcome


async def _count(
    uow: NotificationsUnitOfWork, subscription_id: str, *, failed: bool, policy: WebhookPolicy
) -> None:
    """A success resets the run of failures; a subscription whose deliveries keep
    failing for good is disabled (`should_disable`) and what it had to send cancelled."""

    async def work(uow: NotificationsUnitOfWork) -> Subscription | None:
        """The subscription if this failure disabled it."""
        subscription = await uow.subscriptions.get(subscription_id)
        if subscription is None:
            return None
        if not failed:
            if subscription.consecutive_failures:
                subscription.consecutive_failures = 0
                await uow.subscriptions.save(subscription)
            return None
        subscription.consecutive_failures += 1
        failures = subscription.consecutive_failures
        disabled = subscription.active and should_disable(failures, policy.disable_after_failures)
        if disabled:
            reason = f"disabled automatically after {failures} deliveries in a row failed"
            subscription.disable(reason, policy.clock())
            await uow.webhook_deliveries.cancel_pending(subscription_id, CANCELLED, policy.clock())
        await uow.subscriptions.save(subscription)
        return subscription if disabled else None

    disabled = await uow.run(work)
    if disabled is not None:
        log.error(
            "webhook subscription disabled",
            subscription_id=subscription_id,
            partner=disabled.partner,
            reason=disabled.disabled_reason,
        )
