"""The unit of work commits a state change and its events together, and the leased
work queue hands each item to one worker at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from pesnet.shared.envelope import utcnow
from pesnet.shared.leasing import LeasedQueue
from pesnet.shared.messaging import on
from pesnet.shared.mongo import Client, after_commit
from pesnet.shared.runtime import ServiceRuntime
from tests.integration.shared.conftest import ThingHappened, ThingUnitOfWork
from tests.support import eventually

pytestmark = pytest.mark.integration


def new_uow(rt: ServiceRuntime) -> ThingUnitOfWork:
    return ThingUnitOfWork(rt.client, rt.db, rt.outbox)


async def test_work_and_its_events_are_committed_together(
    runtime_factory: Callable[..., Any],
) -> None:
    async with runtime_factory() as rt:

        async def work(uow: ThingUnitOfWork) -> str:
            await uow.effects.add("t1")
            uow.emit(ThingHappened(thing_id="t1", label="done"), subject="thing/t1")
            return "t1"

        assert await new_uow(rt).run(work) == "t1"
        assert await rt.db["effects"].count_documents({"thing_id": "t1"}) == 1
        entry = await rt.db["outbox"].find_one({"type": "kerneltest.thing.happened"})
        assert entry is not None
        assert '"subject":"thing/t1"' in entry["body"]


async def test_failed_work_leaves_neither_state_nor_events(
    runtime_factory: Callable[..., Any],
) -> None:
    async with runtime_factory() as rt:

        async def work(uow: ThingUnitOfWork) -> None:
            await uow.effects.add("t2")
            uow.emit(ThingHappened(thing_id="t2", label="never"))
            raise RuntimeError("the rule said no after writing")

        with pytest.raises(RuntimeError):
            await new_uow(rt).run(work)
        assert await rt.db["effects"].count_documents({}) == 0
        assert await rt.db["outbox"].count_documents({}) == 0


async def test_a_handler_s_follow_up_event_carries_the_cause(
    runtime_factory: Callable[..., Any],
) -> None:
    def install(runtime: ServiceRuntime) -> None:
        async def echo(event: ThingHappened, uow: ThingUnitOfWork) -> None:
            if event.label == "first":
                await uow.effects.add(event.thing_id)
                uow.emit(ThingHappened(thing_id=event.thing_id + "-echo", label="echo"))

        runtime.consumer.subscribe(on(ThingHappened, echo))

    async with runtime_factory(install) as rt:
        cause = rt.catalog.envelope(
            ThingHappened(thing_id="c", label="first"), source="/test", correlation_id="corr-1"
        )
        await rt.publisher.publish(cause)

        async def echoed() -> bool:
            return bool(await rt.db["outbox"].count_documents({}) == 1)

        await eventually(echoed)
        entry = await rt.db["outbox"].find_one({})
        assert entry is not None
        assert entry["correlation_id"] == "corr-1"
        assert f'"causationid":"{cause.id}"' in entry["body"]
        assert await rt.db["effects"].count_documents({"thing_id": "c"}) == 1


async def test_racing_workers_each_get_different_items(mongo_client: Client, unique: str) -> None:
    collection = mongo_client[f"test_{unique}_leasing"]["work"]
    now = utcnow()
    await collection.insert_many(
        [{"_id": n, "status": "pending", "due_at": now - timedelta(seconds=1)} for n in range(20)]
    )
    queue = LeasedQueue(collection, ready={"status": "pending"}, lease=timedelta(seconds=30))
    claimed: list[int] = []
    for _ in range(20):  # a worker that loses a race gets fewer and claims again
        batches = await asyncio.gather(*(queue.claim(5) for _ in range(4)))
        claimed += [doc["_id"] for batch in batches for doc in batch]
        if len(claimed) >= 20:
            break
    assert sorted(claimed) == list(range(20))  # every item, none twice
    assert await queue.claim(5) == []  # nothing left while the leases hold


async def test_an_expired_lease_gives_the_item_to_another_worker_whose_outcome_wins(
    mongo_client: Client, unique: str
) -> None:
    collection = mongo_client[f"test_{unique}_leasing"]["work"]
    await collection.insert_one({"_id": "mail", "status": "pending", "due_at": utcnow()})
    queue = LeasedQueue(collection, ready={"status": "pending"}, lease=timedelta(seconds=30))
    [slow] = await queue.claim(1)
    later = utcnow() + timedelta(seconds=31)
    [fast] = await queue.claim(1, now=later)  # the slow worker's lease ran out
    assert await queue.finish(fast, {"$set": {"status": "sent"}})
    assert not await queue.finish(slow, {"$set": {"status": "failed"}})
    doc = await collection.find_one({"_id": "mail"})
    assert doc is not None
    assert doc["status"] == "sent"
    assert "lease_owner" not in doc


async def test_after_commit_runs_once_the_transaction_committed_never_for_an_abort(
    runtime_factory: Callable[..., Any],
) -> None:
    async with runtime_factory() as rt:
        seen: list[str] = []

        async def committed(uow: ThingUnitOfWork) -> None:
            await uow.effects.add("kept")

            def visible() -> None:
                seen.append("called")

            after_commit(visible)
            assert seen == []  # not while the transaction is open

        await new_uow(rt).run(committed)
        assert seen == ["called"]
        assert await rt.db["effects"].count_documents({"thing_id": "kept"}) == 1

        async def aborted(uow: ThingUnitOfWork) -> None:
            after_commit(lambda: seen.append("aborted"))
            raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            await new_uow(rt).run(aborted)
        assert seen == ["called"]
        after_commit(lambda: seen.append("outside"))  # no transaction: at once
        assert seen == ["called", "outside"]
