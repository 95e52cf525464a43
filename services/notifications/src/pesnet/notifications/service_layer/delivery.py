"""The delivery worker: sends due deliveries over SMTP and records the outcome.

Several replicas (and several loops per replica) run it: a delivery or a digest
is leased to one sender at a time, so a mail goes out once. Marking it sent and
emitting `notifications.delivery.sent` happen in one transaction. A process
that dies between the SMTP hand-over and that transaction leaves the lease to
run out, and the mail is sent again: the only window where a duplicate is
possible, as with any SMTP client (the Message-ID lets mail clients merge them).

Transient failures (connection, timeout, 4xx) are retried with exponential
backoff up to `NOTIFICATIONS_MAX_ATTEMPTS`; a permanent one (5xx) is recorded at
once. Both end in `notifications.delivery.failed`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pesnet.notifications.adapters.repository import Repository
from pesnet.notifications.adapters.smtp import OutgoingMail, SendFailed, SmtpSender
from pesnet.notifications.domain.model import CHANNEL_EMAIL, retry_delay
from pesnet.notifications.settings import Settings
from pesnet.notifications.templates import render
from pesnet.shared.catalog import EventPayload
from pesnet.shared.envelope import utcnow
from pesnet.shared.events.notifications import DeliveryFailed, DeliverySent
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import Client, DbSession, Document, in_transaction
from pesnet.shared.outbox import Outbox

log = get_logger(__name__)


class DeliveryWorker:
    def __init__(
        self,
        client: Client,
        repo: Repository,
        outbox: Outbox,
        sender: SmtpSender,
        settings: Settings,
        preferences_url: Any,
    ) -> None:
        self.client = client
        self.repo = repo
        self.outbox = outbox
        self.sender = sender
        self.settings = settings
        self.preferences_url = preferences_url
        self.lease = timedelta(seconds=settings.worker_lease_seconds)

    async def run(self) -> None:
        """A background loop (registered on `runtime.background`)."""
        while True:
            try:
                worked = await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery worker step failed")
                worked = False
            if not worked:
                await asyncio.sleep(self.settings.worker_poll_seconds)

    async def step(self) -> bool:
        """Send one due delivery or digest; False when nothing was due."""
        owner = uuid.uuid4().hex
        delivery = await self._claim(self.repo.deliveries, owner, single=True)
        if delivery is not None:
            await self._send([delivery], owner, digest=None)
            return True
        digest = await self._claim(self.repo.digests, owner, single=False)
        if digest is not None:
            items = [
                d
                async for d in self.repo.deliveries.find(
                    {"digest_key": digest["_id"], "status": "pending"}
                )
            ]
            # in the order the changes happened (events may be handled out of order)
            items.sort(key=lambda d: (d.get("event_time") or d["created_at"], d["created_at"]))
            await self._send(items, owner, digest=digest)
            return True
        return False

    async def _claim(self, collection: Any, owner: str, *, single: bool) -> Document | None:
        """Take the earliest due item. `due_at` doubles as the lease: claiming moves it
        `NOTIFICATIONS_LEASE_SECONDS` ahead, so an item whose sender died comes due
        again. A conditional `update_one` on the `due_at` we read is the compare-and-
        swap between replicas (cheaper than findAndModify on the embedded server,
        which scans the collection for it)."""
        now = utcnow()
        query: Document = {"due_at": {"$lte": now}}
        if single:
            query.update(status="pending", digest_key=None)
        candidates = [
            doc
            async for doc in collection.find(query, projection={"due_at": 1})
            .sort("due_at", 1)
            .limit(5)
        ]
        for candidate in candidates:
            result = await collection.update_one(
                {"_id": candidate["_id"], "due_at": candidate["due_at"]},
                {"$set": {"due_at": now + self.lease, "lease_owner": owner}},
            )
            if result.modified_count == 1:
                doc: Document | None = await collection.find_one({"_id": candidate["_id"]})
                return doc
        return None

    def _mail(self, items: list[Document]) -> OutgoingMail:
        last = items[-1]
        headers = {
            "X-PESNET-Event-Id": " ".join(d["event_id"] for d in items),
            "X-PESNET-Delivery-Id": " ".join(d["_id"] for d in items),
            "X-PESNET-Template": last["kind"] if len(items) == 1 else "programme_digest",
        }
        if len(items) == 1:
            return OutgoingMail(
                to=last["address"],
                subject=last["subject"],
                text=last["text"],
                html=last["html"],
                language=last["language"],
                attachments=last.get("attachments") or [],
                headers=headers,
            )
        context = {**(last.get("digest_context") or {})}
        context["items"] = [d["digest_item"] for d in items if d.get("digest_item")]
        mail = render(
            "programme_digest",
            last["language"],
            context,
            preferences_url=self.preferences_url(last["recipient"]),
        )
        # the newest programme as the attachment: earlier versions are superseded
        with_files = [d for d in items if d.get("attachments")]
        attachments: list[dict[str, Any]] = (
            max(with_files, key=lambda d: d["digest_item"].get("version") or 0)["attachments"]
            if with_files
            else []
        )
        return OutgoingMail(
            to=last["address"],
            subject=mail.subject,
            text=mail.text,
            html=mail.html,
            language=mail.language,
            attachments=attachments,
            headers=headers,
        )

    async def _send(self, items: list[Document], owner: str, digest: Document | None) -> None:
        if not items:
            await in_transaction(self.client, lambda s: self._close_digest(s, digest, []))
            return
        try:
            message_id = await self.sender.send(self._mail(items))
        except SendFailed as exc:
            attempts = max(d.get("attempts", 0) for d in items) + 1
            if exc.permanent or attempts >= self.settings.max_attempts:
                reason = (
                    exc.reason
                    if exc.permanent
                    else f"{exc.reason} (gave up after {attempts} attempts)"
                )
                await self._fail(items, digest, reason, permanent=exc.permanent)
            else:
                await self._retry(items, digest, exc.reason, attempts)
            return

        async def mark(session: DbSession) -> None:
            await self._finish(
                session,
                items,
                digest,
                {"status": "sent", "sent_at": utcnow(), "message_id": message_id},
                lambda d: DeliverySent(
                    delivery_id=d["_id"],
                    event_id=d["event_id"],
                    event_type=d["event_type"],
                    channel=CHANNEL_EMAIL,
                    recipient=d["recipient"],
                    language=d["language"],
                    template=d["kind"] if len(items) == 1 else "programme_digest",
                ),
            )

        await in_transaction(self.client, mark)
        log.info(
            "mail sent",
            delivery_ids=[d["_id"] for d in items],
            event_id=items[-1]["event_id"],
            correlation_id=items[-1].get("correlation_id"),
            message_id=message_id,
        )

    async def _close_digest(
        self, session: DbSession, digest: Document | None, items: list[Document]
    ) -> None:
        """Release the digest; if notices arrived while we sent, open a new window."""
        if digest is None:
            return
        ids = [d["_id"] for d in items]
        remaining = await self.repo.deliveries.count_documents(
            {"digest_key": digest["_id"], "status": "pending", "_id": {"$nin": ids}},
            session=session,
        )
        due = (
            utcnow() + timedelta(seconds=self.settings.digest_window_seconds) if remaining else None
        )
        await self.repo.digests.update_one(
            {"_id": digest["_id"]},
            {"$set": {"due_at": due, "attempts": 0}, "$inc": {"sent": 1}},
            session=session,
        )

    async def _retry(
        self, items: list[Document], digest: Document | None, reason: str, attempts: int
    ) -> None:
        delay = retry_delay(
            attempts, self.settings.retry_base_seconds, self.settings.retry_max_seconds
        )
        due = utcnow() + timedelta(seconds=delay)
        log.warning(
            "mail not sent, will retry",
            delivery_ids=[d["_id"] for d in items],
            attempt=attempts,
            retry_in_seconds=delay,
            error=reason,
        )

        async def reschedule(session: DbSession) -> None:
            for d in items:
                update: Document = {"attempts": attempts, "error": reason}
                if digest is None:
                    update["due_at"] = due
                await self.repo.deliveries.update_one(
                    {"_id": d["_id"], "status": "pending"}, {"$set": update}, session=session
                )
            if digest is not None:
                await self.repo.digests.update_one(
                    {"_id": digest["_id"]},
                    {"$set": {"due_at": due}},
                    session=session,
                )

        await in_transaction(self.client, reschedule)

    async def _finish(
        self,
        session: DbSession,
        items: list[Document],
        digest: Document | None,
        outcome: Document,
        event: Callable[[Document], EventPayload],
    ) -> None:
        """Close still-pending deliveries as sent or failed, each emitting what happened
        once (a delivery another replica closed already is left alone)."""
        for d in items:
            result = await self.repo.deliveries.update_one(
                {"_id": d["_id"], "status": "pending"},
                {"$set": outcome, "$inc": {"attempts": 1}, "$unset": {"lease_owner": ""}},
                session=session,
            )
            if result.modified_count:
                await self._emit(session, d, event(d))
        await self._close_digest(session, digest, items)

    async def _fail(
        self, items: list[Document], digest: Document | None, reason: str, *, permanent: bool
    ) -> None:
        log.error(
            "mail delivery failed",
            delivery_ids=[d["_id"] for d in items],
            permanent=permanent,
            error=reason,
        )

        async def record(session: DbSession) -> None:
            await self._finish(
                session,
                items,
                digest,
                {"status": "failed", "error": reason, "failed_at": utcnow()},
                lambda d: DeliveryFailed(
                    delivery_id=d["_id"],
                    event_id=d["event_id"],
                    event_type=d["event_type"],
                    channel=CHANNEL_EMAIL,
                    recipient=d["recipient"],
                    reason=reason,
                    permanent=permanent,
                ),
            )

        await in_transaction(self.client, record)

    async def _emit(self, session: DbSession, delivery: Document, payload: Any) -> None:
        await self.outbox.add(
            session,
            payload,
            subject=delivery["_id"],
            correlation_id=delivery.get("correlation_id"),
            causation_id=delivery["event_id"],
        )
