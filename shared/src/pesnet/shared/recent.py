"""Documents read recently, kept in this process for a few seconds (issue "Half the cost
of a registration"): a meeting changes a few times in its life and is read by every
registration in each service (the registration window, the programme's people, the
mail's wording), one round trip each. A repository reads through `RecentDocuments`
and forgets a document it writes (at once, and again once the transaction commits, so
that a read in between does not keep the old one). Another replica's write is seen
within `PESNET_MEETING_CACHE_SECONDS` (default 5; 0: no cache), the staleness this
trades for the round trip. Only for documents whose readers tolerate that: a write that
depends on the stored value (a counter) reads it in its transaction instead."""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Awaitable, Callable

from pesnet.shared.mongo import Document, after_commit

DEFAULT_SECONDS = 5.0


def configured_seconds() -> float:
    return float(os.environ.get("PESNET_MEETING_CACHE_SECONDS", DEFAULT_SECONDS))


class RecentDocuments:
    """Documents by key (a collection's full name and an id), each for `seconds` after
    it was read; a missing document is not kept (it may be written any moment)."""

    def __init__(
        self, seconds: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = configured_seconds() if seconds is None else seconds
        self.clock = clock
        self._found: dict[tuple[str, str], tuple[float, Document]] = {}

    async def read(
        self, key: tuple[str, str], load: Callable[[], Awaitable[Document | None]]
    ) -> Document | None:
        """The document of `key`: kept, or `load()`ed (and kept). A copy each time: the
        caller may change what it builds from it."""
        now = self.clock()
        kept = self._found.get(key)
        if kept is not None and now - kept[0] < self.seconds:
            return copy.deepcopy(kept[1])
        doc = await load()
        if doc is not None and self.seconds > 0:
            self._found[key] = (now, copy.deepcopy(doc))
        return doc

    def forget(self, key: tuple[str, str]) -> None:
        """`key` is being written: read it again, now and once the write commits."""
        self._drop(key)
        after_commit(lambda: self._drop(key))

    def _drop(self, key: tuple[str, str]) -> None:
        self._found.pop(key, None)

    def clear(self) -> None:
        self._found.clear()


# this process's meetings, for every service's meeting repository
MEETINGS = RecentDocuments()

__all__ = ["MEETINGS", "RecentDocuments"]
