"""A leased work queue over one MongoDB collection: the outbox relay, the mail sender
and the webhook sender all take their work from one.

An item is ready when it matches `ready` and its due field is in the past. Claiming
moves the due field a lease ahead and stamps a `lease_owner` token, with a conditional
update that repeats the condition: of several replicas racing for an item, one wins.
A worker that dies simply lets its lease run out and the item comes due again
(at-least-once; the effect's own record makes it exactly-once where that matters).
Finishing is guarded by the token, so a worker whose lease ran out and was taken over
cannot overwrite the new owner's outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pesnet.shared.envelope import utcnow
from pesnet.shared.mongo import Collection, DbSession, Document

LEASE_OWNER = "lease_owner"


class LeasedQueue:
    def __init__(
        self,
        collection: Collection,
        *,
        ready: Mapping[str, Any],
        lease: timedelta,
        due_field: str = "due_at",
        order: Sequence[tuple[str, int]] = (("due_at", 1),),
    ) -> None:
        self.collection = collection
        self.ready = dict(ready)
        self.lease = lease
        self.due_field = due_field
        self.order = list(order)

    def _claimable(self, now: datetime) -> dict[str, Any]:
        return {**self.ready, self.due_field: {"$lte": now}}

    async def claim(
        self,
        limit: int = 1,
        *,
        now: datetime | None = None,
        increment: Mapping[str, int] | None = None,
    ) -> list[Document]:
        """Lease up to `limit` ready items to the caller, in queue order (`increment`:
        counters to raise in the same write, e.g. an attempt count).

        Two round trips when no other worker races for the same items: the candidates
        are read whole, and if the conditional update leased every one of them they are
        ours as read, with the lease. An item changes only through its lease holder, so
        what was read is what was leased. Only after a lost race are the items this
        caller won read again."""
        now = now or utcnow()
        claimable = self._claimable(now)
        candidates = await self.collection.find(claimable).sort(self.order).limit(limit).to_list()
        if not candidates:
            return []
        ids = [doc["_id"] for doc in candidates]
        lease = {self.due_field: now + self.lease, LEASE_OWNER: uuid.uuid4().hex}
        update: dict[str, Any] = {"$set": lease}
        if increment:
            update["$inc"] = dict(increment)
        result = await self.collection.update_many({"_id": {"$in": ids}, **claimable}, update)
        if result.modified_count == len(ids):
            for doc in candidates:
                doc.update(lease)
                for name, by in (increment or {}).items():
                    doc[name] = doc.get(name, 0) + by
            return candidates
        claimed = self.collection.find({"_id": {"$in": ids}, LEASE_OWNER: lease[LEASE_OWNER]})
        return await claimed.sort(self.order).to_list()

    async def finish(
        self,
        item: Document,
        update: Mapping[str, Any],
        *,
        session: DbSession | None = None,
    ) -> bool:
        """Apply `update` (a MongoDB update document) to an item this caller still
        holds, ending its lease; False if the lease was lost to another worker."""
        changes = {key: dict(value) for key, value in update.items()}
        changes.setdefault("$unset", {})[LEASE_OWNER] = ""
        result = await self.collection.update_one(
            {"_id": item["_id"], LEASE_OWNER: item[LEASE_OWNER]}, changes, session=session
        )
        return result.modified_count == 1

    async def finish_many(self, items: Sequence[Document], update: Mapping[str, Any]) -> None:
        """`finish` for a batch that one claim returned (same lease token)."""
        if not items:
            return
        changes = {key: dict(value) for key, value in update.items()}
        changes.setdefault("$unset", {})[LEASE_OWNER] = ""
        await self.collection.update_many(
            {"_id": {"$in": [i["_id"] for i in items]}, LEASE_OWNER: items[0][LEASE_OWNER]},
            changes,
        )

    async def release(self, items: Sequence[Document], *, due: datetime) -> None:
        """Give items back before their lease ends, due again at `due`."""
        if not items:
            return
        await self.collection.update_many(
            {"_id": {"$in": [i["_id"] for i in items]}, LEASE_OWNER: items[0][LEASE_OWNER]},
            {"$set": {self.due_field: due}, "$unset": {LEASE_OWNER: ""}},
        )


__all__ = ["LEASE_OWNER", "LeasedQueue"]
