"""A closed plan's evidence files go by themselves when their retention ends: the
service's own sweep erases them from the database (here with no days of retention and a
sweep every fraction of a second), the report says its file was erased, and the event
says how many went."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pesnet.actionplan.adapters.repository import EVIDENCE
from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.events.actionplan import EvidenceErased
from pesnet.shared.mongo import Client
from tests.integration.actionplan.conftest import (
    Registration,
    network_known,
)
from tests.integration.actionplan.test_actionplan_pages import (
    ANAPEC,
    OFFICER,
    PDF,
    PERIOD,
    Browser,
    _plan_with_indicator,
)
from tests.integration.roles import TRUST, bearer
from tests.support import bus_tap, eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings],
    start_service: Callable[..., Any],
    registration_bus: Registration,
) -> AsyncIterator[Any]:
    settings = make_settings(
        "actionplan",
        Settings,
        ACTIONPLAN_REMINDERS_ENABLED=False,
        ACTIONPLAN_EVIDENCE_RETENTION_DAYS=0,
        ACTIONPLAN_EVIDENCE_SWEEP_INTERVAL_SECONDS=0.2,
        **TRUST,
    )
    async with start_service(build_app(settings)) as svc:
        await network_known(svc.http, registration_bus, nominate="anapec")
        yield svc, settings.database


async def test_a_closed_plans_files_are_erased_by_the_sweep(
    service: tuple[Any, str], mongo_client: Client, rabbit_url: str
) -> None:
    running, database = service
    http: httpx.AsyncClient = running.http
    files = mongo_client[database][EVIDENCE]
    officer = bearer(OFFICER)
    indicator_id = await _plan_with_indicator(http)
    adopted = await http.post(
        f"/plans/{PERIOD}/adopt", json={"meeting_id": "pesnet-9"}, headers=officer
    )
    assert adopted.status_code == 200, adopted.text
    fp = Browser(http, ANAPEC)
    await fp.get(f"/focal-point?period={PERIOD}&lang=fr")
    reported = await fp.post(
        f"/focal-point/plans/{PERIOD}/progress?lang=fr",
        {"indicator_id": indicator_id, "reporting_period": "2030", "actual_value": "12"},
        files={"evidence_file": ("présence.pdf", PDF, "application/pdf")},
    )
    assert reported.status_code == 303, reported.text
    [report] = (await http.get(f"/plans/{PERIOD}")).json()["progress"]
    evidence = f"/plans/{PERIOD}/progress/{report['id']}/evidence"
    assert (await http.get(evidence, headers=officer)).content == PDF  # an open plan keeps it
    assert await files.count_documents({}) == 1

    async with bus_tap(rabbit_url, "actionplan.evidence.#") as tap:
        closed = await http.post(f"/plans/{PERIOD}/close", headers=officer)
        assert closed.status_code == 200, closed.text
        [erased] = await tap.wait_for(EvidenceErased, period=PERIOD)
    assert erased["data"]["files"] == 1

    async def gone() -> bool:
        return await files.count_documents({}) == 0

    await eventually(gone)
    answer = await http.get(evidence, headers={**officer, "Accept-Language": "fr"})
    assert answer.status_code == 404
    [report] = (await http.get(f"/plans/{PERIOD}")).json()["progress"]
    assert report["evidence"]["file"]["erased_at"] is not None
