"""The embedded server's catalog read once, not on every write.

SecantusDB reads a collection's index definitions from its WiredTiger catalog table,
and decodes them, five or six times for every document it writes (the unique checks,
the partial filters, the geo pre-flight, the index entries), and its options and the
database's profiling level on every command. With the platform's indexes that was
about 40% of the database's CPU per registration (issue "Half the cost of a
registration"; `benchmarks/`). `CatalogCache` keeps what those reads return until the
catalog can have changed:

- every command that is not one of the plain reads and writes (`CATALOG_SAFE`:
  createIndexes, drop, collMod, renameCollection, profile, an aggregation with `$out` or
  `$merge`, ...) empties it before and after it runs, and while it runs nobody uses it
  (its change commits before the command returns: a write in between must see it);
- a reader whose snapshot is older than the last such command does not fill it (a
  transaction's snapshot pins at its first statement, a plain command's when it starts),
  so no definition another command has since replaced comes back from it;
- which indexes are multikey is never kept: whether an index may serve an equality on
  an array field decides query results, and a transaction that marks one may still
  abort. Only the index list and options are kept, which change by commands alone.

Reads outside any command (the TTL monitor) use the cache but never fill it.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from typing import Any

from secantus import server
from secantus.storage import Storage, UserTransactionHandle

Document = dict[str, Any]
IndexRow = tuple[str, Document, Document]

# commands that read or write documents and leave indexes, options and profiling alone
CATALOG_SAFE = frozenset(
    {
        "find",
        "getMore",
        "insert",
        "update",
        "delete",
        "findAndModify",
        "bulkWrite",
        "count",
        "distinct",
        "aggregate",  # unless it writes a collection (`_changes_catalog`)
        "commitTransaction",
        "abortTransaction",
        "endSessions",
        "killCursors",
        "hello",
        "isMaster",
        "ismaster",
        "ping",
        "buildInfo",
        "buildinfo",
        "serverStatus",
        "listIndexes",
        "listCollections",
        "listDatabases",
        "getParameter",
        "dbStats",
        "collStats",
        "connectionStatus",
        "saslStart",
        "saslContinue",
        "getLog",
        "hostInfo",
        "getCmdLineOpts",
        "replSetGetStatus",
    }
)


def _changes_catalog(body: Document) -> bool:
    name = next(iter(body), "")
    if name not in CATALOG_SAFE:
        return True
    if name == "aggregate":
        stages = body.get("pipeline") or []
        return any(isinstance(s, dict) and ("$out" in s or "$merge" in s) for s in stages)
    return False


class CatalogCache:
    """Index lists, collection options and profiling levels, by generation."""

    def __init__(self) -> None:
        self.generation = 0
        self._entries: dict[tuple[str, ...], Any] = {}
        self._local = threading.local()  # the generation this thread's command began in
        self._transactions: dict[int, int] = {}  # id(handle) -> generation at its start
        self._changing = 0  # commands that may change the catalog, running now
        self._lock = threading.Lock()

    def forget(self) -> None:
        self.generation += 1
        self._entries.clear()

    def reader_generation(self, storage: Storage) -> int | None:
        """The generation the reading snapshot was taken in (None: unknown)."""
        handle = getattr(storage._tls, "user_txn", None)
        if handle is not None:
            return self._transactions.get(id(handle))
        return getattr(self._local, "generation", None)

    def lookup(self, storage: Storage, key: tuple[str, ...], read: Callable[[], Any]) -> Any:
        if self._changing:
            return read()  # a change may have committed and not yet been forgotten
        found = self._entries.get(key)
        if found is not None:
            return found
        value = read()
        if self.reader_generation(storage) == self.generation:
            self._entries[key] = value
        return value

    def command(self, body: Document, run: Callable[[], Any]) -> Any:
        changes = _changes_catalog(body)
        if changes:
            with self._lock:
                self._changing += 1
            self.forget()
        self._local.generation = self.generation
        try:
            return run()
        finally:
            self._local.generation = None
            if changes:
                # forgotten first: a reader that began before this point fills nothing
                self.forget()
                with self._lock:
                    self._changing -= 1

    def transaction_began(self, handle: UserTransactionHandle) -> None:
        if len(self._transactions) > 10_000:  # handles that ended without our seeing it
            self._transactions.clear()
        self._transactions[id(handle)] = self.generation

    def transaction_ended(self, handle: UserTransactionHandle) -> None:
        self._transactions.pop(id(handle), None)


def cache_catalog_reads(cache: CatalogCache | None = None) -> CatalogCache:
    """Install the cache on SecantusDB's storage and command dispatch."""
    cache = cache or CatalogCache()
    iter_indexes = Storage._iter_indexes
    collection_options = Storage.get_collection_options
    profile = Storage.get_profile
    use_transaction = Storage.use_user_transaction
    commit = Storage.commit_user_transaction
    abort = Storage.abort_user_transaction
    dispatch = server.dispatch

    def cached_indexes(storage: Storage, db: str, coll: str) -> Iterator[IndexRow]:
        rows = cache.lookup(
            storage, ("indexes", db, coll), lambda: list(iter_indexes(storage, db, coll))
        )
        return iter(rows)

    def multikey_names(storage: Storage, db: str, coll: str) -> set[str]:
        return {name for name, _, opts in iter_indexes(storage, db, coll) if opts.get("multikey")}

    def cached_options(storage: Storage, db: str, coll: str) -> Document:
        options = cache.lookup(
            storage, ("options", db, coll), lambda: collection_options(storage, db, coll) or None
        )
        return copy.deepcopy(options) if options else {}

    def cached_profile(storage: Storage, db: str) -> Document:
        return dict(cache.lookup(storage, ("profile", db), lambda: profile(storage, db)))

    def use(storage: Storage, handle: UserTransactionHandle) -> Any:
        if not handle.began:
            cache.transaction_began(handle)
        return use_transaction(storage, handle)

    def committed(storage: Storage, handle: UserTransactionHandle, **kwargs: Any) -> int:
        try:
            result: int = commit(storage, handle, **kwargs)
            return result
        finally:
            cache.transaction_ended(handle)

    def aborted(storage: Storage, handle: UserTransactionHandle) -> None:
        try:
            abort(storage, handle)
        finally:
            cache.transaction_ended(handle)

    Storage._iter_indexes = cached_indexes
    Storage._multikey_index_names = multikey_names
    Storage.get_collection_options = cached_options
    Storage.get_profile = cached_profile
    Storage.use_user_transaction = use
    Storage.commit_user_transaction = committed
    Storage.abort_user_transaction = aborted
    server.dispatch = lambda body, ctx: cache.command(body, lambda: dispatch(body, ctx))
    return cache
