"""What a meeting decided and what happened, on the real broker and database: the agenda's
published communiqué reaches the action plan, a decision is linked to the activity that
carries it out, and the implementation report shows that activity's state against the
decision (the next meeting opens with it)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.actionplan.conftest import Registration, communique_published
from tests.integration.actionplan.test_actionplan_rules import AREA, tri
from tests.support import eventually

pytestmark = pytest.mark.integration

OFFICER = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}


async def test_the_report_shows_what_happened_to_each_linked_decision(
    actionplan: Any, registration_bus: Registration
) -> None:
    http: httpx.AsyncClient = actionplan.http
    officer = OFFICER
    created = await http.post(
        "/plans", json={"period": "2030-2032", "thematic_areas": [AREA]}, headers=officer
    )
    assert created.status_code == 201, created.text
    activity = await http.post(
        "/plans/2030-2032/activities",
        json={
            "thematic_area": "digital",
            "activity_type": "study_visit",
            "title": tri("Study visit on job-matching platforms"),
            "lead_institutions": ["anapec"],
        },
        headers=officer,
    )
    assert activity.status_code == 201, activity.text
    activity_id = activity.json()["id"]
    await registration_bus.publish(communique_published("pesnet-9", "p1", "p2"))

    async def known() -> bool:
        response = await http.get("/meetings/pesnet-9/decisions")
        return response.status_code == 200

    await eventually(known, within=20.0)
    link = {"period": "2030-2032", "activity_id": activity_id}
    linked = await http.post(
        "/meetings/pesnet-9/decisions/p2/activities", json=link, headers=officer
    )
    assert linked.status_code == 201, linked.text
    moved = await http.post(
        f"/plans/2030-2032/activities/{activity_id}/status",
        json={"status": "ongoing"},
        headers=officer,
    )
    assert moved.status_code == 200, moved.text

    listed = (await http.get("/meetings/pesnet-9/decisions", params={"lang": "fr"})).json()
    assert [(d["number"], [a["status"] for a in d["activities"]]) for d in listed] == [
        (1, []),
        (2, ["ongoing"]),
    ]
    report = await http.get("/plans/2030-2032/report", params={"lang": "fr"})
    assert 'id="decisions"' in report.text
    assert "Décision 2" in report.text
    assert "En cours" in report.text
