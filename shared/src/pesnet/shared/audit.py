"""The audit trail: who did what, in every service, written with the change itself.

- Each service keeps an append-only `audit` collection. An entry holds the acting
  account id (or the kind of credential: `secretariat`, `focal_point:<id>`, ...), its
  roles, the action, the meeting and the subject it concerns, when, and the client's
  address: no name, e-mail or other personal data.
- A use case records an entry with `uow.audit("participant.confirmed",
  meeting_id=..., subject=...)`; the unit of work writes it in the same transaction as
  the state change and its events, so an entry exists exactly when the change does.
- Who is acting comes from the request: the HTTP layer binds the resolved actor and
  the client's address (`bind_actor`, `bind_client`) in context variables, the way the
  correlation id is bound; the outbox also puts the actor's id in every event the
  request causes (the `actorid` CloudEvents extension attribute).
- Entries are kept `RETENTION_DAYS` (a TTL index), then expire: the client address is
  personal data.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from pesnet.shared.credentials import ANONYMOUS, Actor
from pesnet.shared.envelope import utcnow
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec

AUDIT = "audit"
RETENTION_DAYS = 730
AUDIT_INDEXES = (
    IndexSpec(
        AUDIT, [("at", -1)], name="audit_expiry", expire_after_seconds=RETENTION_DAYS * 86400
    ),
    IndexSpec(AUDIT, [("meeting_id", 1), ("at", -1)], name="audit_by_meeting"),
    IndexSpec(AUDIT, [("actor", 1), ("at", -1)], name="audit_by_actor"),
)
MAX_ENTRIES = 1000

_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("pesnet_actor", default=None)
_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("pesnet_client", default=None)


def bind_actor(actor: Actor) -> None:
    """The actor of the current request (the HTTP layer calls this once it knows)."""
    _actor.set(actor)
    if not actor.is_anonymous:
        structlog.contextvars.bind_contextvars(actor_id=actor.audit_id)


def bind_request(address: str | None) -> None:
    """A request starts: its client's address, and no one known yet (anonymous)."""
    _client.set(address)
    _actor.set(ANONYMOUS)


def acting_actor() -> Actor | None:
    return _actor.get()


def acting_actor_id() -> str | None:
    """The `actorid` of the events the current request causes (None: no one known)."""
    actor = _actor.get()
    return None if actor is None or actor.is_anonymous else actor.audit_id


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    roles: tuple[str, ...]
    action: str
    at: datetime
    meeting_id: str | None = None
    subject: str | None = None
    client: str | None = None

    @classmethod
    def now(
        cls,
        action: str,
        *,
        actor: Actor | None = None,
        actor_id: str | None = None,
        meeting_id: str | None = None,
        subject: str | None = None,
    ) -> AuditEntry:
        """An entry for `action` by `actor` (default: the request's actor), or by an
        actor known only by its id (an event's `actorid`)."""
        actor = actor if actor is not None else _actor.get()
        if actor is not None:
            who, roles = actor.audit_id, tuple(sorted(r.value for r in actor.roles))
        else:  # no request: a timer, start-up, or a consumer (the event's actor, if any)
            who, roles = actor_id or "system", ()
        return cls(
            actor=who,
            roles=roles,
            action=action,
            at=utcnow(),
            meeting_id=meeting_id,
            subject=subject,
            client=_client.get(),
        )

    def document(self) -> Document:
        return {
            "actor": self.actor,
            "roles": list(self.roles),
            "action": self.action,
            "meeting_id": self.meeting_id,
            "subject": self.subject,
            "at": self.at,
            "from": self.client,
        }

    def view(self) -> dict[str, Any]:
        """As `GET /audit` shows it."""
        return {
            "actor": self.actor,
            "roles": list(self.roles),
            "action": self.action,
            "meeting_id": self.meeting_id,
            "subject": self.subject,
            "at": self.at.isoformat(),
            "from": self.client,
        }

    @classmethod
    def from_document(cls, doc: Document) -> AuditEntry:
        return cls(
            actor=doc["actor"],
            roles=tuple(doc.get("roles", ())),
            action=doc["action"],
            at=doc["at"],
            meeting_id=doc.get("meeting_id"),
            subject=doc.get("subject"),
            client=doc.get("from"),
        )


class AuditTrail:
    """A service's `audit` collection: appended to, read; never updated or deleted
    (only its retention expires entries)."""

    def __init__(self, db: Database) -> None:
        self.collection = db[AUDIT]

    async def append(self, session: DbSession | None, entries: list[AuditEntry]) -> None:
        if entries:
            await self.collection.insert_many([e.document() for e in entries], session=session)

    async def query(
        self,
        *,
        meeting_id: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Newest first."""
        where: Document = {}
        if meeting_id is not None:
            where["meeting_id"] = meeting_id
        if actor is not None:
            where["actor"] = actor
        if since is not None or until is not None:
            where["at"] = {
                **({"$gte": since} if since is not None else {}),
                **({"$lte": until} if until is not None else {}),
            }
        cursor = (
            self.collection.find(where)
            .sort([("at", -1), ("_id", -1)])
            .limit(min(limit, MAX_ENTRIES))
        )
        return [AuditEntry.from_document(doc) async for doc in cursor]


__all__ = [
    "AUDIT",
    "AUDIT_INDEXES",
    "AuditEntry",
    "AuditTrail",
    "acting_actor",
    "acting_actor_id",
    "bind_actor",
    "bind_request",
]
