"""Evidence files are kept while their plan is monitored: once a plan has been closed
for `retention_days`, the sweep erases its files (the reports keep that they had one
and when it was erased). Each plan is its own transaction, with its `EvidenceErased`
event; a second sweep finds nothing left, so replicas sweeping at once erase once (the
loser of the race gets a write conflict, is retried and then sees the files erased)."""

from __future__ import annotations

import asyncio

from pesnet.actionplan.domain.commands import EraseExpiredEvidence
from pesnet.actionplan.domain.evidence import expired_files, retention_over
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.service_layer.ports import Clock, UnitOfWorkFactory
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.envelope import utcnow
from pesnet.shared.events.actionplan import EvidenceErased
from pesnet.shared.logging import get_logger

log = get_logger(__name__)

__all__ = ["Clock", "EvidenceSweeper", "erase_expired_evidence"]


async def erase_expired_evidence(
    cmd: EraseExpiredEvidence, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> int:
    """Erase the files whose retention is over; returns how many."""
    now = clock()
    erased = 0
    for plan in await uow.plans.all():
        if retention_over(plan.closed_at, cmd.retention_days, now):
            erased += await _erase_files_of(plan.period, uow, clock)
    return erased


async def _erase_files_of(period: str, uow: ActionPlanUnitOfWork, clock: Clock) -> int:
    async def work(uow: ActionPlanUnitOfWork) -> int:
        plan: Plan | None = await uow.plans.get(period)
        if plan is None:
            return 0
        now = clock()
        files = expired_files((report.evidence for report in plan.progress), now=now)
        if not files:
            return 0
        await uow.evidence.erase([f.id for f in files])
        await uow.plans.save(plan)
        uow.emit(EvidenceErased(period=period, files=len(files), erased_at=now), subject=period)
        return len(files)

    return await uow.run(work)


class EvidenceSweeper:
    """The background loop: every `interval_seconds`, erase the files whose retention
    is over."""

    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        *,
        retention_days: int,
        interval_seconds: float,
        clock: Clock = utcnow,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.command = EraseExpiredEvidence(retention_days=retention_days)
        self.interval_seconds = interval_seconds
        self.clock = clock

    async def run(self) -> None:
        while True:
            try:
                erased = await erase_expired_evidence(
                    self.command, self.unit_of_work(), clock=self.clock
                )
                if erased:
                    log.info("evidence files erased at the end of their retention", count=erased)
            except Exception:
                log.exception("evidence sweep failed; the next one retries")
            await asyncio.sleep(self.interval_seconds)
