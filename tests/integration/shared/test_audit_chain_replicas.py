"""The audit trail's chain when a process writes without reading its lanes' heads: it
chains to the head its own last write left, and where another replica has moved a lane
on since, the transaction is retried reading the head, so that no lane forks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from pesnet.shared import audit_chain
from pesnet.shared.audit import AuditEntry, AuditTrail
from pesnet.shared.audit_chain import AUDIT_CHAIN, LANES, verify
from pesnet.shared.mongo import Database, DbSession, deferred, in_transaction
from tests.support import Commands

pytestmark = pytest.mark.integration


@pytest.fixture
def commands() -> Commands:
    return Commands()


@pytest.fixture
async def db(mongo_url: str, unique: str, commands: Commands) -> AsyncIterator[Database]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        mongo_url, tz_aware=True, event_listeners=[commands]
    )
    try:
        yield client[f"test_{unique}_audit"]
    finally:
        await client.close()


async def write(db: Database, action: str) -> None:
    """One transaction that audits `action`, as a service's unit of work does."""
    trail = AuditTrail(db)
    entry = AuditEntry("account:acc_1", ("secretariat",), action, datetime.now(UTC))

    async def work(session: DbSession) -> None:
        batch = deferred(session)
        assert batch is not None
        await trail.stage(batch, [entry], session)

    await in_transaction(db.client, work)


async def test_a_process_reads_a_lanes_head_once_and_then_only_writes_it(
    db: Database, commands: Commands
) -> None:
    await AuditTrail(db).chain.ensure()
    for n in range(LANES):
        await write(db, f"first.{n}")
    commands.targets.clear()
    for n in range(LANES):
        await write(db, f"second.{n}")
    assert not [t for t in commands.targets if t == f"find {AUDIT_CHAIN}"]
    verdict = await verify(db, retention_days=30)
    assert verdict.intact
    assert verdict.entries == 2 * LANES


async def test_another_replica_moving_every_lane_on_forks_none(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await AuditTrail(db).chain.ensure()
    for n in range(LANES):
        await write(db, f"here.{n}")
    known_here = dict(audit_chain._written)
    # another replica: its own knowledge of the heads (none), the same database
    monkeypatch.setattr(audit_chain, "_written", {})
    for n in range(LANES):
        await write(db, f"there.{n}")
    # back here, every lane's head as known here is stale
    monkeypatch.setattr(audit_chain, "_written", known_here)
    for n in range(LANES):
        await write(db, f"here.again.{n}")
    verdict = await verify(db, retention_days=30)
    assert verdict.broken is None
    assert verdict.entries == 3 * LANES
    assert sum(n for n, _ in verdict.heads.values()) == 3 * LANES
