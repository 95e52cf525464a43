"""The audit trail: who did what, in every service, written with the change itself.

- Each service keeps an append-only `audit` collection. An entry holds the acting
  account id (or the kind of credential: `secretariat`, `focal_point:<id>`, ...), its
  roles, the action, the meeting and the subject it concerns, when, and the client's
  address: no name, e-mail or other personal data.
- One fact, one record: the unit of work writes one entry for each event it commits
  (the action is the event's type without the service's name, `participant.confirmed`;
  the subject the id its CloudEvent subject names; the meeting its payload's), in the
  same transaction as the state change, so an entry exists exactly when the change
  does and says what the event says. What no event records (a read or an export of
  personal data, a refused sign-in, a projection's erasure) is audited explicitly, with
  an action of the short catalogue `AuditAction` (`uow.audit(AuditAction.<...>)`).
- The entries of one transaction share their time and are listed in the order they
  happened (`seq`): what the actor did before what it caused (a confirmation before
  its delegation's new counts), transactions newest first.
- Who is acting comes from the request: the HTTP layer binds the resolved actor and
  the client's address (`bind_actor`, `bind_client`) in context variables, the way the
  correlation id is bound; the outbox also puts the actor's id in every event the
  request causes (the `actorid` CloudEvents extension attribute).
- Entries are kept `RETENTION_DAYS` (a TTL index), then expire: the client address is
  personal data.
- The trail is tamper-evident: each entry is chained to the one before it by a hash,
  in the transaction that writes it (`pesnet.shared.audit_chain`, which also verifies
  the chain: `python -m pesnet.shared.audit_chain verify --service <name>`).
"""

from __future__ import annotations

import contextvars
import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import structlog

from pesnet.shared.audit_chain import CHAIN_INDEXES, AuditChain
from pesnet.shared.credentials import ANONYMOUS, Actor
from pesnet.shared.envelope import utcnow
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec, WriteBatch

AUDIT = "audit"
RETENTION_DAYS = 730
AUDIT_INDEXES = (
    IndexSpec(
        AUDIT, [("at", -1)], name="audit_expiry", expire_after_seconds=RETENTION_DAYS * 86400
    ),
    IndexSpec(AUDIT, [("meeting_id", 1), ("at", -1)], name="audit_by_meeting"),
    IndexSpec(AUDIT, [("actor", 1), ("at", -1)], name="audit_by_actor"),
    *CHAIN_INDEXES,
)
MAX_ENTRIES = 1000


class AuditAction(StrEnum):
    """What is audited explicitly, because no event records it: the whole list."""

    # a file of personal data left the service (a spreadsheet of participants)
    personal_data_exported = "check_ins.exported"
    # a person's data read by someone else than that person (staff, a focal point): a
    # registration, a list of participants, a badge
    personal_data_read = "personal_data.read"
    # a projection's copy of personal data erased (the owner's purge event caused it)
    personal_data_erased = "personal_data.purged"
    # someone signed in (an access token issued for a password)
    signed_in = "sign_in.succeeded"
    # a sign-in refused (wrong password, unknown or disabled account): no state changed
    sign_in_failed = "sign_in.failed"


def audit_action(event_type: str) -> str:
    """The action an event is audited as: its type without the producing service, which
    every entry of a service's own trail would repeat (`participant.confirmed`)."""
    parts = event_type.split(".", 1)
    return parts[1] if len(parts) == 2 and "." in parts[1] else event_type


def audit_subject(subject: str | None) -> str | None:
    """The id an event's subject names (`registration/abc` → `abc`)."""
    if subject is None:
        return None
    return subject.split("/", 1)[1] if "/" in subject else subject


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
    # its place among the entries of its transaction (which share `at`)
    seq: int = 0
    # how many the action concerned, where its event says (an announcement's recipients)
    count: int | None = None

    def numbered(self, seq: int, at: datetime) -> AuditEntry:
        return dataclasses.replace(self, seq=seq, at=at)

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
            "seq": self.seq,
            "from": self.client,
            "count": self.count,
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
            **({"count": self.count} if self.count is not None else {}),
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
            seq=doc.get("seq", 0),
            count=doc.get("count"),
        )


class AuditTrail:
    """A service's `audit` collection: appended to, read; never updated or deleted
    (only its retention expires entries)."""

    def __init__(self, db: Database) -> None:
        self.collection = db[AUDIT]
        self.chain = AuditChain(db)

    async def append(self, session: DbSession | None, entries: list[AuditEntry]) -> None:
        """Write `entries`, chained, in the transaction `session` (with its lane's head)."""
        if entries:
            docs = [e.document() for e in entries]
            await self.chain.extend(session, docs)
            await self.collection.insert_many(docs, session=session)

    async def stage(
        self, batch: WriteBatch, entries: list[AuditEntry], session: DbSession | None
    ) -> None:
        """The entries, chained (their lane's head as this process knows it), in the batch their
        transaction ends with (`WriteBatch`), with the lane's new head."""
        if not entries:
            return
        docs = [entry.document() for entry in entries]
        head = await self.chain.link(session, docs)
        for doc in docs:
            batch.insert(self.collection, doc)
        self.chain.stage_head(batch, head)

    async def query(
        self,
        *,
        meeting_id: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Newest first; a transaction's entries in the order they happened."""
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
            .sort([("at", -1), ("seq", 1), ("_id", -1)])
            .limit(min(limit, MAX_ENTRIES))
        )
        return [AuditEntry.from_document(doc) async for doc in cursor]


__all__ = [
    "AUDIT",
    "AUDIT_INDEXES",
    "AuditAction",
    "AuditEntry",
    "AuditTrail",
    "acting_actor",
    "acting_actor_id",
    "audit_action",
    "audit_subject",
    "bind_actor",
    "bind_request",
]
