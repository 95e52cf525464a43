"""MongoDB access with PyMongo's async API (the official successor of Motor).

Indexes are declared in code, next to what uses them, and created at start-up.
Transactions go through `ClientSession.with_transaction`, which retries
`TransientTransactionError` (frequent on the embedded development server).
`after_commit(callback)` runs a callback once the current transaction has committed
(what wakes the outbox relay and the mail sender without polling).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pymongo
from pymongo import AsyncMongoClient, IndexModel, WriteConcern
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, PyMongoError, ServerSelectionTimeoutError
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


def known_unreachable(client: Client) -> bool:
    """The driver's monitor found no server it can reach (every one checked and failed):
    an operation now would only wait out its server selection to fail."""
    servers = client.topology_description.server_descriptions().values()
    return bool(servers) and all(
        s.server_type == SERVER_TYPE.Unknown and s.error is not None for s in servers
    )


async def in_transaction(client: Client, work: Callable[[DbSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction, retried on transient errors; then the callbacks
    that the committed attempt registered with `after_commit`. A database known to be
    down fails it at once (`DatabaseUnavailable`)."""
    if known_unreachable(client):
        raise DatabaseUnavailable("no database server can be reached")
    callbacks: list[Callable[[], None]] = []

    async def attempt(session: DbSession) -> T:
        callbacks.clear()
        token = _after_commit.set(callbacks)
        try:
            return await work(session)
        except ConnectionFailure as exc:
            # Abort here, briefly: with_transaction would wait a whole server selection
            # to abort on a server that is gone (an abort that fails still ends the
            # transaction). A network error is then retried as usual (a restarted server
            # answers the retry); no server at all is final.
            with contextlib.suppress(PyMongoError), pymongo.timeout(0.2):
                await session.abort_transaction()
            if isinstance(exc, ServerSelectionTimeoutError) or known_unreachable(client):
                raise DatabaseUnavailable(str(exc)) from exc
            raise
        finally:
            _after_commit.reset(token)

    async with client.start_session() as session:
        result = await session.with_transaction(attempt, write_concern=DURABLE)
    for callback in callbacks:
        callback()
    return result
