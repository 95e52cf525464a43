"""The audit trail's hash chain: an entry rewritten, removed or slipped in is found.

Each entry (`pesnet.shared.audit`) is written with four more fields beside its own:
`chain` (its lane), `n` (its place in the lane), `prev` (the hash of the lane's entry
before it) and `hash`, SHA-256 of the entry's fields, its place and `prev`. A lane's
head (collection `audit_chain`: its last `n`, `hash` and time) is read and updated in
the transaction that writes the entries, so the entries and the head commit together;
two transactions that would extend one lane at once conflict on its head and one is
retried whole (`ClientSession.with_transaction`), so a lane never forks. A process keeps
each lane's head as its own last committed write left it and chains to that without
reading it; the head is then written only where it still is what the process knows
(`n` in the filter of an upsert, which fails on the head's id where another replica moved
the lane on: `StaleAuditHead`, and the transaction is retried reading the head). There are
`LANES` lanes, taken in turn by a process's transactions from a random first one, so
that up to `LANES` concurrent transactions of one process never meet on a head (8 picked
at random, 16 at once met so often that a registration's transaction was run twice on
average: issue "Half the cost of a registration"); replicas start at different lanes.
What a transaction costs is one write of a head, beside the entries it writes anyway
(and a read of it, the first time or after another replica's).

`python -m pesnet.shared.audit_chain verify --service registration` (MONGODB_URL, and
PESNET_DATABASE when the database is not `pesnet_<service>`) walks every lane and names
the first broken entry: one whose content changed (its hash), one whose predecessor is
missing (a gap in `n`, or a `prev` that is not the previous hash), or a lane whose last
entries were removed (its head names a later one). Entries expire after the trail's
retention: a lane may start later than `n` 1 when the entry before it is that old.
Entries written before the chain are counted apart, not judged.

What this proves: that the trail was not edited document by document, e.g. through the
database. Whoever can run the service's own code with its database credentials could
rewrite a lane from some entry on, with its head; `verify` prints each lane's head, and
an operator who keeps those lines elsewhere (a ticket, the backup's log) can tell that
too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import itertools
import json
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError, OperationFailure

from pesnet.shared.mongo import (
    Database,
    DbSession,
    Document,
    IndexSpec,
    WriteBatch,
    after_commit,
    make_client,
)

AUDIT_CHAIN = "audit_chain"
LANES = 32
# this process's next lane (`AuditChain.link`)
_turns = itertools.count(secrets.randbelow(LANES))
GENESIS = "0" * 64
# each lane's head (n, hash, time) as this process's last committed write left it, by
# the heads' collection and lane
_written: dict[tuple[str, int], tuple[int, str, Any]] = {}
CHAIN_INDEXES = (IndexSpec("audit", [("chain", 1), ("n", 1)], name="audit_chain_order"),)
# what an entry's hash covers besides its place: every field `AuditEntry.document` writes
_CONTENT = ("actor", "roles", "action", "meeting_id", "subject", "at", "seq", "from")


def _instant(value: Any) -> Any:
    """A time as the database keeps it (milliseconds, UTC)."""
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return utc.isoformat(timespec="milliseconds")
    return value


def entry_hash(doc: Document) -> str:
    content = {name: _instant(doc.get(name)) for name in _CONTENT}
    content.update(
        chain=doc["chain"], n=doc["n"], prev=doc["prev"], prev_at=_instant(doc.get("prev_at"))
    )
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class AuditChain:
    """The lanes' heads of one service's trail."""

    def __init__(self, db: Database) -> None:
        self.heads = db[AUDIT_CHAIN]

    async def ensure(self) -> None:
        """Every lane's head, empty, before the first transaction needs it (two first
        transactions would otherwise both create it)."""
        have = {doc["_id"] async for doc in self.heads.find({}, projection={"_id": 1})}
        for lane in range(LANES):
            if lane not in have:
                with contextlib.suppress(DuplicateKeyError):
                    await self.heads.insert_one({"_id": lane, "n": 0, "hash": GENESIS, "at": None})

    async def extend(self, session: DbSession | None, docs: list[Document]) -> None:
        """Chain `docs` (entries about to be inserted, in their order) to a lane."""
        head = await self.link(session, docs)
        try:
            await self.heads.update_one(
                {"_id": head["_id"], "n": head["was"]},
                {"$set": head["set"]},
                upsert=True,
                session=session,
            )
        except DuplicateKeyError as exc:
            raise self._stale(head["_id"]) from exc

    async def link(self, session: DbSession | None, docs: list[Document]) -> Document:
        """Chain `docs` to a lane as this process knows its head (read in `session` when
        it does not); the lane's new head, for the caller to write in the same
        transaction (`stage_head`): `{"_id": lane, "was": n, "set": {...}}`."""
        lane = next(_turns) % LANES
        key = (self.heads.full_name, lane)
        known = _written.get(key)
        if known is None:
            head = await self.heads.find_one({"_id": lane}, session=session) or {}
            known = (int(head.get("n", 0)), str(head.get("hash", GENESIS)), head.get("at"))
        n, prev, prev_at = known
        was = n
        for doc in docs:
            n += 1
            doc.update(chain=lane, n=n, prev=prev, prev_at=prev_at)
            doc["hash"] = prev = entry_hash(doc)
            prev_at = doc["at"]
        written = (n, prev, prev_at)
        after_commit(lambda: _remember(key, written))
        return {"_id": lane, "was": was, "set": {"n": n, "hash": prev, "at": prev_at}}

    def stage_head(self, batch: WriteBatch, head: Document) -> None:
        """The lane's new head, written where the lane still is at `was`."""
        lane = head["_id"]
        batch.update(
            self.heads,
            {"_id": lane, "n": head["was"]},
            {"$set": head["set"]},
            upsert=True,
            on_duplicate=lambda _details: self._stale(lane),
        )

    def _stale(self, lane: int) -> Exception:
        _written.pop((self.heads.full_name, lane), None)
        return StaleAuditHead(lane)


class StaleAuditHead(OperationFailure):
    """A lane's head moved on since this process wrote it (another replica extended the
    lane): a transient error, so that the transaction is retried whole, reading it."""

    def __init__(self, lane: int) -> None:
        labels = {"errorLabels": ["TransientTransactionError"], "code": 112}
        super().__init__(f"audit lane {lane} moved on since this process wrote it", 112, labels)


def _remember(key: tuple[str, int], head: tuple[int, str, Any]) -> None:
    """A committed head, unless a later one of this process's committed first."""
    known = _written.get(key)
    if known is None or known[0] < head[0]:
        _written[key] = head


@dataclass
class Verdict:
    entries: int = 0
    unchained: int = 0
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)
    # the first broken entry: its id, lane, place, action and time, and what is wrong
    broken: dict[str, Any] | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _break(doc: Document | None, lane: int, n: int, why: str) -> dict[str, Any]:
    doc = doc or {}
    return {
        "id": str(doc.get("_id")) if doc else None,
        "lane": lane,
        "n": n,
        "action": doc.get("action"),
        "at": _instant(doc.get("at")),
        "why": why,
    }


async def _verify_lane(
    db: Database, lane: int, head: Document | None, retention: timedelta, now: datetime
) -> tuple[int, dict[str, Any] | None]:
    count, prev, expected = 0, None, None
    async for doc in db["audit"].find({"chain": lane}).sort("n", 1):
        count += 1
        n = int(doc.get("n", 0))
        if expected is None:
            old = doc.get("prev_at")
            expired = old is None or _aware(old) < now - retention
            if n != 1 and not (isinstance(old, datetime) and expired):
                return count, _break(doc, lane, n, f"the entry before it ({n - 1}) is missing")
        elif n != expected:
            return count, _break(doc, lane, n, f"entries {expected} to {n - 1} are missing")
        elif doc.get("prev") != prev:
            return count, _break(doc, lane, n, "it does not follow the entry before it")
        if entry_hash(doc) != doc.get("hash"):
            return count, _break(doc, lane, n, "its content was changed")
        prev, expected = doc["hash"], n + 1
    last = (expected or 1) - 1
    if head is not None and (int(head.get("n", 0)) != last or (prev and head["hash"] != prev)):
        if int(head.get("n", 0)) > last:
            why = f"its last entries ({last + 1} to {head['n']}) were removed"
            return count, _break(None, lane, last + 1, why)
        return count, _break(None, lane, last, "its head does not name its last entry")
    return count, None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def verify(db: Database, *, retention_days: int, now: datetime | None = None) -> Verdict:
    """Walk every lane of `db`'s trail; the first broken entry, if any."""
    now = now or datetime.now(UTC)
    verdict = Verdict()
    heads = {int(h["_id"]): h async for h in db[AUDIT_CHAIN].find({})}
    lanes = sorted(set(heads) | set(await db["audit"].distinct("chain")))
    for lane in lanes:
        count, broken = await _verify_lane(
            db, lane, heads.get(lane), timedelta(days=retention_days), now
        )
        verdict.entries += count
        if lane in heads:
            verdict.heads[lane] = (int(heads[lane]["n"]), str(heads[lane]["hash"]))
        if broken is not None and verdict.broken is None:
            verdict.broken = broken
    verdict.unchained = await db["audit"].count_documents({"chain": {"$exists": False}})
    return verdict


def report(database: str, verdict: Verdict) -> list[str]:
    lines = [
        f"audit trail of {database}: {verdict.entries} chained entries in "
        f"{len(verdict.heads)} lanes ({verdict.unchained} written before the chain)"
    ]
    for lane, (n, digest) in sorted(verdict.heads.items()):
        lines.append(f"  lane {lane}: {n} entries, head {digest}")
    if verdict.broken is None:
        lines.append("intact")
    else:
        b = verdict.broken
        lines.append(
            f"BROKEN at lane {b['lane']} entry {b['n']} (id {b['id']}, {b['action']}, "
            f"{b['at']}): {b['why']}"
        )
    return lines


async def _run(url: str, database: str, retention_days: int) -> int:
    client = make_client(url)
    try:
        verdict = await verify(client[database], retention_days=retention_days)
    finally:
        await client.close()
    print("\n".join(report(database, verdict)))
    return 0 if verdict.intact else 1


def main(argv: Sequence[str] | None = None) -> int:
    from pesnet.shared.audit import RETENTION_DAYS

    parser = argparse.ArgumentParser(
        prog="python -m pesnet.shared.audit_chain",
        description="Verify a service's audit trail (exit 1 naming the first broken entry).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("verify", help="walk the hash chain of a service's audit trail")
    check.add_argument("--service", required=True, help="registration, agenda, ...")
    check.add_argument("--database", help="default: PESNET_DATABASE, else pesnet_<service>")
    args = parser.parse_args(argv)
    url = os.environ.get("MONGODB_URL")
    if not url:
        print("MONGODB_URL must be set (the service's database server)", file=sys.stderr)
        return 2
    database = args.database or os.environ.get("PESNET_DATABASE") or f"pesnet_{args.service}"
    return asyncio.run(_run(url, database, RETENTION_DAYS))


if __name__ == "__main__":
    sys.exit(main())
