"""Deliveries: one per (event, recipient, channel), ever; the rendered mail, its status
and attempts. Digests: programme notices for one person and meeting held back to go
out as one mail. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pesnet.notifications.domain.model import (
    CHANNEL_EMAIL,
    DeliveryStatus,
    Notice,
    delivery_id,
    normalize_address,
)
from pesnet.shared.events.notifications import DeliveryFailed, DeliverySent

DIGEST_KIND = "programme_digest"
INVALID_ADDRESS = "invalid recipient address"
PURGED = "personal data purged"
PURGED_PREFIX = "purged:"
OPTED_OUT = "opted out of non-critical notifications"
WITHDRAWN = "the registration was withdrawn before it was sent"


@dataclass(frozen=True)
class Mail:
    """A rendered mail: what the templates make of a notice."""

    language: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str
    language: str
    attachments: list[dict[str, Any]]  # {filename, content_type, content}
    headers: dict[str, str]


class SendFailed(Exception):
    """SMTP did not take the mail: `permanent` (5xx) or worth retrying."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass
class Delivery:
    id: str
    event_id: str
    event_type: str
    correlation_id: str | None
    event_time: datetime | None
    recipient: str  # the address's comparison key
    address: str  # the address to send to
    kind: str
    language: str
    meeting_id: str | None
    created_at: datetime
    status: DeliveryStatus = "pending"
    channel: str = CHANNEL_EMAIL
    attempts: int = 0
    error: str | None = None
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    message_id: str | None = None
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    due_at: datetime | None = None
    digest_key: str | None = None
    digest_item: dict[str, Any] | None = None
    digest_context: dict[str, Any] | None = None
    # the registration whose manage link the mail carries (`Notice.manage_link`): the
    # stored mail holds placeholders, the links are signed in when it is sent
    manage_link: dict[str, Any] | None = None
    # the claim of the worker sending it (`LeasedQueue`); None when not claimed
    lease: str | None = None
    # the W3C trace context of the handling that made it: its SMTP send joins that trace
    trace_context: dict[str, str] | None = None

    @classmethod
    def of_notice(
        cls,
        notice: Notice,
        *,
        event_id: str,
        event_type: str,
        correlation_id: str | None,
        event_time: datetime | None,
        now: datetime,
    ) -> Delivery:
        address = normalize_address(notice.recipient)
        return cls(
            id=delivery_id(event_id, address, CHANNEL_EMAIL),
            event_id=event_id,
            event_type=event_type,
            correlation_id=correlation_id,
            event_time=event_time,
            recipient=address,
            address=notice.recipient.strip(),
            kind=notice.kind,
            language=notice.language,
            meeting_id=notice.meeting_id,
            created_at=now,
        )

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    def undeliverable(self, reason: str, now: datetime) -> None:
        self.status, self.error, self.failed_at = "failed", reason, now

    def suppress(self) -> None:
        self.status, self.error = "suppressed", OPTED_OUT

    def drop(self, reason: str) -> None:
        """Never to be sent: what it said no longer concerns the person (kept as a
        record, out of its digest)."""
        self.status, self.error, self.due_at = "suppressed", reason, None

    def write(self, notice: Notice, mail: Mail, now: datetime) -> None:
        """The rendered mail, due now, or held for its digest (`digest_key`)."""
        self.language = mail.language
        self.subject, self.text, self.html = mail.subject, mail.text, mail.html
        self.attachments = [
            {"filename": a.filename, "content_type": a.content_type, "content": a.content}
            for a in notice.attachments
        ]
        self.due_at = now
        self.manage_link = notice.manage_link
        key = notice.digest_key
        if key is not None:
            self.digest_key, self.due_at, self.digest_item = key, None, notice.digest_item
            # what the digest mail needs besides the items (BSON-storable: no dates)
            meeting = notice.context.get("meeting") or {}
            self.digest_context = {
                "name": notice.context.get("name", ""),
                "meeting": {
                    k: v
                    for k, v in meeting.items()
                    if k in ("id", "title", "city", "timezone", "join_url")
                },
            }

    @property
    def purged(self) -> bool:
        return self.recipient.startswith(PURGED_PREFIX)

    def purge(self) -> None:
        """Forget whom it was for and what it said, keeping the facts (kind, language,
        status, when, attempts); one still pending is never sent."""
        if self.pending:
            self.status, self.failed_at = "failed", self.created_at
            self.error = PURGED
        elif self.error and self.error != PURGED:
            self.error = "refused" if self.status == "failed" else None  # SMTP text may quote it
        self.recipient, self.address = f"{PURGED_PREFIX}{self.id}", ""
        self.subject = self.text = self.html = None
        self.attachments = []
        self.digest_key = None  # it names the address
        self.digest_item = self.digest_context = None
        self.manage_link = None
        self.due_at = None

    def attempting(self) -> None:
        """An attempt starts: it counts whatever becomes of it (recorded before the
        mail is handed over, so a mail sent twice shows two attempts)."""
        self.attempts += 1

    def sent(self, message_id: str, now: datetime) -> None:
        self.status, self.sent_at, self.message_id = "sent", now, message_id

    def failed(self, reason: str, now: datetime) -> None:
        self.undeliverable(reason, now)

    def retry(self, attempts: int, reason: str, due: datetime | None) -> None:
        """Not sent this time: try again at `due` (a digest item waits for its digest)."""
        self.attempts, self.error = attempts, reason
        if self.digest_key is None:
            self.due_at = due

    def sent_event(self, template: str) -> DeliverySent:
        return DeliverySent(
            delivery_id=self.id,
            event_id=self.event_id,
            event_type=self.event_type,
            channel=self.channel,
            kind=self.kind,
            language=self.language,
            meeting_id=self.meeting_id,
            template=template,
        )

    def failed_event(self, reason: str, *, permanent: bool) -> DeliveryFailed:
        return DeliveryFailed(
            delivery_id=self.id,
            event_id=self.event_id,
            event_type=self.event_type,
            channel=self.channel,
            kind=self.kind,
            language=self.language,
            meeting_id=self.meeting_id,
            reason=reason,
            permanent=permanent,
        )


@dataclass
class Digest:
    """The programme notices of one person and meeting that go out as one mail."""

    key: str
    recipient: str
    meeting_id: str | None
    due_at: datetime | None = None
    items: int = 0
    sent: int = 0
    attempts: int = 0
    lease: str | None = None

    def hold(self, now: datetime, window: timedelta) -> None:
        """The first notice opens the window; later ones join it."""
        if self.due_at is None:
            self.due_at = now + window
        self.items += 1

    def closed(self, still_pending: int, now: datetime, window: timedelta) -> None:
        """After a send: notices that arrived meanwhile open a new window."""
        self.due_at = now + window if still_pending else None
        self.attempts = 0
        self.sent += 1
        self.lease = None


def mail_order(items: list[Delivery]) -> list[Delivery]:
    """A digest's items in the order the changes happened (events may be handled
    out of order)."""
    return sorted(items, key=lambda d: (d.event_time or d.created_at, d.created_at))


def digest_attachments(items: list[Delivery]) -> list[dict[str, Any]]:
    """The newest programme as the attachment: earlier versions are superseded."""
    with_files = [d for d in items if d.attachments]
    if not with_files:
        return []
    newest = max(with_files, key=lambda d: (d.digest_item or {}).get("version") or 0)
    return newest.attachments


def headers_of(items: list[Delivery]) -> dict[str, str]:
    return {
        "X-PESNET-Event-Id": " ".join(d.event_id for d in items),
        "X-PESNET-Delivery-Id": " ".join(d.id for d in items),
        "X-PESNET-Template": items[-1].kind if len(items) == 1 else DIGEST_KIND,
    }
