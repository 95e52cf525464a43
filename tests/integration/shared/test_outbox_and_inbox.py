"""The outbox publishes exactly what was committed; the inbox makes effects exactly-once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pesnet.shared.messaging import on
from pesnet.shared.mongo import DbSession, in_transaction
from pesnet.shared.outbox import OutboxRelay
from pesnet.shared.runtime import ServiceRuntime
from tests.integration.shared.conftest import ThingHappened, ThingUnitOfWork
from tests.support import duplicate_seen, eventually

pytestmark = pytest.mark.integration


class Effects:
    """A consumer whose effect is a document per event in its own database."""

    def __init__(self) -> None:
        self.runtime: ServiceRuntime | None = None

    def install(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

        async def record(event: ThingHappened, uow: ThingUnitOfWork) -> None:
            assert uow.cause is not None
            await uow.effects.add(event.thing_id, event_id=uow.cause.id)

        runtime.consumer.subscribe(on(ThingHappened, record))

    async def count(self, **query: Any) -> int:
        assert self.runtime is not None
        return await self.runtime.db["effects"].count_documents(query)


async def test_committed_outbox_entry_is_published_and_handled_once(
    runtime_factory: Callable[..., Any],
) -> None:
    effects = Effects()
    async with runtime_factory(effects.install) as rt:

        async def work(session: DbSession) -> None:
            await rt.outbox.add(session, ThingHappened(thing_id="t1", label="first"))

        await in_transaction(rt.client, work)

        async def handled() -> bool:
            return await effects.count(thing_id="t1") == 1

        await eventually(handled)

        async def marked_published() -> bool:
            # the relay marks it once the broker confirmed it, which may come after the
            # consumer already handled the message
            entry = await rt.db["outbox"].find_one({"type": "kerneltest.thing.happened"})
            return entry is not None and entry["published_at"] is not None

        await eventually(marked_published)


async def test_outbox_entry_of_an_aborted_transaction_is_never_published(
    runtime_factory: Callable[..., Any],
) -> None:
    effects = Effects()
    async with runtime_factory(effects.install) as rt:

        async def failing(session: DbSession) -> None:
            await rt.outbox.add(session, ThingHappened(thing_id="aborted", label="x"))
            raise RuntimeError("the use case failed after writing")

        with pytest.raises(RuntimeError):
            await in_transaction(rt.client, failing)

        async def committed(session: DbSession) -> None:
            await rt.outbox.add(session, ThingHappened(thing_id="after", label="y"))

        await in_transaction(rt.client, committed)

        async def later_one_handled() -> bool:
            return await effects.count(thing_id="after") == 1

        await eventually(later_one_handled)
        assert await rt.db["outbox"].count_documents({}) == 1
        assert await effects.count(thing_id="aborted") == 0


async def test_entry_published_again_when_relay_dies_before_marking_has_one_effect(
    runtime_factory: Callable[..., Any],
) -> None:
    effects = Effects()
    async with runtime_factory(effects.install, PESNET_OUTBOX_POLL_SECONDS=3600) as rt:
        # Stop the runtime's own relay: this test drives relays by hand.
        for task in rt._tasks:
            task.cancel()

        async def work(session: DbSession) -> None:
            await rt.outbox.add(session, ThingHappened(thing_id="crash", label="z"))

        await in_transaction(rt.client, work)

        class RelayDiesAfterPublishing(OutboxRelay):
            async def mark_published(self, docs: list[dict[str, Any]]) -> None:
                raise ConnectionError("killed before marking")

        dying = RelayDiesAfterPublishing(
            rt.db, rt.publisher.publish_outbox_entry, lease_seconds=0.2
        )
        with pytest.raises(ConnectionError):
            await dying.drain()
        entry = await rt.db["outbox"].find_one({})
        assert entry is not None
        assert entry["published_at"] is None

        await asyncio.sleep(0.3)  # the dead relay's lease runs out
        survivor = OutboxRelay(rt.db, rt.publisher.publish_outbox_entry)
        assert await survivor.drain() == 1

        async def handled() -> bool:
            return await effects.count(thing_id="crash") == 1

        await eventually(handled)
        await duplicate_seen(rt.db, rt.consumer.name, entry["_id"])
        assert await effects.count(thing_id="crash") == 1
        inbox = await rt.db["inbox"].count_documents({})
        assert inbox == 1


async def test_duplicate_delivery_of_one_event_has_one_effect(
    runtime_factory: Callable[..., Any],
) -> None:
    effects = Effects()
    async with runtime_factory(effects.install) as rt:
        event = rt.catalog.envelope(ThingHappened(thing_id="dup", label="twice"), source="/test")
        for _ in range(3):
            await rt.publisher.publish(event)

        async def handled() -> bool:
            return await effects.count(thing_id="dup") >= 1

        await eventually(handled)

        async def all_seen() -> bool:
            return bool(await rt.db["inbox"].count_documents({}) == 1)

        await eventually(all_seen)
        await duplicate_seen(rt.db, rt.consumer.name, event.id, times=2)
        assert await effects.count(thing_id="dup") == 1


async def test_events_of_one_transaction_are_published_in_the_order_written(
    runtime_factory: Callable[..., Any],
) -> None:
    seen: list[str] = []

    def install(runtime: ServiceRuntime) -> None:
        async def record(event: ThingHappened, uow: ThingUnitOfWork) -> None:
            seen.append(event.thing_id)

        runtime.consumer.subscribe(on(ThingHappened, record))

    async with runtime_factory(install) as rt:

        async def work(session: DbSession) -> None:
            for n in range(30):
                await rt.outbox.add(session, ThingHappened(thing_id=f"{n:02}", label="x"))

        await in_transaction(rt.client, work)

        async def all_seen() -> bool:
            return len(seen) == 30

        await eventually(all_seen)
        assert seen == [f"{n:02}" for n in range(30)]


async def test_a_second_consumer_of_one_service_gets_its_own_copy(
    runtime_factory: Callable[..., Any],
) -> None:
    handled: list[tuple[str, str]] = []

    def install(runtime: ServiceRuntime) -> None:
        async def main(event: ThingHappened, uow: ThingUnitOfWork) -> None:
            handled.append(("main", event.thing_id))

        runtime.consumer.subscribe(on(ThingHappened, main))

        async def extra(event: ThingHappened, uow: ThingUnitOfWork) -> None:
            handled.append(("extra", event.thing_id))

        runtime.add_consumer("extra").subscribe(on(ThingHappened, extra))

    async with runtime_factory(install) as rt:
        assert rt.consumers[1].name == f"{rt.consumer.name}.extra"
        await rt.publisher.publish(
            rt.catalog.envelope(ThingHappened(thing_id="x", label="l"), source="/t")
        )

        async def both() -> bool:
            return sorted(handled) == [("extra", "x"), ("main", "x")]

        await eventually(both)


async def test_a_committed_event_is_relayed_at_once_without_waiting_for_the_poll(
    runtime_factory: Callable[..., Any],
) -> None:
    effects = Effects()
    # a poll far longer than the wait below: only the wake-up on commit can deliver
    async with runtime_factory(effects.install, PESNET_OUTBOX_POLL_SECONDS=120) as rt:
        # the relay's first look at the outbox (at start) is over
        await asyncio.sleep(0.5)

        async def work(uow: ThingUnitOfWork) -> None:
            uow.emit(ThingHappened(thing_id="woken", label="now"), subject="thing/woken")

        await ThingUnitOfWork(rt.client, rt.db, rt.outbox).run(work)

        async def handled() -> bool:
            return await effects.count(thing_id="woken") == 1

        await eventually(handled, within=15)


def _stages(plan: dict[str, Any]) -> list[str]:
    found = []
    while plan:
        found.append(str(plan.get("stage")))
        plan = plan.get("inputStage") or {}
    return found


async def test_a_claim_reads_only_pending_entries_and_passes_over_live_leases(
    runtime_factory: Callable[..., Any],
) -> None:
    """A relay's claim goes through the pending entries' index whatever the size of the
    published history (kept for days); among them it takes its own and the ones whose
    lease ended, and leaves those another live relay holds."""
    async with runtime_factory(PESNET_OUTBOX_POLL_SECONDS=3600) as rt:
        for task in rt._tasks:
            task.cancel()
        outbox = rt.db["outbox"]
        now = datetime.now(UTC)
        common = {"type": "t", "body": "{}", "published_at": now, "lease_until": now}
        await outbox.insert_many([{**common, "order": n} for n in range(500)])
        held = {
            **common,
            "published_at": None,
            "lease_owner": "another",
            "lease_until": now + timedelta(minutes=5),
        }
        ended = {**held, "lease_until": now - timedelta(seconds=1)}
        await outbox.insert_many(
            [{**held, "_id": "held", "order": 1000}, {**ended, "_id": "ended", "order": 1001}]
        )
        relay = OutboxRelay(rt.db, rt.publisher.publish_outbox_entry)
        plan = (await relay.pending(100).explain())["queryPlanner"]["winningPlan"]
        assert "COLLSCAN" not in _stages(plan)
        assert "IXSCAN" in _stages(plan)
        assert [doc["_id"] for doc in await relay.claim()] == ["ended"]
