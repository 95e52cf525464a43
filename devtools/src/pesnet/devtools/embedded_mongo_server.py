"""The embedded MongoDB-wire server (SecantusDB), with mongod's transaction reaper.

mongod aborts a transaction left open past `transactionLifetimeLimitSeconds` (60 s) from
a periodic background job, so a client killed in the middle of one (`kill -9`) holds its
documents for a minute at most. SecantusDB reaps such transactions only when another
transaction statement arrives; a plain write that meets the dead transaction's writes
retries without end while it waits, so after a killed mail sender nothing else comes
and the collection stays blocked (the fault drill saw 572 s). This starts the server as
its own command line does, plus a thread that reaps expired transactions every few
seconds, as mongod does.

Two more of its waits could block the server for good after a killed client (the drill
saw every write of notifications' database time out for a quarter of an hour), and
`ReapingServer` takes them out:
- a plain `update_many`/`delete_many` that meets another transaction's write retries
  while it holds its collection's lock (the chunked path), so a live transaction's next
  statement on that collection waits for the lock while holding its own; here they take
  the path that releases the collection between attempts, as single-document writes do;
- the reaper waits for each transaction's lock in turn while it holds the registry's, so
  one busy transaction kept it from the dead one behind it, and every transaction
  statement waited behind the reaper; here it passes over a transaction whose statement
  is running (in use, so not idle) and reaps the others.

A findAndModify writes the document it found with the filter `{_id, $and: [query]}`,
and SecantusDB's planner takes no index under a top-level `$and`: every findAndModify
scanned its whole collection (the rate-limit counters, notifications' recipients,
agenda's participants: 7 ms each at a few hundred documents, growing with them).
`route_writes_by_id` reads the one document of that `_id` instead. And the catalog (a
collection's indexes and options) is read once, not on every write
(`embedded_mongo_catalog`).

No oplog: the platform reads no change stream, and SecantusDB wrote every changed
document whole into its oplog (and kept the last 100,000 of them): the platform's
biggest documents (a delivery with its mail) twice on every write, for nobody.
Transactions, sessions and the cluster time gossiped in every reply work without it.

A projection of top-level fields takes them from the decoded document without copying
each value (`project_top_level_fields_directly`). And the TTL sweep finds what expired
through its index instead of decoding every document under the store's lock each minute
(`expire_through_ttl_indexes`).

And `bulkWrite` takes `readConcern`, as mongod 8's does: a driver sends it with a
transaction's first command (`afterClusterTime`, in a causally consistent session), and
a transaction whose first command is its batch of writes was refused by SecantusDB.

    python -m pesnet.devtools.embedded_mongo_server [--transaction-lifetime S] <secantusdb's flags>
"""

from __future__ import annotations

import functools
import sys
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from secantus import cli, commands
from secantus.server import SecantusDBServer
from secantus.storage import Storage, _id_point_lookup_keys
from secantus.transactions import TransactionRegistry, TxnState

from pesnet.devtools.embedded_mongo_catalog import cache_catalog_reads
from pesnet.shared.process import settle_garbage_collection

Document = dict[str, Any]

REAP_EVERY_SECONDS = 5.0
LIFETIME_FLAG = "--transaction-lifetime"


def _reap_idle_transactions(registry: TransactionRegistry) -> int:
    """`TransactionRegistry._prune_locked` without waiting for a busy transaction (called
    with the registry's lock held)."""
    cutoff = registry._time() - registry._lifetime
    reaped = 0
    for txn in list(registry._txns.values()):
        if not txn.mutex.acquire(blocking=False):
            continue  # a statement of it is running: in use, not idle
        try:
            if txn.state is TxnState.IN_PROGRESS and txn.last_use < cutoff:
                registry._rollback_quietly(txn)
                txn.state = TxnState.ABORTED
                reaped += 1
        finally:
            txn.mutex.release()
    return reaped


def _update_many_unchunked(
    storage: Storage, db: str, coll: str, filter: Document, update: Document, **options: Any
) -> Document:
    """A plain multi-document update as one statement transaction, retried from scratch
    with the collection's lock released in between (the chunked path retries a chunk
    while it holds the lock)."""
    result: Document = storage._update_matching_single_txn(
        db, coll, filter, update, multi=True, **options
    )
    return result


def _delete_many_unchunked(
    storage: Storage, db: str, coll: str, filter: Document, **options: Any
) -> int:
    """The same for a plain multi-document delete."""
    deleted: int = storage._delete_matching_single_txn(db, coll, filter, limit=0, **options)
    return deleted


def release_collections_between_write_attempts() -> None:
    """Plain multi-document writes take the path that lets go of the collection between
    attempts (the module's docstring says why). The platform's multi-document writes are
    bounded (batches of a hundred, one meeting's purge), so one statement transaction each
    is fine."""
    Storage._update_matching_chunked = _update_many_unchunked
    Storage._delete_matching_chunked = _delete_many_unchunked


def route_writes_by_id() -> None:
    """A write path's candidates for a filter with a point `_id` among other fields: the
    documents of that `_id` (every caller matches each candidate against the whole
    filter, so what is written is the same; only the scan goes)."""
    candidates = Storage._candidates_iter
    if getattr(candidates, "routes_by_id", False):
        return

    def by_id_first(
        storage: Storage, db: str, coll: str, filter: Document | None
    ) -> list[tuple[int, bytes, bytes]]:
        if (
            filter
            and len(filter) > 1
            and "_id" in filter
            and _id_point_lookup_keys(filter["_id"]) is not None
            and not storage._is_timeseries(db, coll)
        ):
            filter = {"_id": filter["_id"]}
        found: list[tuple[int, bytes, bytes]] = candidates(storage, db, coll, filter)
        return found

    by_id_first.routes_by_id = True  # type: ignore[attr-defined]
    Storage._candidates_iter = by_id_first


def _top_level_inclusion(spec: Any) -> frozenset[str] | None:
    """The fields of a projection that only includes top-level fields (`{"a": 1, "b":
    True}`, `_id` included or not), else None: every other projection is SecantusDB's."""
    if not isinstance(spec, dict) or not spec:
        return None
    fields = set()
    for name, value in spec.items():
        if not isinstance(name, str) or "." in name or name.startswith("$"):
            return None
        if name == "_id" and value in (0, 1) and isinstance(value, bool | int):
            continue
        if value is not True and not (type(value) is int and value == 1):
            return None
        fields.add(name)
    return frozenset(fields) if fields else None


def project_top_level_fields_directly() -> None:
    """A find's projection of top-level fields takes them from each document as decoded
    (in the document's order, as mongod keeps them): SecantusDB deep-copied every value it
    kept, a fifth of the time of a list's first query (the participants page reads one
    date of each of 2,000 registrations). Each document is decoded for the query alone,
    so nothing else holds the values it returns."""
    from secantus import storage as storage_module

    projected = storage_module.apply_projection_batch
    if getattr(projected, "takes_fields_directly", False):
        return

    def directly(
        docs: list[Document], spec: Any, query: Any = None, *, metas: Any = None, **options: Any
    ) -> list[Document]:
        fields = _top_level_inclusion(spec)
        if fields is None or metas is not None:
            found: list[Document] = projected(docs, spec, query, metas=metas, **options)
            return found
        with_id = spec.get("_id", 1) in (1, True)
        return [
            {k: v for k, v in doc.items() if k in fields or (with_id and k == "_id")}
            for doc in docs
        ]

    directly.takes_fields_directly = True  # type: ignore[attr-defined]
    storage_module.apply_projection_batch = directly


def _ttl_field(key_spec: Any, options: Any) -> tuple[str, float] | None:
    """The field and seconds of a TTL index as mongod expires by it (one field, not
    `_id`, a number of seconds), else None."""
    ttl = options.get("expireAfterSeconds")
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl != ttl or ttl < 0:
        return None
    if len(key_spec) != 1:
        return None
    field, direction = next(iter(key_spec.items()))
    if not isinstance(field, str) or field == "_id" or isinstance(direction, bool):
        return None
    if not isinstance(direction, int | float):
        return None
    return field, float(ttl)


def expire_through_ttl_indexes() -> None:
    """The TTL sweep (every 60 s) deletes what its index says has expired: SecantusDB
    decoded every document of every collection with a TTL index to look at its date,
    holding the store's lock (1 s at 27,000 small documents with nothing to expire; the
    outboxes, deliveries and audit trails hold that many and more), so every minute a
    request waited seconds for it. A partial TTL index (none on the platform) keeps
    SecantusDB's sweep."""
    scanning = Storage.prune_ttl
    if getattr(scanning, "through_index", False):
        return

    def through_index(storage: Storage, db: str, coll: str, *, now: datetime | None = None) -> int:
        when = now or datetime.now(UTC)
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        expiring = []
        for _name, key_spec, options in storage._iter_indexes(db, coll):
            found = _ttl_field(key_spec, options)
            if found is None:
                continue
            if options.get("partialFilterExpression"):
                pruned: int = scanning(storage, db, coll, now=now)
                return pruned
            expiring.append(found)
        deleted = 0
        for field, seconds in expiring:
            try:
                cutoff = when - timedelta(seconds=seconds)
            except OverflowError:
                continue
            # through the index on `field`, and each document matched again as it is
            # deleted: what expired since a read is deleted too, what changed is not
            deleted += storage._delete_matching_single_txn(db, coll, {field: {"$lt": cutoff}})
        return deleted

    through_index.through_index = True  # type: ignore[attr-defined]
    through_index.scanning = scanning  # type: ignore[attr-defined]
    Storage.prune_ttl = through_index


def accept_read_concern_on_bulk_write() -> None:
    """`bulkWrite` as a transaction's first command, with the read concern it carries."""
    commands._BULK_WRITE_KNOWN_FIELDS = commands._BULK_WRITE_KNOWN_FIELDS | {"readConcern"}


class ReapingServer(SecantusDBServer):
    """SecantusDB with a periodic sweep of transactions idle past their lifetime, and no
    oplog."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # after the replica set's bootstrap entry: nothing reads the oplog here
        self.storage.enable_oplog = False
        self._reaper_stop = threading.Event()
        registry = self.transactions
        # the registry calls it on every statement, commit and abort, and so does the reaper
        registry._prune_locked = functools.partial(_reap_idle_transactions, registry)

    def start(self) -> None:
        super().start()
        threading.Thread(target=self._reap, name="transaction-reaper", daemon=True).start()

    def stop(self) -> None:
        self._reaper_stop.set()
        super().stop()

    def _reap(self) -> None:
        every = min(REAP_EVERY_SECONDS, self.transactions._lifetime / 2)
        while not self._reaper_stop.wait(every):
            self.transactions.prune_expired()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    lifetime = 60.0  # mongod's transactionLifetimeLimitSeconds
    if LIFETIME_FLAG in args:
        at = args.index(LIFETIME_FLAG)
        lifetime = float(args[at + 1])
        del args[at : at + 2]
    release_collections_between_write_attempts()
    route_writes_by_id()
    cache_catalog_reads()
    project_top_level_fields_directly()
    expire_through_ttl_indexes()
    accept_read_concern_on_bulk_write()
    settle_garbage_collection()
    # the command line builds the server by this name
    cli.SecantusDBServer = functools.partial(ReapingServer, transaction_lifetime_seconds=lifetime)
    result: int = cli.main(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
