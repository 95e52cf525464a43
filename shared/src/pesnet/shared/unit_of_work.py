"""The unit of work: one business transaction of a service.

A use case is a function of (command, unit of work). Inside `uow.run(work)` it reads
and writes through the service's repositories, which the unit of work binds to one
database transaction, and `uow.emit(...)` collects the events it causes. The events
are written to the outbox in that same transaction, so a state change and its
events are committed together or not at all.

`MongoUnitOfWork` is the real one; a service subclasses it to bind its repositories
(`bind`). `FakeUnitOfWork` is the in-memory one that unit tests use: same `run` and
`emit`, its repositories are dictionaries, and what was committed can be read back.

A consumer's handler gets a unit of work joined to the inbox transaction (`joined`),
so the inbox record, the effect and any follow-up events commit as one.

`uow.audit(action, meeting_id=..., subject=...)` records who did it in the service's
audit trail (`pesnet.shared.audit`), in the same transaction. The actor is `uow.actor`
if set, else the one the HTTP layer bound for the request; inside a consumer, the
`actorid` of the event being handled.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from pesnet.shared.audit import AuditEntry, AuditTrail
from pesnet.shared.catalog import EventPayload
from pesnet.shared.credentials import Actor
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.mongo import Client, Database, DbSession, in_transaction
from pesnet.shared.outbox import Outbox

T = TypeVar("T")


@dataclass(frozen=True)
class Emitted:
    payload: EventPayload
    subject: str | None = None
    # for work that no consumed event caused (a timer, a worker): what it follows from
    correlation_id: str | None = None
    causation_id: str | None = None


class UnitOfWork(ABC):
    """What use cases see: `run` a piece of work as one transaction, `emit` its events.

    `cause` is the event being handled when the work runs inside a consumer (None for
    work started by an HTTP request or a timer)."""

    cause: CloudEvent | None = None
    # who acts; None: the actor bound for the current request (`pesnet.shared.audit`)
    actor: Actor | None = None

    def __init__(self) -> None:
        self._emitted: list[Emitted] = []
        self._audits: list[AuditEntry] = []

    def emit(
        self,
        payload: EventPayload,
        *,
        subject: str | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
    ) -> None:
        """Queue an event; it is written to the outbox when the work commits. Its
        correlation and causation are `cause`'s unless given."""
        self._emitted.append(Emitted(payload, subject, correlation_id, causation_id))

    def audit(
        self, action: str, *, meeting_id: str | None = None, subject: str | None = None
    ) -> None:
        """Queue an audit entry (who did `action`, on which meeting and subject); it is
        written to the audit trail when the work commits."""
        self._audits.append(
            AuditEntry.now(
                action,
                actor=self.actor,
                actor_id=self.cause.actorid if self.cause is not None else None,
                meeting_id=meeting_id,
                subject=subject,
            )
        )

    @abstractmethod
    async def run(self, work: Callable[[Self], Awaitable[T]]) -> T:
        """Run `work(self)` as one transaction (retried as a whole on transient errors,
        so `work` must not have effects outside the unit of work)."""

    async def forget_published_events(self, meeting_id: str) -> int:
        """Inside `run`: delete the outbox's published internal events about a meeting
        (a purge of its personal data). Returns how many."""
        return 0


class MongoUnitOfWork(UnitOfWork):
    """A MongoDB transaction over the service's repositories and its outbox."""

    def __init__(self, client: Client, db: Database, outbox: Outbox) -> None:
        super().__init__()
        self.client = client
        self.db = db
        self.outbox = outbox
        self.audit_trail = AuditTrail(db)
        self._session: DbSession | None = None
        self._active: DbSession | None = None

    @abstractmethod
    def bind(self, session: DbSession | None) -> None:
        """Create the service's repositories on `session` (None: outside a transaction,
        for reads that need none)."""

    def joined(self, session: DbSession, cause: CloudEvent) -> Self:
        """A copy of this unit of work inside a transaction that is already open (the
        consumer's inbox transaction); its events carry `cause` as their causation."""
        joined = copy.copy(self)
        joined._emitted = []
        joined._audits = []
        joined._session = session
        joined.cause = cause
        joined.bind(session)
        return joined

    async def run(self, work: Callable[[Self], Awaitable[T]]) -> T:
        if self._session is not None:
            result = await work(self)
            await self._flush(self._session)
            return result

        async def attempt(session: DbSession) -> T:
            self._emitted = []
            self._audits = []
            self.bind(session)
            self._active = session
            try:
                result = await work(self)
                await self._flush(session)
                return result
            finally:
                self.bind(None)
                self._active = None

        return await in_transaction(self.client, attempt)

    async def forget_published_events(self, meeting_id: str) -> int:
        return await self.outbox.forget_meeting(self._session or self._active, meeting_id)

    async def _flush(self, session: DbSession) -> None:
        emitted, self._emitted = self._emitted, []
        audits, self._audits = self._audits, []
        for item in emitted:
            await self.outbox.add(
                session,
                item.payload,
                subject=item.subject,
                correlation_id=item.correlation_id
                or (self.cause.correlationid if self.cause else None),
                causation_id=item.causation_id or (self.cause.id if self.cause else None),
                actor_id=self.cause.actorid if self.cause else None,
            )
        await self.audit_trail.append(session, audits)


class FakeUnitOfWork(UnitOfWork):
    """In memory, for unit tests of use cases. A service's fake sets its in-memory
    repositories as attributes and lists them in `stores`; work that raises leaves
    them as they were (rolled back) and emits nothing."""

    stores: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.committed: list[Emitted] = []
        self.audited: list[AuditEntry] = []
        self.commits = 0
        # the meetings whose published events a purge deleted
        self.forgotten_meetings: list[str] = []

    async def run(self, work: Callable[[Self], Awaitable[T]]) -> T:
        saved: dict[str, Any] = {name: copy.deepcopy(getattr(self, name)) for name in self.stores}
        self._emitted = []
        self._audits = []
        try:
            result = await work(self)
        except BaseException:
            for name, value in saved.items():
                setattr(self, name, value)
            self._emitted = []
            self._audits = []
            raise
        self.committed.extend(self._emitted)
        self.audited.extend(self._audits)
        self._emitted = []
        self._audits = []
        self.commits += 1
        return result

    async def forget_published_events(self, meeting_id: str) -> int:
        self.forgotten_meetings.append(meeting_id)
        return 0

    def events(self, payload_type: type[EventPayload] | None = None) -> list[EventPayload]:
        """The payloads committed so far (of one type, if given)."""
        return [
            e.payload
            for e in self.committed
            if payload_type is None or isinstance(e.payload, payload_type)
        ]


__all__ = ["Emitted", "FakeUnitOfWork", "MongoUnitOfWork", "UnitOfWork"]
