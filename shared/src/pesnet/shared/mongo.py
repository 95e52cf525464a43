"""MongoDB access with PyMongo's async API (the official successor of Motor).

Indexes are declared in code, next to what uses them, and created at start-up.
Transactions go through `ClientSession.with_transaction`, which retries
`TransientTransactionError` (frequent on the embedded development server).
`after_commit(callback)` runs a callback once the current transaction has committed
(what wakes the outbox relay and the mail sender without polling). `WriteBatch` sends
the writes a transaction ends with (its inbox record, outbox entries, audit entries) in
one round trip.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pymongo
from pymongo import AsyncMongoClient, IndexModel, InsertOne, UpdateOne, WriteConcern
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import (
    ClientBulkWriteException,
    ConnectionFailure,
    DuplicateKeyError,
    PyMongoError,
    ServerSelectionTimeoutError,
)
from pymongo.server_type import SERVER_TYPE

Document = dict[str, Any]
Client = AsyncMongoClient[Document]
Database = AsyncDatabase[Document]
Collection = AsyncCollection[Document]
# a database session (a transaction runs in one), never a programme session
DbSession = AsyncClientSession
T = TypeVar("T")

# A write is acknowledged once a majority of the replica set has it in its journal:
# what a caller was told is stored survives a crash (and a failover).
DURABLE = WriteConcern(w="majority", j=True)
# How long an operation waits for a reachable server before it fails: long enough for a
# busy machine to find its server at start-up. While the driver knows no server answers,
# an HTTP request does not wait for it (`pesnet.shared.http_limits.DatabaseDown`, and
# `in_transaction` fails at once), and a request whose server died under it fails at
# once too: reads and writes are not retried on another server selection.
SERVER_SELECTION_TIMEOUT_MS = 5000
# How long opening a connection may take (a loaded server answers slowly, not never).
CONNECT_TIMEOUT_MS = 5000
# How long one operation may wait for its answer: a request, a relay or a mail worker
# never hangs for good on a connection whose server stopped answering (a database
# restarted under it, a write waiting behind a killed process's open transaction,
# which the server ends after 60 s); past it the operation fails and is retried as
# any failed one. Every operation of the platform takes milliseconds, a purge seconds.
SOCKET_TIMEOUT_MS = 90_000


class DatabaseUnavailable(ConnectionFailure):
    """No server could be reached within the timeout. Unlike the error it replaces it
    has no TransientTransactionError label, so a transaction fails now instead of
    being retried for two minutes; it is still a ConnectionFailure for those who wait."""


@dataclass(frozen=True)
class IndexSpec:
    collection: str
    keys: Sequence[tuple[str, int]]
    unique: bool = False
    name: str | None = None
    expire_after_seconds: int | None = None
    partial_filter: dict[str, Any] | None = field(default=None)

    def model(self) -> IndexModel:
        options: dict[str, Any] = {"unique": self.unique}
        if self.name:
            options["name"] = self.name
        if self.expire_after_seconds is not None:
            options["expireAfterSeconds"] = self.expire_after_seconds
        if self.partial_filter is not None:
            options["partialFilterExpression"] = self.partial_filter
        return IndexModel(list(self.keys), **options)


class SharedCollections(AsyncDatabase[Document]):
    """A database whose collection objects are made once and shared: `db[name]` made a
    new `AsyncCollection` (its options resolved again) for every repository of every
    unit of work. A collection object holds no state of its own."""

    def __init__(self, client: Client, name: str) -> None:
        super().__init__(client, name)
        self._shared: dict[str, Collection] = {}

    def __getitem__(self, name: str) -> Collection:
        collection = self._shared.get(name)
        if collection is None:
            collection = self._shared[name] = super().__getitem__(name)
        return collection


def make_client(url: str, *, timeout_ms: int = SERVER_SELECTION_TIMEOUT_MS) -> Client:
    """`timeout_ms`: how long an operation waits for a reachable server."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        uuidRepresentation="standard",
        w=DURABLE.document["w"],
        journal=True,
        serverSelectionTimeoutMS=timeout_ms,
        # an operation that met a dead server fails at once (503, Retry-After) instead
        # of waiting out a server selection to fail again; a transaction is retried
        # whole by `in_transaction` where that can help
        retryReads=False,
        retryWrites=False,
        connectTimeoutMS=CONNECT_TIMEOUT_MS,
        socketTimeoutMS=SOCKET_TIMEOUT_MS,
    )


async def ensure_indexes(db: Database, specs: Iterable[IndexSpec]) -> None:
    by_collection: dict[str, list[IndexModel]] = {}
    for spec in specs:
        by_collection.setdefault(spec.collection, []).append(spec.model())
    for collection, models in by_collection.items():
        await db[collection].create_indexes(models)


# MongoDB 8.0's `bulkWrite` (writes to several collections in one command): wire version 25
BULK_WRITE_WIRE_VERSION = 25
# the error a duplicate key is, given the server's details of it (`keyPattern`, `errmsg`)
Refusal = Callable[[Document], Exception]


@dataclass
class _Write:
    collection: Collection
    document: Document  # an insert's document, or an update's filter
    update: Document | list[Document] | None = None
    upsert: bool = False
    # the error a duplicate key in this write is (else DuplicateKeyError, naming it)
    on_duplicate: Refusal | None = None


class WriteBatch:
    """Writes into several collections, sent as one command where the server has
    `bulkWrite` (MongoDB 8.0, the embedded server), else one by one. In order: a
    duplicate key stops the batch with the write's `on_duplicate` error, or with
    `DuplicateKeyError` naming the collection (`namespace` in its details); in a
    transaction the transaction aborts with it. A transaction run by `in_transaction`
    has one (`deferred(session)`), sent just before it commits: the writes every
    transaction ends with (inbox record, outbox and audit entries) and those a
    repository need not read back cost one round trip together (issue "Half the cost
    of a registration")."""

    def __init__(self) -> None:
        self.writes: list[_Write] = []

    def insert(
        self, collection: Collection, document: Document, on_duplicate: Refusal | None = None
    ) -> None:
        self.writes.append(_Write(collection, document, on_duplicate=on_duplicate))

    def update(
        self,
        collection: Collection,
        where: Document,
        update: Document | list[Document],
        *,
        upsert: bool = False,
        on_duplicate: Refusal | None = None,
    ) -> None:
        self.writes.append(_Write(collection, where, update, upsert, on_duplicate))

    def __len__(self) -> int:
        return len(self.writes)

    @property
    def inserts(self) -> list[tuple[Collection, Document]]:
        return [(w.collection, w.document) for w in self.writes if w.update is None]

    async def flush(self, client: Client, session: DbSession | None) -> None:
        writes, self.writes = self.writes, []
        if len(writes) > 1 and _bulk_write_supported(client):
            await _bulk_write(client, session, writes)
            return
        for write in writes:
            try:
                if write.update is None:
                    await write.collection.insert_one(write.document, session=session)
                else:
                    await write.collection.update_one(
                        write.document, write.update, upsert=write.upsert, session=session
                    )
            except DuplicateKeyError as exc:
                raise _duplicate(write, exc.details) from exc


async def _bulk_write(client: Client, session: DbSession | None, writes: list[_Write]) -> None:
    models: list[Any] = [
        InsertOne(w.document, namespace=w.collection.full_name)
        if w.update is None
        else UpdateOne(w.document, w.update, upsert=w.upsert, namespace=w.collection.full_name)
        for w in writes
    ]
    try:
        await client.bulk_write(models, session=session, ordered=True)
    except ClientBulkWriteException as exc:
        errors: list[Any] = list((exc.details or {}).get("writeErrors") or [])
        for error in errors:
            if error.get("code") == 11000:
                raise _duplicate(writes[error["idx"]], error) from exc
        # the command's own error (a write conflict: TransientTransactionError, so
        # that the transaction is retried), which the driver wraps without its labels
        if isinstance(exc.error, PyMongoError):
            raise exc.error from exc
        raise


def _duplicate(write: _Write, details: Any) -> Exception:
    info = dict(details or {})
    if write.on_duplicate is not None:
        return write.on_duplicate(info)
    info["namespace"] = write.collection.full_name
    return DuplicateKeyError(f"duplicate key in {info['namespace']}", 11000, info)


def _bulk_write_supported(client: Client) -> bool:
    servers = client.topology_description.server_descriptions().values()
    versions = [s.max_wire_version for s in servers if s.is_writable]
    return bool(versions) and min(versions) >= BULK_WRITE_WIRE_VERSION


# the batch of each transaction `in_transaction` runs, sent before it commits
_deferred: weakref.WeakKeyDictionary[DbSession, WriteBatch] = weakref.WeakKeyDictionary()


def deferred(session: DbSession | None) -> WriteBatch | None:
    """The writes the transaction of `session` ends with (None: no transaction that
    `in_transaction` runs, write at once). A write deferred is not read back by the
    transaction itself: only for writes nothing reads afterwards in the same work."""
    return None if session is None else _deferred.get(session)


# the callbacks of the transaction being run in this task (None: outside one)
_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "after_commit", default=None
)


def after_commit(callback: Callable[[], None]) -> None:
    """Call `callback` once the current transaction has committed, never if it aborts
    (an attempt that is retried drops what it asked for); outside a transaction, now.
    For wake-ups, which must not come before what they announce is visible."""
    pending = _after_commit.get()
    if pending is None:
        callback()
    else:
        pending.append(callback)


def pending_after_commit() -> list[Callable[[], None]] | None:
    """The callbacks the transaction being run in this task collects (None: outside one)."""
    return _after_commit.get()


@contextlib.contextmanager
def collecting_after_commit(callbacks: list[Callable[[], None]] | None) -> Iterator[None]:
    """Inside: `after_commit` adds to `callbacks`, those of a transaction that another task
    runs (`pesnet.shared.group_commit`)."""
    token = _after_commit.set(callbacks)
    try:
        yield
    finally:
        _after_commit.reset(token)


def known_unreachable(client: Client) -> bool:
    """The driver's monitor found no server it can reach (every one checked and failed):
    an operation now would only wait out its server selection to fail."""
    servers = client.topology_description.server_descriptions().values()
    return bool(servers) and all(
        s.server_type == SERVER_TYPE.Unknown and s.error is not None for s in servers
    )


# how long a ping may take to say that the server an operation just lost is back
RETRY_PROBE_SECONDS = 0.5


async def answers(client: Client) -> bool:
    """Whether a database server answers a ping within `RETRY_PROBE_SECONDS`: after a
    network error, a retry would otherwise wait out a whole server selection (5 s) to
    find that none does (the driver may not have marked the server down yet)."""
    if known_unreachable(client):
        return False
    try:
        with pymongo.timeout(RETRY_PROBE_SECONDS):
            await client.admin.command("ping")
    except PyMongoError:
        return False
    return True


async def in_transaction(client: Client, work: Callable[[DbSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction, retried on transient errors: its deferred writes
    (`deferred`) are sent as one batch before it commits; then the callbacks that the
    committed attempt registered with `after_commit`. A database known to be down fails
    it at once (`DatabaseUnavailable`)."""
    if known_unreachable(client):
        raise DatabaseUnavailable("no database server can be reached")
    callbacks: list[Callable[[], None]] = []

    async def attempt(session: DbSession) -> T:
        callbacks.clear()
        token = _after_commit.set(callbacks)
        _deferred[session] = batch = WriteBatch()  # a retried attempt starts over
        try:
            result = await work(session)
            await batch.flush(client, session)
            return result
        except ConnectionFailure as exc:
            # Abort here, briefly: with_transaction would wait a whole server selection
            # to abort on a server that is gone (an abort that fails still ends the
            # transaction). A network error is then retried as usual (a restarted server
            # answers the retry); no server at all is final.
            with contextlib.suppress(PyMongoError), pymongo.timeout(0.2):
                await session.abort_transaction()
            if isinstance(exc, ServerSelectionTimeoutError) or not await answers(client):
                raise DatabaseUnavailable(str(exc)) from exc
            raise
        finally:
            _after_commit.reset(token)

    async with client.start_session() as session:
        result = await session.with_transaction(attempt, write_concern=DURABLE)
    for callback in callbacks:
        callback()
    return result
