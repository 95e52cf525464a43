"""Meetings read through `RecentDocuments`: one round trip for many readers within its
seconds, a fresh read after a write (at once and once the write commits) and after
the seconds, and no cache at all at 0."""

from __future__ import annotations

from typing import Any

from pesnet.shared.mongo import Document
from pesnet.shared.recent import RecentDocuments

KEY = ("pesnet_registration.meetings", "pesnet-4")


class Stored:
    """The database's copy, and how many times it was read."""

    def __init__(self, **doc: Any) -> None:
        self.doc: Document | None = {"_id": "pesnet-4", **doc}
        self.reads = 0

    async def load(self) -> Document | None:
        self.reads += 1
        return None if self.doc is None else dict(self.doc)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_readers_within_the_seconds_share_one_read_and_get_their_own_copy() -> None:
    stored, clock = Stored(title="PES 4"), Clock()
    recent = RecentDocuments(5, clock)
    first = await recent.read(KEY, stored.load)
    assert first is not None
    first["title"] = "changed by its reader"
    clock.now += 4.9
    second = await recent.read(KEY, stored.load)
    assert stored.reads == 1
    assert second == {"_id": "pesnet-4", "title": "PES 4"}


async def test_a_write_or_the_end_of_the_seconds_reads_the_database_again() -> None:
    stored, clock = Stored(title="PES 4"), Clock()
    recent = RecentDocuments(5, clock)
    await recent.read(KEY, stored.load)
    stored.doc = {"_id": "pesnet-4", "title": "PES 4 (moved)"}
    recent.forget(KEY)  # outside a transaction: forgotten at once
    assert await recent.read(KEY, stored.load) == stored.doc
    stored.doc = {"_id": "pesnet-4", "title": "written by another replica"}
    clock.now += 5
    assert await recent.read(KEY, stored.load) == stored.doc
    assert stored.reads == 3


async def test_a_missing_document_is_not_kept_and_zero_seconds_keeps_nothing() -> None:
    stored, clock = Stored(), Clock()
    stored.doc = None
    recent = RecentDocuments(5, clock)
    assert await recent.read(KEY, stored.load) is None
    stored.doc = {"_id": "pesnet-4"}
    assert await recent.read(KEY, stored.load) == {"_id": "pesnet-4"}  # created since
    off = RecentDocuments(0, clock)
    await off.read(KEY, stored.load)
    await off.read(KEY, stored.load)
    assert stored.reads == 4
