"""The delivery worker: sends due deliveries over SMTP and records the outcome.

Several replicas (and several loops per replica) run it: a delivery or a digest
is leased to one sender at a time (`LeasedQueue`, behind the repositories), so a
mail goes out once. A replica's loop claims due deliveries into its free slots (one
claim, which also counts their attempts, for all it takes) and sends up to `NOTIFICATIONS_WORKERS`
mails at once; it is woken as soon as the consumer commits a delivery that is due
(`Wakeups.mail`) and polls only as a safety net (`NOTIFICATIONS_POLL_SECONDS`: retries
coming due, digests whose window closed, work another replica left). Marking it sent and emitting `DeliverySent` happen in one
transaction. A process that dies between the SMTP hand-over and that transaction
leaves the lease to run out, and the mail is sent again: the only window where a
duplicate is possible, as with any SMTP client (the Message-ID lets mail clients
merge them).

Transient failures (connection, timeout, 4xx) are retried with exponential
backoff up to `NOTIFICATIONS_MAX_ATTEMPTS`; a permanent one (5xx) is recorded at
once. Both end in `DeliveryFailed`."""

from __future__ import annotations

import asyncio
import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from pesnet.notifications.domain.deliveries import (
    DIGEST_KIND,
    Delivery,
    Digest,
    OutgoingMail,
    SendFailed,
    digest_attachments,
    headers_of,
    mail_order,
)
from pesnet.notifications.domain.model import Links, retry_delay
from pesnet.notifications.service_layer.unit_of_work import Handed, NotificationsUnitOfWork
from pesnet.notifications.templates import render
from pesnet.shared.catalog import EventPayload
from pesnet.shared.envelope import utcnow
from pesnet.shared.logging import get_logger
from pesnet.shared.tracing import sending

log = get_logger(__name__)


class MailSender(Protocol):
    async def send(self, mail: OutgoingMail) -> str:
        """Hand one mail to SMTP; its Message-ID. Raises `SendFailed`."""


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int
    retry_base: timedelta
    retry_max: timedelta
    digest_window: timedelta
    poll_seconds: float = 0.5
    clock: Callable[[], datetime] = field(default=utcnow)
    # mails one replica sends at once (the outcomes of those that end at the same time
    # commit in one transaction: the worker's units of work share a `GroupCommit`)
    concurrency: int = 8

    def retry_at(self, attempts: int) -> tuple[datetime, float]:
        delay = retry_delay(
            attempts, self.retry_base.total_seconds(), self.retry_max.total_seconds()
        )
        return self.clock() + timedelta(seconds=delay), delay


@dataclass(frozen=True)
class Job:
    """One mail to send: a delivery alone, or the deliveries of a digest."""

    items: list[Delivery]
    digest: Digest | None = None
    # the attempt is already counted in the database (by the claim)
    counted: bool = False


async def claim(uow: NotificationsUnitOfWork, limit: int) -> list[Job]:
    """Lease up to `limit` due deliveries (their attempts counted by the claim), or else
    up to `limit` digests whose window has closed (one claim: a programme release's
    digests go out side by side, not one claim each)."""
    deliveries = await uow.deliveries.claim_due(limit)
    if deliveries:
        return [Job([d], counted=True) for d in deliveries]
    return [
        Job(mail_order(await uow.deliveries.pending_in_digest(digest.key)), digest)
        for digest in await uow.digests.claim_due_many(limit)
    ]


async def send(
    uow: NotificationsUnitOfWork, job: Job, sender: MailSender, policy: DeliveryPolicy, links: Links
) -> None:
    await _send(uow, job.items, job.digest, sender, policy, links, counted=job.counted)


async def send_next(
    uow: NotificationsUnitOfWork, sender: MailSender, policy: DeliveryPolicy, links: Links
) -> bool:
    """Send what one claim gives, one mail after the other; False when nothing was due."""
    jobs = await claim(uow, policy.concurrency)
    for job in jobs:
        await send(uow, job, sender, policy, links)
    return bool(jobs)


async def run_worker(
    uow_factory: Callable[[], NotificationsUnitOfWork],
    sender: MailSender,
    policy: DeliveryPolicy,
    links: Links,
    wake: asyncio.Event | None = None,
    handed: Handed | None = None,
) -> None:
    """The background loop of a replica: claims into its free slots, sends up to
    `policy.concurrency` mails at once, each with its own unit of work (a unit of work
    runs one transaction at a time), and waits for a send to end or a wake-up.

    It takes first what this process's consumer handed it (`Handed`: already leased to
    it, no claim), and claims only when a claim may find something: woken by a commit
    of a delivery that was not handed, after a claim that filled every free slot (more
    may be due), or once a poll interval has passed since its last look (retries,
    digests, what another replica left); a send that ends does not by itself cost a look."""
    uow = uow_factory()
    wake = wake or asyncio.Event()
    loop = asyncio.get_running_loop()
    running: set[asyncio.Future[None]] = set()
    more, looked = True, loop.time()
    try:
        while True:
            free = policy.concurrency - len(running)
            polled = loop.time() - looked >= policy.poll_seconds
            waiting = handed is not None and bool(handed.waiting)
            if free > 0 and (more or polled or wake.is_set() or waiting):
                # cleared before claiming: a delivery committed after the claim sets it again
                wake.clear()
                jobs = [Job([d], counted=True) for d in handed.take(free)] if handed else []
                wanted = handed is None or handed.claim_wanted
                if len(jobs) < free and (more or polled or wanted):
                    if handed is not None:
                        handed.claim_wanted = False
                    looked = loop.time()
                    claimed = await _claim_guarded(uow, free - len(jobs))
                    more = len(claimed) == free - len(jobs)
                    jobs += claimed
                for job in jobs:
                    running.add(
                        asyncio.ensure_future(_guarded(uow_factory(), job, sender, policy, links))
                    )
            if len(running) >= policy.concurrency:
                # no free slot: a wake-up (it stays set) waits for a send to end
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            else:
                woken: asyncio.Future[Any] = asyncio.ensure_future(wake.wait())
                timeout = max(0.0, looked + policy.poll_seconds - loop.time())
                done, _ = await asyncio.wait(
                    {*running, woken}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                woken.cancel()
            running -= done
    finally:
        # shutting down: the leases of unfinished sends run out and they go out again
        for task in running:
            task.cancel()


async def _claim_guarded(uow: NotificationsUnitOfWork, limit: int) -> list[Job]:
    try:
        return await claim(uow, limit)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("delivery worker could not claim")
        return []


async def _guarded(
    uow: NotificationsUnitOfWork, job: Job, sender: MailSender, policy: DeliveryPolicy, links: Links
) -> None:
    try:
        await send(uow, job, sender, policy, links)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("delivery worker step failed", delivery_ids=[d.id for d in job.items])


def _copies(items: list[Delivery]) -> list[Delivery]:
    """The work of a transaction may run more than once: it changes copies."""
    return [copy.copy(d) for d in items]


def compose(items: list[Delivery], links: Links) -> OutgoingMail:
    """One delivery's mail as it was written, or a digest of several in one mail."""
    last = items[-1]
    if len(items) == 1:
        assert last.subject is not None
        assert last.text is not None
        assert last.html is not None
        fill = functools.partial(
            links.fill, recipient=last.recipient, language=last.language, manage=last.manage_link
        )
        return OutgoingMail(
            to=last.address,
            subject=last.subject,
            text=fill(last.text, as_html=False),
            html=fill(last.html, as_html=True),
            language=last.language,
            attachments=last.attachments,
            headers=headers_of(items),
        )
    context = {**(last.digest_context or {})}
    context["items"] = [d.digest_item for d in items if d.digest_item]
    mail = render(
        DIGEST_KIND,
        last.language,
        context,
        preferences_url=links.preferences_url(last.recipient),
    )
    return OutgoingMail(
        to=last.address,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        language=mail.language,
        attachments=digest_attachments(items),
        headers=headers_of(items),
    )


async def _send(
    uow: NotificationsUnitOfWork,
    items: list[Delivery],
    digest: Digest | None,
    sender: MailSender,
    policy: DeliveryPolicy,
    links: Links,
    *,
    counted: bool = False,
) -> None:
    """Send one mail (a delivery, or a digest's deliveries) and record the outcome;
    `counted`: the claim already counted this attempt (in the database and in `items`)."""
    if not items:
        await uow.run(lambda uow: _close_digest(uow, digest, [], policy))
        return
    if not counted:
        await uow.deliveries.count_attempt([d.id for d in items])
        for d in items:
            d.attempting()
    try:
        with sending(items[-1].trace_context, "smtp send", kind=items[-1].kind):
            message_id = await sender.send(compose(items, links))
    except SendFailed as exc:
        attempts = max(d.attempts for d in items)
        if exc.permanent or attempts >= policy.max_attempts:
            reason = (
                exc.reason if exc.permanent else f"{exc.reason} (gave up after {attempts} attempts)"
            )
            await _fail(uow, items, digest, reason, exc.permanent, policy)
        else:
            await _retry(uow, items, digest, exc.reason, attempts, policy)
        return

    template = items[-1].kind if len(items) == 1 else DIGEST_KIND

    async def mark_sent(uow: NotificationsUnitOfWork) -> None:
        now, sent = policy.clock(), _copies(items)
        for d in sent:
            d.sent(message_id, now)
        await _finish(uow, sent, digest, lambda d: d.sent_event(template), policy)

    await uow.run(mark_sent)
    log.info(
        "mail sent",
        delivery_ids=[d.id for d in items],
        event_id=items[-1].event_id,
        correlation_id=items[-1].correlation_id,
        message_id=message_id,
    )


async def _fail(
    uow: NotificationsUnitOfWork,
    items: list[Delivery],
    digest: Digest | None,
    reason: str,
    permanent: bool,
    policy: DeliveryPolicy,
) -> None:
    log.error(
        "mail delivery failed",
        delivery_ids=[d.id for d in items],
        permanent=permanent,
        error=reason,
    )

    async def mark_failed(uow: NotificationsUnitOfWork) -> None:
        now, failed = policy.clock(), _copies(items)
        for d in failed:
            d.failed(reason, now)
        await _finish(
            uow, failed, digest, lambda d: d.failed_event(reason, permanent=permanent), policy
        )

    await uow.run(mark_failed)


async def _finish(
    uow: NotificationsUnitOfWork,
    items: list[Delivery],
    digest: Digest | None,
    event: Callable[[Delivery], EventPayload],
    policy: DeliveryPolicy,
) -> None:
    """Each delivery still pending records its outcome and emits it, once (one that
    another replica closed already is left alone)."""
    for d in items:
        if await uow.deliveries.finish(d):
            uow.emit(
                event(d), subject=d.id, correlation_id=d.correlation_id, causation_id=d.event_id
            )
    await _close_digest(uow, digest, items, policy)


async def _close_digest(
    uow: NotificationsUnitOfWork,
    digest: Digest | None,
    items: list[Delivery],
    policy: DeliveryPolicy,
) -> None:
    """Release the digest; if notices arrived while we sent, open a new window."""
    current = digest and await uow.digests.get(digest.key)
    if current is None:
        return
    remaining = await uow.deliveries.pending_in_digest(current.key, excluding=[d.id for d in items])
    current.closed(len(remaining), policy.clock(), policy.digest_window)
    await uow.digests.save(current)


async def _retry(
    uow: NotificationsUnitOfWork,
    items: list[Delivery],
    digest: Digest | None,
    reason: str,
    attempts: int,
    policy: DeliveryPolicy,
) -> None:
    due, delay = policy.retry_at(attempts)
    log.warning(
        "mail not sent, will retry",
        delivery_ids=[d.id for d in items],
        attempt=attempts,
        retry_in_seconds=delay,
        error=reason,
    )

    async def reschedule(uow: NotificationsUnitOfWork) -> None:
        for d in _copies(items):
            d.retry(attempts, reason, due)
            await uow.deliveries.finish(d)
        current = digest and await uow.digests.get(digest.key)
        if current is not None:
            current.due_at, current.lease = due, None
            await uow.digests.save(current)

    await uow.run(reschedule)
