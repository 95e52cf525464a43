"""Group commit: the transactions of handlers running side by side, committed as one.

A consumer handles the messages about different subjects at once (`on(..., by_subject=
True)`), each in a transaction of its own, and under a burst each one paid for its own
batch of deferred writes and its own commit: two round trips and, on the database, a
transaction's start, its journal write and its commit each. `GroupCommit.run(work)`
queues the work; one group at a time runs the works queued together, one after the
other, in one transaction (`in_transaction`: their deferred writes in one batch, then
one commit). Works that arrive while a group runs form the next group: a lone message
waits for nobody, and a burst commits in groups of up to `max_size` (issue "Half the cost
of a registration").

Only works that could run side by side may be grouped (the consumer groups only the
messages it already lets run side by side): each then sees what it would see in a
transaction of its own beside the others, or after the ones before it. A group that fails
for any reason (a redelivery's inbox record, a use case's refusal, a conflict that
outlived its retries) runs each of its works again alone, so that each gets its own
outcome: one work's failure never becomes another's.

Each work runs in a task of its own in its caller's context (its log fields, its trace),
with the group's `after_commit`: what it asks for runs once the group has committed.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pesnet.shared.mongo import (
    Client,
    DbSession,
    collecting_after_commit,
    in_transaction,
    pending_after_commit,
)

T = TypeVar("T")
Work = Callable[[DbSession], Awaitable[T]]

# At most this many works in one transaction: fewer than the audit chain's lanes
# (`pesnet.shared.audit_chain.LANES`), so that a group's works extend different lanes,
# and the prefetch's default (16), so that a burst's deliveries commit together.
MAX_GROUP = 16
# set while a work of a group runs: a transaction it starts itself is its own (it would
# otherwise wait for the group it is part of)
_in_group: contextvars.ContextVar[bool] = contextvars.ContextVar("in_group", default=False)


@dataclass
class _Queued(Generic[T]):
    work: Work[T]
    context: contextvars.Context
    outcome: asyncio.Future[T]


class GroupCommit:
    """Runs works queued together in one transaction (one group at a time)."""

    def __init__(
        self,
        client: Client,
        *,
        max_size: int = MAX_GROUP,
        grouped: Callable[[int], None] | None = None,
    ) -> None:
        self.client = client
        self.max_size = max_size
        # told the size of each transaction it commits (a metric)
        self.grouped = grouped or (lambda size: None)
        self._queue: list[_Queued[Any]] = []
        self._leader: asyncio.Task[None] | None = None

    async def run(self, work: Work[T]) -> T:
        """`work(session)` in a transaction, with the works queued beside it; its result,
        or what it raised when it ran alone."""
        if _in_group.get():
            return await in_transaction(self.client, work)
        queued: _Queued[T] = _Queued(
            work, contextvars.copy_context(), asyncio.get_running_loop().create_future()
        )
        self._queue.append(queued)
        if self._leader is None or self._leader.done():
            self._leader = asyncio.create_task(self._lead(), name="group-commit")
        return await queued.outcome

    async def _lead(self) -> None:
        while self._queue:
            taken, self._queue = self._queue[: self.max_size], self._queue[self.max_size :]
            group = [q for q in taken if not q.outcome.done()]  # a caller gone: not run
            try:
                if len(group) > 1 and await self._together(group):
                    continue
                for queued in group:
                    await self._alone(queued)
            except BaseException as exc:  # cancelled: the callers are told, not left waiting
                for queued in [*group, *self._queue]:
                    if queued.outcome.done():
                        continue
                    if isinstance(exc, asyncio.CancelledError):
                        queued.outcome.cancel()
                    else:
                        queued.outcome.set_exception(exc)
                self._queue = []
                raise

    async def _together(self, group: list[_Queued[Any]]) -> bool:
        """The group in one transaction; False if it failed (nothing of it committed)."""

        async def each(session: DbSession) -> list[Any]:
            callbacks = pending_after_commit()
            results = []
            for queued in group:
                step = _step(queued.work, session, callbacks)
                results.append(await asyncio.create_task(step, context=queued.context.copy()))
            return results

        try:
            results = await in_transaction(self.client, each)
        except Exception:
            return False
        self.grouped(len(group))
        for queued, result in zip(group, results, strict=True):
            if not queued.outcome.done():
                queued.outcome.set_result(result)
        return True

    async def _alone(self, queued: _Queued[Any]) -> None:
        task = asyncio.create_task(
            _by_itself(self.client, queued.work), context=queued.context.copy()
        )
        try:
            result = await task
        except Exception as exc:
            if not queued.outcome.done():
                queued.outcome.set_exception(exc)
            return
        self.grouped(1)
        if not queued.outcome.done():
            queued.outcome.set_result(result)


async def _step(work: Work[T], session: DbSession, callbacks: list[Callable[[], None]] | None) -> T:
    """One work of a group, in its caller's context with the group's `after_commit`."""
    _in_group.set(True)  # in this task's own context
    with collecting_after_commit(callbacks):
        return await work(session)


async def _by_itself(client: Client, work: Work[T]) -> T:
    """One work in a transaction of its own, run by the group's leader."""
    _in_group.set(True)  # in this task's own context
    return await in_transaction(client, work)


__all__ = ["MAX_GROUP", "GroupCommit"]
