"""A replica handles several messages at once, in lanes keyed by the event's subject:
events about one subject in the order they were published, events about different
subjects side by side, each with exactly one effect however often it arrives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from pesnet.shared.messaging import on
from pesnet.shared.mongo import after_commit
from pesnet.shared.runtime import ServiceRuntime
from tests.integration.shared.conftest import ThingHappened, ThingUnitOfWork
from tests.support import duplicate_seen, eventually

pytestmark = pytest.mark.integration

SUBJECTS = [f"thing/{n}" for n in range(8)]
PER_SUBJECT = 12


class Recorder:
    """Handles each event slowly, the earlier events of a subject the slowest (a pause
    inside the transaction), recording the order effects were made in: handled without
    lanes, later events would overtake."""

    def __init__(self) -> None:
        self.runtime: ServiceRuntime | None = None
        self.order = 0

    def install(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

        async def record(event: ThingHappened, uow: ThingUnitOfWork) -> None:
            assert uow.cause is not None
            seq = int(event.thing_id.rsplit("#", 1)[1])
            await asyncio.sleep(0.004 * (PER_SUBJECT - seq))
            self.order += 1
            await uow.effects.add(
                event.thing_id, subject=event.label, order=self.order, event_id=uow.cause.id
            )

        runtime.consumer.subscribe(on(ThingHappened, record, by_subject=True))

    async def effects(self) -> list[dict[str, Any]]:
        assert self.runtime is not None
        return await self.runtime.db["effects"].find({}).sort("order", 1).to_list()


async def test_one_subject_in_order_different_subjects_side_by_side_one_effect_each(
    runtime_factory: Callable[..., Any],
) -> None:
    recorder = Recorder()
    second: list[str] = []

    def install(runtime: ServiceRuntime) -> None:
        recorder.install(runtime)

        # a second consumer of the same service (as notifications has): its deliveries
        # must not disturb the first one's order, nor the first one's its own
        async def copy(event: ThingHappened, uow: ThingUnitOfWork) -> None:
            # an effect outside the database is made once the transaction committed: a
            # handler may run for a duplicate too (the inbox record, written last,
            # rolls its transaction back), and any attempt may be retried
            after_commit(lambda: second.append(event.thing_id))

        runtime.add_consumer("copy").subscribe(on(ThingHappened, copy, by_subject=True))

    async with runtime_factory(install, PESNET_PREFETCH=16) as rt:
        uow = ThingUnitOfWork(rt.client, rt.db, rt.outbox)

        async def work(u: ThingUnitOfWork) -> None:
            # interleaved, as a busy service publishes them, and all at once, so that
            # the consumer has many in hand
            for seq in range(PER_SUBJECT):
                for subject in SUBJECTS:
                    u.emit(
                        ThingHappened(thing_id=f"{subject}#{seq:02}", label=subject),
                        subject=subject,
                    )

        await uow.run(work)
        # and the first event of each subject again, as a redelivery would bring it
        firsts = await rt.db["outbox"].find({"body": {"$regex": "#00"}}).to_list()
        assert len(firsts) == len(SUBJECTS)
        total = len(SUBJECTS) * PER_SUBJECT

        async def all_handled() -> bool:
            return bool(await rt.db["effects"].count_documents({}) >= total)

        await eventually(all_handled, within=60)
        for entry in firsts:
            await rt.publisher.publish_outbox_entry(entry)
        for entry in firsts:
            await duplicate_seen(rt.db, rt.consumer.name, entry["_id"])

        effects = await recorder.effects()
        assert len(effects) == total
        assert len({e["event_id"] for e in effects}) == total
        for subject in SUBJECTS:
            handled = [e["thing_id"] for e in effects if e["subject"] == subject]
            assert handled == [f"{subject}#{seq:02}" for seq in range(PER_SUBJECT)]
        # different subjects' events were handled side by side: committed together
        grouped = rt.consumer.metrics.registry.get_sample_value
        labels = {"consumer": rt.consumer.name}
        transactions = grouped("pesnet_consumer_transaction_group_size_count", labels)
        messages = grouped("pesnet_consumer_transaction_group_size_sum", labels)
        assert transactions is not None
        assert messages is not None
        assert messages >= total
        assert transactions < messages

        async def all_copied() -> bool:
            return len(second) >= total

        await eventually(all_copied, within=60)
        for subject in SUBJECTS:
            copied = [t for t in second if t.startswith(f"{subject}#")]
            assert copied == [f"{subject}#{seq:02}" for seq in range(PER_SUBJECT)]
        # every delivery reached its consumer in turn: none was waited for in vain
        assert [c.gaps for c in rt.consumers] == [0, 0]
