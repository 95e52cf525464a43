"""The unit of work of notifications and the repositories it holds. The service layer
declares them here (taking and returning domain objects); `adapters/` implements them
over MongoDB, `tests/unit/notifications/fakes.py` in memory."""

from __future__ import annotations

import asyncio
import time
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pesnet.notifications.domain.deliveries import Delivery, Digest
from pesnet.notifications.domain.notices import Meeting
from pesnet.notifications.domain.recipients import Participation, Recipient
from pesnet.notifications.domain.webhooks import Subscription, WebhookDelivery
from pesnet.shared.events.common import ParticipantStatus
from pesnet.shared.unit_of_work import UnitOfWork


class RecipientRepository(ABC):
    @abstractmethod
    async def get(self, address: str) -> Recipient | None: ...

    @abstractmethod
    async def save(self, recipient: Recipient) -> None: ...

    @abstractmethod
    async def remove(self, address: str) -> None: ...

    @abstractmethod
    async def everyone(self) -> list[Recipient]:
        """Every recipient, by address."""

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
        """What an event says of a person merged into what is known of them
        (`Recipient.heard_of`), saved and returned; a database may do it in one write
        (`MongoRecipients.heard_of`)."""
        recipient = await self.get(Recipient.first_heard(email).address)
        recipient = recipient or Recipient.first_heard(email)
        recipient.heard_of(
            email=email,
            name=name,
            language=language,
            role=role,
            source=source,
            institution=institution,
            seen_at=seen_at,
        )
        await self.save(recipient)
        return recipient


class ParticipationRepository(ABC):
    @abstractmethod
    async def get(self, registration_id: str) -> Participation | None: ...

    @abstractmethod
    async def save(self, participation: Participation) -> None: ...

    async def record(self, participation: Participation) -> None:
        """A registration as an event tells it (as of `participation.as_of`), unless a
        newer state is stored (`Participation.newer_than`); the sessions stored stay.
        A database may do it in one write (`MongoParticipations.record`)."""
        assert participation.as_of is not None
        stored = await self.get(participation.registration_id)
        if stored is not None and stored.newer_than(participation.as_of):
            return
        if stored is not None:
            participation.sessions = stored.sessions
        await self.save(participation)

    @abstractmethod
    async def with_ids(self, registration_ids: Sequence[str]) -> list[Participation]: ...

    @abstractmethod
    async def of_meeting(
        self, meeting_id: str, statuses: Sequence[ParticipantStatus] | None = None
    ) -> list[Participation]:
        """A meeting's participations (with one of `statuses`), by registration id."""

    @abstractmethod
    async def count_of(self, address: str) -> int:
        """How many registrations the address has (in any meeting)."""

    @abstractmethod
    async def remove_meeting(self, meeting_id: str) -> None: ...


class MeetingRepository(ABC):
    @abstractmethod
    async def get(self, meeting_id: str | None) -> Meeting:
        """What is known of the meeting (only its id when nothing is)."""

    async def recent(self, meeting_id: str | None) -> Meeting:
        """The meeting as read in the last few seconds (a mail's wording: no round trip
        per mail; `pesnet.shared.recent`)."""
        return await self.get(meeting_id)

    @abstractmethod
    async def save(self, meeting: Meeting) -> None: ...


class DeliveryRepository(ABC):
    @abstractmethod
    async def add(self, delivery: Delivery) -> bool:
        """Store a new delivery unless its (event, recipient, channel) has one; True if
        it was new."""

    @abstractmethod
    async def claim_due(self, limit: int = 1) -> list[Delivery]:
        """Lease up to `limit` due deliveries that go out alone to the caller, earliest
        first, each with its coming attempt counted (in the same write)."""

    @abstractmethod
    async def pending_in_digest(
        self, digest_key: str, excluding: Sequence[str] = ()
    ) -> list[Delivery]: ...

    @abstractmethod
    async def pending_of(self, recipient: str, meeting_id: str) -> list[Delivery]:
        """An address's deliveries about a meeting not sent yet (alone or in a digest)."""

    @abstractmethod
    async def count_attempt(self, delivery_ids: Sequence[str]) -> None:
        """One more attempt of each, recorded at once (before the mail goes out)."""

    @abstractmethod
    async def finish(self, delivery: Delivery) -> bool:
        """Write the delivery's outcome (sent, failed, to retry) if it is still the
        caller's: still pending, and still leased to the caller if it was claimed."""

    @abstractmethod
    async def log(self, recipient: str, limit: int = 200) -> list[Delivery]:
        """An address's deliveries, newest first, without their mail bodies."""

    @abstractmethod
    async def of_meeting(self, meeting_id: str) -> list[Delivery]:
        """The deliveries about a meeting not purged yet."""

    @abstractmethod
    async def save_purged(self, delivery: Delivery) -> None:
        """Write a delivery `Delivery.purge` emptied or `Delivery.drop` cancelled
        (whatever its lease)."""


class DigestRepository(ABC):
    @abstractmethod
    async def get(self, key: str) -> Digest | None: ...

    @abstractmethod
    async def save(self, digest: Digest) -> None: ...

    async def claim_due_many(self, limit: int) -> list[Digest]:
        """Up to `limit` digests whose window closed, leased to the caller (one claim
        where the database allows: `MongoDigests`)."""
        found: list[Digest] = []
        while len(found) < limit and (digest := await self.claim_due()) is not None:
            found.append(digest)
        return found

    @abstractmethod
    async def claim_due(self) -> Digest | None:
        """Lease the earliest digest whose window has closed to the caller."""

    @abstractmethod
    async def forget_meeting(self, meeting_id: str) -> None: ...


class SubscriptionRepository(ABC):
    @abstractmethod
    async def add(self, subscription: Subscription) -> None: ...

    @abstractmethod
    async def get(self, subscription_id: str) -> Subscription | None: ...

    @abstractmethod
    async def save(self, subscription: Subscription) -> None: ...

    @abstractmethod
    async def all(self, partner: str | None = None) -> list[Subscription]:
        """Oldest first."""

    @abstractmethod
    async def active(self, *, recent: bool = False) -> list[Subscription]:
        """`recent`: as read within the last few seconds (`pesnet.shared.recent`), for a
        look outside any transaction."""

    @abstractmethod
    async def with_plain_secrets(self) -> list[Subscription]:
        """Subscriptions stored before secrets were sealed."""


class WebhookDeliveryRepository(ABC):
    @abstractmethod
    async def add_once(self, delivery: WebhookDelivery) -> None:
        """Store it unless its (event, subscription) has a delivery already."""

    @abstractmethod
    async def claim_due(self) -> WebhookDelivery | None:
        """Lease the earliest due pending delivery to the caller."""

    @abstractmethod
    async def finish_attempt(self, delivery: WebhookDelivery) -> bool:
        """Write the attempt just recorded and the new state, if the caller still holds
        the lease (False: it ran out and another worker took the delivery over)."""

    @abstractmethod
    async def cancel(self, delivery: WebhookDelivery, reason: str, now: datetime) -> None:
        """Cancel a delivery the caller holds."""

    @abstractmethod
    async def cancel_pending(self, subscription_id: str, reason: str, now: datetime) -> int:
        """Cancel what a subscription still had to send. A delivery being sent right now
        keeps its lease, so that attempt is still recorded."""

    @abstractmethod
    async def of_subscription(
        self, subscription_id: str, *, status: str | None, limit: int
    ) -> list[WebhookDelivery]:
        """Newest first, without their bodies."""

    @abstractmethod
    async def next_due(self) -> datetime | None: ...


@dataclass
class Handed:
    """Deliveries this process's consumer wrote already leased to this process's mail
    sender (`token`), handed over in memory once their transaction committed: sent
    without a claim (a read and a conditional update each time). Bounded: with `limit`
    waiting, new deliveries are written unleased and claimed as before; one that waited
    past half its lease is left to the claim (its lease runs out, it comes due again).
    `claim_wanted`: a delivery due now was written unleased (a claim may find it)."""

    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    limit: int = 16
    waiting: deque[tuple[float, Delivery]] = field(default_factory=deque)
    claim_wanted: bool = False

    def accepting(self) -> bool:
        return len(self.waiting) < self.limit

    def hand(self, delivery: Delivery, good_for: float) -> None:
        self.waiting.append((time.monotonic() + good_for, delivery))

    def take(self, limit: int) -> list[Delivery]:
        taken: list[Delivery] = []
        while self.waiting and len(taken) < limit:
            good_until, delivery = self.waiting.popleft()
            if time.monotonic() < good_until:
                taken.append(delivery)
        return taken


@dataclass(frozen=True)
class Wakeups:
    """What the workers of one process wait on besides their slow poll: set once a
    transaction that made work for them has committed (a delivery due now, a webhook
    delivery queued), so that nothing on the way to a mail waits for a poll."""

    mail: asyncio.Event = field(default_factory=asyncio.Event)
    webhooks: asyncio.Event = field(default_factory=asyncio.Event)
    handed: Handed = field(default_factory=Handed)


class NotificationsUnitOfWork(UnitOfWork):
    # what the store raises when it fails (unreachable, timed out): a worker backs off
    # and tries again later rather than stop; the adapter names its driver's errors
    store_errors: tuple[type[Exception], ...] = ()
    recipients: RecipientRepository
    participations: ParticipationRepository
    meetings: MeetingRepository
    deliveries: DeliveryRepository
    digests: DigestRepository
    subscriptions: SubscriptionRepository
    webhook_deliveries: WebhookDeliveryRepository
