"""Works queued side by side commit in one transaction (`pesnet.shared.group_commit`),
each with its own outcome: what one work refuses or breaks never becomes another's."""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError

from pesnet.shared.group_commit import GroupCommit
from pesnet.shared.mongo import Client, Collection, DbSession, after_commit, deferred

pytestmark = pytest.mark.integration

caller: contextvars.ContextVar[str] = contextvars.ContextVar("caller", default="nobody")


@pytest.fixture
async def things(mongo_client: Client) -> AsyncIterator[Collection]:
    db = mongo_client[f"group_{uuid.uuid4().hex[:8]}"]
    await db.create_collection("things")
    try:
        yield db["things"]
    finally:
        await mongo_client.drop_database(db.name)


class Sizes:
    def __init__(self) -> None:
        self.seen: list[int] = []

    def __call__(self, size: int) -> None:
        self.seen.append(size)


async def test_works_queued_together_commit_in_fewer_transactions_each_with_its_result(
    mongo_client: Client, things: Collection
) -> None:
    sizes = Sizes()
    group = GroupCommit(mongo_client, grouped=sizes)
    committed: list[int] = []

    def work(n: int) -> Any:
        async def run(session: DbSession) -> str:
            # one write at once, one deferred to the transaction's end, as the inbox's
            await things.insert_one({"_id": f"now-{n}"}, session=session)
            batch = deferred(session)
            assert batch is not None
            batch.insert(things, {"_id": f"deferred-{n}", "by": caller.get()})
            after_commit(lambda: committed.append(n))
            return f"result {n} for {caller.get()}"

        return run

    async def call(n: int) -> str:
        caller.set(f"caller {n}")
        return await group.run(work(n))

    results = await asyncio.gather(*(call(n) for n in range(12)))

    assert results == [f"result {n} for caller {n}" for n in range(12)]
    assert await things.count_documents({}) == 24
    by = {d["_id"]: d["by"] async for d in things.find({"_id": {"$regex": "^deferred"}})}
    assert by == {f"deferred-{n}": f"caller {n}" for n in range(12)}
    assert sorted(committed) == list(range(12))
    # the first ran alone (nobody was queued yet), the others together
    assert sum(sizes.seen) == 12
    assert len(sizes.seen) < 12
    assert max(sizes.seen) > 1


async def test_a_refused_work_fails_alone_and_the_others_of_its_group_commit(
    mongo_client: Client, things: Collection
) -> None:
    sizes = Sizes()
    group = GroupCommit(mongo_client, grouped=sizes)
    await things.insert_one({"_id": "taken"})
    committed: list[str] = []

    def work(key: str) -> Any:
        async def run(session: DbSession) -> str:
            batch = deferred(session)
            assert batch is not None
            batch.insert(things, {"_id": key})
            after_commit(lambda: committed.append(key))
            if key == "refused":
                raise ValueError("refused by its use case")
            return key

        return run

    keys = ["a", "b", "taken", "c", "refused", "d"]
    outcomes = await asyncio.gather(*(group.run(work(k)) for k in keys), return_exceptions=True)

    assert outcomes[:2] == ["a", "b"]
    assert isinstance(outcomes[2], DuplicateKeyError)
    assert outcomes[3] == "c"
    assert isinstance(outcomes[4], ValueError)
    assert outcomes[5] == "d"
    stored = sorted([d["_id"] async for d in things.find({})])
    assert stored == ["a", "b", "c", "d", "taken"]
    # what a failed work asked for after the commit never ran; the others' ran once
    assert sorted(committed) == ["a", "b", "c", "d"]


async def test_a_lone_work_waits_for_nobody_and_a_burst_commits_in_groups_of_the_limit(
    mongo_client: Client, things: Collection
) -> None:
    sizes = Sizes()
    group = GroupCommit(mongo_client, max_size=4, grouped=sizes)

    def work(key: str) -> Any:
        async def run(session: DbSession) -> str:
            await things.insert_one({"_id": key}, session=session)
            return key

        return run

    assert await group.run(work("alone")) == "alone"
    assert sizes.seen == [1]

    sizes.seen.clear()
    keys = [f"burst-{n}" for n in range(10)]
    assert await asyncio.gather(*(group.run(work(k)) for k in keys)) == keys
    assert sum(sizes.seen) == 10
    assert max(sizes.seen) == 4
    assert await things.count_documents({}) == 11


async def test_a_work_that_starts_a_transaction_of_its_own_does_not_wait_for_its_group(
    mongo_client: Client, things: Collection
) -> None:
    group = GroupCommit(mongo_client)

    def work(key: str) -> Any:
        async def inner(session: DbSession) -> None:
            await things.insert_one({"_id": f"{key}-inner"}, session=session)

        async def run(session: DbSession) -> str:
            await group.run(inner)  # committed on its own, before its caller's group
            await things.insert_one({"_id": key}, session=session)
            return key

        return run

    keys = ["one", "two", "three"]
    done = await asyncio.wait_for(asyncio.gather(*(group.run(work(k)) for k in keys)), 30)

    assert done == keys
    assert await things.count_documents({}) == 6


async def test_callers_are_told_when_the_group_is_cancelled_and_a_later_work_runs(
    mongo_client: Client, things: Collection
) -> None:
    group = GroupCommit(mongo_client)
    started = asyncio.Event()

    async def slow(session: DbSession) -> None:
        started.set()
        await asyncio.sleep(30)

    waiting = [asyncio.ensure_future(group.run(slow)) for _ in range(3)]
    await asyncio.wait_for(started.wait(), 10)
    leader = group._leader
    assert leader is not None
    leader.cancel()
    outcomes = await asyncio.wait_for(asyncio.gather(*waiting, return_exceptions=True), 10)

    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)

    async def quick(session: DbSession) -> str:
        await things.insert_one({"_id": "after"}, session=session)
        return "after"

    assert await asyncio.wait_for(group.run(quick), 10) == "after"
