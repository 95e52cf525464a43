"""MongoDB access with PyMongo's async API (the official successor of Motor).

Indexes are declared in code, next to what uses them, and created at start-up.
Transactions go through `ClientSession.with_transaction`, which retries
`TransientTransactionError` (frequent on the embedded development server).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
Client = AsyncMongoClient[Document]
Database = AsyncDatabase[Document]
Collection = AsyncCollection[Document]
# a database session (a transaction runs in one), never a programme session
DbSession = AsyncClientSession
T = TypeVar("T")


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


def make_client(url: str) -> Client:
    return AsyncMongoClient(url, tz_aware=True, uuidRepresentation="standard")


async def ensure_indexes(db: Database, specs: Iterable[IndexSpec]) -> None:
    by_collection: dict[str, list[IndexModel]] = {}
    for spec in specs:
        by_collection.setdefault(spec.collection, []).append(spec.model())
    for collection, models in by_collection.items():
        await db[collection].create_indexes(models)


async def in_transaction(client: Client, work: Callable[[DbSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction, retried on transient errors."""
    async with client.start_session() as session:
        return await session.with_transaction(work)
