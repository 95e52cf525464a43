"""In-memory repositories and unit of work of notifications, for unit tests of the use
cases: dictionaries, no I/O. Leasing is the same rule as `LeasedQueue`'s (due and
ready, the due date moved a lease ahead, a token), without a database."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pesnet.notifications.domain.deliveries import Delivery, Digest
from pesnet.notifications.domain.notices import Meeting
from pesnet.notifications.domain.recipients import Participation, Recipient
from pesnet.notifications.domain.webhooks import Subscription, WebhookDelivery
from pesnet.notifications.service_layer.unit_of_work import (
    DeliveryRepository,
    DigestRepository,
    MeetingRepository,
    NotificationsUnitOfWork,
    ParticipationRepository,
    RecipientRepository,
    SubscriptionRepository,
    WebhookDeliveryRepository,
)
from pesnet.shared.envelope import CloudEvent, utcnow
from pesnet.shared.events import CATALOG
from pesnet.shared.events.common import ParticipantStatus
from pesnet.shared.unit_of_work import FakeUnitOfWork

LEASE = timedelta(seconds=60)


def _lease(item: Any, now: datetime) -> Any:
    item.due_at, item.lease = now + LEASE, uuid.uuid4().hex
    return copy.deepcopy(item)


class FakeRecipients(RecipientRepository):
    def __init__(self) -> None:
        self.by_address: dict[str, Recipient] = {}

    async def get(self, address: str) -> Recipient | None:
        found = self.by_address.get(address)
        return copy.deepcopy(found)

    async def save(self, recipient: Recipient) -> None:
        self.by_address[recipient.address] = copy.deepcopy(recipient)

    async def remove(self, address: str) -> None:
        self.by_address.pop(address, None)

    async def everyone(self) -> list[Recipient]:
        return [copy.deepcopy(r) for _, r in sorted(self.by_address.items())]


class FakeParticipations(ParticipationRepository):
    def __init__(self) -> None:
        self.by_id: dict[str, Participation] = {}

    def _all(self) -> list[Participation]:
        return [copy.deepcopy(p) for _, p in sorted(self.by_id.items())]

    async def get(self, registration_id: str) -> Participation | None:
        return copy.deepcopy(self.by_id.get(registration_id))

    async def save(self, participation: Participation) -> None:
        self.by_id[participation.registration_id] = copy.deepcopy(participation)

    async def with_ids(self, registration_ids: Sequence[str]) -> list[Participation]:
        return [p for p in self._all() if p.registration_id in registration_ids]

    async def of_meeting(
        self, meeting_id: str, statuses: Sequence[ParticipantStatus] | None = None
    ) -> list[Participation]:
        return [
            p
            for p in self._all()
            if p.meeting_id == meeting_id and (statuses is None or p.status in statuses)
        ]

    async def count_of(self, address: str) -> int:
        return sum(1 for p in self.by_id.values() if p.address == address)

    async def remove_meeting(self, meeting_id: str) -> None:
        self.by_id = {k: p for k, p in self.by_id.items() if p.meeting_id != meeting_id}


class FakeMeetings(MeetingRepository):
    def __init__(self) -> None:
        self.by_id: dict[str, Meeting] = {}

    async def get(self, meeting_id: str | None) -> Meeting:
        return self.by_id.get(meeting_id or "") or Meeting(meeting_id=meeting_id or "")

    async def save(self, meeting: Meeting) -> None:
        self.by_id[meeting.meeting_id] = meeting


class FakeDeliveries(DeliveryRepository):
    def __init__(self) -> None:
        self.by_id: dict[str, Delivery] = {}

    async def add(self, delivery: Delivery) -> bool:
        if any(
            (d.event_id, d.recipient, d.channel)
            == (delivery.event_id, delivery.recipient, delivery.channel)
            for d in self.by_id.values()
        ):
            return False
        self.by_id[delivery.id] = copy.deepcopy(delivery)
        return True

    async def claim_due(self, limit: int = 1) -> list[Delivery]:
        now = utcnow()
        due = [
            d
            for d in self.by_id.values()
            if d.pending and d.digest_key is None and d.due_at is not None and d.due_at <= now
        ]
        due.sort(key=lambda d: d.due_at or now)
        for d in due[:limit]:
            d.attempts += 1  # the claim counts the coming attempt
        return [_lease(d, now) for d in due[:limit]]

    async def pending_in_digest(
        self, digest_key: str, excluding: Sequence[str] = ()
    ) -> list[Delivery]:
        return [
            copy.deepcopy(d)
            for d in self.by_id.values()
            if d.digest_key == digest_key and d.pending and d.id not in excluding
        ]

    async def pending_of(self, recipient: str, meeting_id: str) -> list[Delivery]:
        return [
            copy.deepcopy(d)
            for d in self.by_id.values()
            if (d.recipient, d.meeting_id) == (recipient, meeting_id) and d.pending
        ]

    async def count_attempt(self, delivery_ids: Sequence[str]) -> None:
        for delivery_id in delivery_ids:
            self.by_id[delivery_id].attempts += 1

    async def finish(self, delivery: Delivery) -> bool:
        stored = self.by_id.get(delivery.id)
        if stored is None or (
            stored.lease != delivery.lease if delivery.lease else not stored.pending
        ):
            return False
        self.by_id[delivery.id] = copy.deepcopy(delivery)
        self.by_id[delivery.id].lease = None
        return True

    async def log(self, recipient: str, limit: int = 200) -> list[Delivery]:
        mine = [copy.deepcopy(d) for d in self.by_id.values() if d.recipient == recipient]
        return sorted(mine, key=lambda d: d.created_at, reverse=True)[:limit]

    async def of_meeting(self, meeting_id: str) -> list[Delivery]:
        return [
            copy.deepcopy(d)
            for d in self.by_id.values()
            if d.meeting_id == meeting_id and not d.purged
        ]

    async def save_purged(self, delivery: Delivery) -> None:
        self.by_id[delivery.id] = copy.deepcopy(delivery)
        self.by_id[delivery.id].lease = None


class FakeDigests(DigestRepository):
    def __init__(self) -> None:
        self.by_key: dict[str, Digest] = {}

    async def get(self, key: str) -> Digest | None:
        return copy.deepcopy(self.by_key.get(key))

    async def save(self, digest: Digest) -> None:
        self.by_key[digest.key] = copy.deepcopy(digest)

    async def forget_meeting(self, meeting_id: str) -> None:
        self.by_key = {k: d for k, d in self.by_key.items() if d.meeting_id != meeting_id}

    async def claim_due(self) -> Digest | None:
        now = utcnow()
        due = [d for d in self.by_key.values() if d.due_at is not None and d.due_at <= now]
        if not due:
            return None
        return _lease(min(due, key=lambda d: d.due_at or now), now)  # type: ignore[no-any-return]


class FakeSubscriptions(SubscriptionRepository):
    def __init__(self) -> None:
        self.by_id: dict[str, Subscription] = {}

    async def add(self, subscription: Subscription) -> None:
        self.by_id[subscription.id] = copy.deepcopy(subscription)

    async def get(self, subscription_id: str) -> Subscription | None:
        return copy.deepcopy(self.by_id.get(subscription_id))

    async def save(self, subscription: Subscription) -> None:
        self.by_id[subscription.id] = copy.deepcopy(subscription)

    async def all(self, partner: str | None = None) -> list[Subscription]:
        found = [s for s in self.by_id.values() if partner is None or s.partner == partner]
        return [copy.deepcopy(s) for s in sorted(found, key=lambda s: s.created_at)]

    async def active(self, *, recent: bool = False) -> list[Subscription]:
        return [copy.deepcopy(s) for s in self.by_id.values() if s.active]

    async def with_plain_secrets(self) -> list[Subscription]:
        return [copy.deepcopy(s) for s in self.by_id.values() if s.plain_secret]


class FakeWebhookDeliveries(WebhookDeliveryRepository):
    def __init__(self) -> None:
        self.by_id: dict[str, WebhookDelivery] = {}

    async def add_once(self, delivery: WebhookDelivery) -> None:
        key = (delivery.event_id, delivery.subscription_id)
        if all((d.event_id, d.subscription_id) != key for d in self.by_id.values()):
            self.by_id[delivery.id] = copy.deepcopy(delivery)

    async def claim_due(self) -> WebhookDelivery | None:
        now = utcnow()
        due = [
            d
            for d in self.by_id.values()
            if d.status == "pending" and d.due_at is not None and d.due_at <= now
        ]
        if not due:
            return None
        return _lease(min(due, key=lambda d: d.due_at or now), now)  # type: ignore[no-any-return]

    async def finish_attempt(self, delivery: WebhookDelivery) -> bool:
        stored = self.by_id.get(delivery.id)
        if stored is None or stored.lease != delivery.lease:
            return False
        stored.attempts.append(delivery.attempts[-1])
        stored.last_error, stored.due_at, stored.lease = delivery.last_error, delivery.due_at, None
        if delivery.status != "pending":
            stored.status, stored.completed_at = delivery.status, delivery.completed_at
        return True

    async def cancel(self, delivery: WebhookDelivery, reason: str, now: datetime) -> None:
        stored = self.by_id[delivery.id]
        if stored.lease == delivery.lease:
            stored.status, stored.completed_at, stored.last_error = "cancelled", now, reason
            stored.lease = None

    async def cancel_pending(self, subscription_id: str, reason: str, now: datetime) -> int:
        cancelled = 0
        for d in self.by_id.values():
            if d.subscription_id == subscription_id and d.status == "pending":
                d.status, d.completed_at, d.last_error = "cancelled", now, reason
                cancelled += 1
        return cancelled

    async def of_subscription(
        self, subscription_id: str, *, status: str | None, limit: int
    ) -> list[WebhookDelivery]:
        found = [
            copy.deepcopy(d)
            for d in self.by_id.values()
            if d.subscription_id == subscription_id and status in (None, d.status)
        ]
        return sorted(found, key=lambda d: d.created_at, reverse=True)[:limit]

    async def next_due(self) -> datetime | None:
        due = [d.due_at for d in self.by_id.values() if d.status == "pending" and d.due_at]
        return min(due, default=None)


class FakeNotificationsUnitOfWork(FakeUnitOfWork, NotificationsUnitOfWork):
    stores = (
        "recipients",
        "participations",
        "meetings",
        "deliveries",
        "digests",
        "subscriptions",
        "webhook_deliveries",
    )
    recipients: FakeRecipients
    participations: FakeParticipations
    meetings: FakeMeetings
    deliveries: FakeDeliveries
    digests: FakeDigests
    subscriptions: FakeSubscriptions
    webhook_deliveries: FakeWebhookDeliveries

    def __init__(self) -> None:
        super().__init__()
        self.recipients = FakeRecipients()
        self.participations = FakeParticipations()
        self.meetings = FakeMeetings()
        self.deliveries = FakeDeliveries()
        self.digests = FakeDigests()
        self.subscriptions = FakeSubscriptions()
        self.webhook_deliveries = FakeWebhookDeliveries()

    def handling(self, payload: Any) -> FakeNotificationsUnitOfWork:
        """This unit of work as a consumer's: `cause` is the payload's event."""
        self.cause = CATALOG.envelope(payload, source="/pesnet/test")
        return self

    @property
    def event(self) -> CloudEvent:
        assert self.cause is not None
        return self.cause
