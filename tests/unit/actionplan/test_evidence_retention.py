"""Evidence files outlive no purpose: a closed plan's files are erased once its retention
ends (`ACTIONPLAN_EVIDENCE_RETENTION_DAYS` after the closure), by the sweep itself; the
report says its file was erased, and an open plan's files stay."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pesnet.actionplan.domain.commands import (
    ClosePlan,
    EraseExpiredEvidence,
    ReadEvidence,
    ReportProgress,
)
from pesnet.actionplan.service_layer import activities, evidence_retention, plans
from pesnet.shared.credentials import SECRETARIAT
from pesnet.shared.errors import NotFound
from pesnet.shared.events.actionplan import EvidenceErased
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork, FakeEvidence
from tests.unit.actionplan.scenario import NOW, PERIOD, adopted_plan, clock, focal_point

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
KEPT_DAYS = 365


def at(moment: datetime) -> evidence_retention.Clock:
    return lambda: moment


async def _report_with_file(uow: FakeActionPlanUnitOfWork) -> str:
    _, indicator_id = await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    report = await activities.report_progress(
        ReportProgress(PERIOD, anapec, indicator_id, "2024", 12, evidence_file=("list.pdf", PDF)),
        uow,
        clock=clock,
    )
    return report.id


async def test_a_closed_plans_files_are_erased_when_their_retention_ends() -> None:
    uow = FakeActionPlanUnitOfWork()
    report_id = await _report_with_file(uow)
    await plans.close_plan(ClosePlan(PERIOD), uow, clock=clock)
    sweep = EraseExpiredEvidence(retention_days=KEPT_DAYS)

    day_before = NOW + timedelta(days=KEPT_DAYS) - timedelta(minutes=1)
    assert await evidence_retention.erase_expired_evidence(sweep, uow, clock=at(day_before)) == 0
    read = ReadEvidence(PERIOD, report_id, SECRETARIAT)
    assert (await activities.read_evidence(read, uow)).data == PDF

    erased_at = NOW + timedelta(days=KEPT_DAYS)
    assert await evidence_retention.erase_expired_evidence(sweep, uow, clock=at(erased_at)) == 1
    assert isinstance(uow.evidence, FakeEvidence)
    assert uow.evidence.files == {}
    [event] = uow.events(EvidenceErased)
    assert isinstance(event, EvidenceErased)
    assert (event.period, event.files, event.erased_at) == (PERIOD, 1, erased_at)
    report = (await plans.require_plan(uow, PERIOD)).report(report_id)
    assert report.evidence is not None
    assert report.evidence.file is not None
    assert report.evidence.file.erased_at == erased_at  # the report says what it had
    with pytest.raises(NotFound) as gone:
        await activities.read_evidence(read, uow)
    assert "erased" in gone.value.message

    # a second sweep finds nothing more to erase, and says nothing
    later = erased_at + timedelta(days=1)
    assert await evidence_retention.erase_expired_evidence(sweep, uow, clock=at(later)) == 0
    assert len(uow.events(EvidenceErased)) == 1


async def test_an_open_plans_files_are_kept() -> None:
    uow = FakeActionPlanUnitOfWork()
    await _report_with_file(uow)
    years_later = NOW + timedelta(days=10 * KEPT_DAYS)
    sweep = EraseExpiredEvidence(retention_days=KEPT_DAYS)
    assert await evidence_retention.erase_expired_evidence(sweep, uow, clock=at(years_later)) == 0
    assert isinstance(uow.evidence, FakeEvidence)
    assert len(uow.evidence.files) == 1
