"""The unit of work: one business transaction of a service.

A use case is a function of (command, unit of work). Inside `uow.run(work)` it reads
and writes through the service's repositories, which the unit of work binds to one
database transaction. The events of what happened are recorded by the aggregates
themselves (`pesnet.shared.aggregate`: `registration.record(...)`), and the unit of
work collects them from every aggregate its repositories saw (cosmicpython's
`collect_new_events`); work that is not an aggregate's may still `uow.emit(...)`. The
events are written to the outbox in that same transaction, so a state change and its
events are committed together or not at all.

One fact, one record: for each committed event the unit of work writes one entry to
the service's audit trail (`pesnet.shared.audit`) in the same transaction: who (the
actor), the action (the event type, without the service's name: each service keeps
its own trail), the subject, the meeting, when and from where. Only what no event
records (reads and exports of personal data, refused sign-ins) is audited explicitly,
with `uow.audit(AuditAction.<action>, ...)` from the kernel's short catalogue. The actor
is `uow.actor` if set, else the one the HTTP layer bound for the request; inside a
consumer, the `actorid` of the event being handled.

`MongoUnitOfWork` is the real one; a service subclasses it to bind its repositories
(`bind`). `FakeUnitOfWork` is the in-memory one that unit tests use: same `run`, its
repositories are dictionaries, and what was committed (events, audit entries) can be
read back.

A consumer's handler gets a unit of work joined to the inbox transaction (`joined`),
so the inbox record, the effect and any follow-up events commit as one. Units of work
that share a `GroupCommit` (`committing_with`) commit what they run at the same time in
one transaction.
"""

from __future__ import annotations

import copy
import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from pesnet.shared.aggregate import Repository, next_sequence
from pesnet.shared.audit import (
    AuditAction,
    AuditEntry,
    AuditTrail,
    audit_action,
    audit_subject,
)
from pesnet.shared.catalog import EventPayload, UnknownEventType
from pesnet.shared.credentials import Actor
from pesnet.shared.envelope import CloudEvent, utcnow
from pesnet.shared.events import CATALOG
from pesnet.shared.group_commit import GroupCommit
from pesnet.shared.mongo import Client, Database, DbSession, WriteBatch, deferred, in_transaction
from pesnet.shared.outbox import Outbox
from pesnet.shared.tracing import use_case_span

T = TypeVar("T")


@dataclass(frozen=True)
class Emitted:
    payload: EventPayload
    subject: str | None = None
    # for work that no consumed event caused (a timer, a worker): what it follows from
    correlation_id: str | None = None
    causation_id: str | None = None
    # its place among the events of the transaction (emitted or recorded)
    sequence: int = 0


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
        """Queue an event that no aggregate records; it is written to the outbox (and
        its audit entry to the trail) when the work commits. Its correlation and
        causation are `cause`'s unless given."""
        self._emitted.append(
            Emitted(payload, subject, correlation_id, causation_id, next_sequence())
        )

    def audit(
        self, action: AuditAction, *, meeting_id: str | None = None, subject: str | None = None
    ) -> None:
        """Queue an audit entry for what no event records (one of the kernel's
        `AuditAction`s); it is written to the audit trail when the work commits."""
        self._audits.append(self._entry(action.value, meeting_id, subject))

    def _entry(self, action: str, meeting_id: str | None, subject: str | None) -> AuditEntry:
        return AuditEntry.now(
            action,
            actor=self.actor,
            actor_id=self.cause.actorid if self.cause is not None else None,
            meeting_id=meeting_id,
            subject=subject,
        )

    def _repositories(self) -> list[Repository]:
        return [value for value in vars(self).values() if isinstance(value, Repository)]

    def _pending(self) -> list[Emitted]:
        """The events of the work so far: emitted, and recorded by the aggregates the
        repositories saw, in the order they happened."""
        found = list(self._emitted)
        for repository in self._repositories():
            for aggregate in repository.seen:
                found.extend(
                    Emitted(r.payload, r.subject, sequence=r.sequence)
                    for r in aggregate.recorded_events
                )
        found.sort(key=lambda e: e.sequence)
        return found

    def _committed(self) -> None:
        """The work committed: its aggregates' events are no longer pending."""
        for repository in self._repositories():
            for aggregate in repository.seen:
                aggregate.commit_events()
            repository.forget_seen()

    def _audit_entries(self, events: list[tuple[str, Emitted]]) -> list[AuditEntry]:
        """One entry per event (`type`, the event), then the explicit ones: all at one
        time, numbered in the order they happened (`GET /audit` lists a transaction's
        entries in that order: what was done before what it caused)."""
        entries = [
            dataclasses.replace(
                self._entry(
                    audit_action(action), _meeting_of(item.payload), audit_subject(item.subject)
                ),
                count=getattr(item.payload, "audit_count", None),
            )
            for action, item in events
        ]
        entries.extend(self._audits)
        at = utcnow()
        return [entry.numbered(seq, at) for seq, entry in enumerate(entries)]

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
        # the transactions this one commits with (`committing_with`); None: alone
        self.group: GroupCommit | None = None

    @abstractmethod
    def bind(self, session: DbSession | None) -> None:
        """Create the service's repositories on `session` (None: outside a transaction,
        for reads that need none)."""

    @property
    def transaction(self) -> DbSession | None:
        """The transaction this unit of work runs in (None outside `run`): for a kernel
        projection that is none of the service's repositories (`account_status`)."""
        return self._session or self._active

    def committing_with(self, group: GroupCommit) -> Self:
        """This unit of work's transactions commit as one with those of the units of work
        sharing `group` that run at the same time (`pesnet.shared.group_commit`): for
        work that may run side by side, such as the mail worker's sends."""
        self.group = group
        return self

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
            self._committed()  # the inbox transaction commits it, or is retried whole
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
                self._active = None

        try:
            with use_case_span(work):
                if self.group is not None:
                    result = await self.group.run(attempt)
                else:
                    result = await in_transaction(self.client, attempt)
            self._committed()
            return result
        finally:
            self.bind(None)

    async def forget_published_events(self, meeting_id: str) -> int:
        return await self.outbox.forget_meeting(self._session or self._active, meeting_id)

    async def _flush(self, session: DbSession) -> None:
        """The outbox entries and audit entries of the work, deferred to the end of the
        transaction (one round trip with its other deferred writes: `WriteBatch`)."""
        pending = self._pending()
        batch = deferred(session) or WriteBatch()
        written = []
        for item in pending:
            event = self.outbox.stage(
                batch,
                item.payload,
                subject=item.subject,
                correlation_id=item.correlation_id
                or (self.cause.correlationid if self.cause else None),
                causation_id=item.causation_id or (self.cause.id if self.cause else None),
                actor_id=self.cause.actorid if self.cause else None,
            )
            written.append((event.type, item))
        entries = self._audit_entries(written)
        self._emitted, self._audits = [], []
        await self.audit_trail.stage(batch, entries, session)
        if batch is not deferred(session):  # a transaction `in_transaction` does not run
            await batch.flush(self.client, session)


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
        for repository in self._repositories():
            repository.forget_seen()
        saved: dict[str, Any] = {name: copy.deepcopy(getattr(self, name)) for name in self.stores}
        self._emitted = []
        self._audits = []
        try:
            result = await work(self)
            pending = self._pending()
        except BaseException:
            for name, value in saved.items():
                setattr(self, name, value)
            self._emitted = []
            self._audits = []
            raise
        self.committed.extend(pending)
        self.audited.extend(self._audit_entries([(event_type(e.payload), e) for e in pending]))
        self._committed()
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


def _meeting_of(payload: EventPayload) -> str | None:
    """The meeting an event is about, where its payload names one."""
    meeting_id = getattr(payload, "meeting_id", None)
    return meeting_id if isinstance(meeting_id, str) and meeting_id else None


def event_type(payload: EventPayload) -> str:
    """The type of a payload of the platform's catalog (a test's own payload: its class)."""
    try:
        return CATALOG.type_of(type(payload))
    except UnknownEventType:
        return type(payload).__name__


__all__ = ["Emitted", "FakeUnitOfWork", "MongoUnitOfWork", "UnitOfWork", "event_type"]
