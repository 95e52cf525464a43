"""On the action plan's staff pages the secretariat picks the meeting a plan is adopted
at from the meetings the agenda announced (`agenda.meeting.scheduled`), by their names
in the reader's language, instead of typing an id; the picked meeting is kept across
the pages (`meeting=`), as on every service's staff pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from tests.integration.actionplan.conftest import Registration
from tests.integration.actionplan.test_actionplan_pages import OFFICER, TITLE, Browser
from tests.integration.roles import TRUST, bearer
from tests.support import eventually

pytestmark = pytest.mark.integration

PERIOD = "2033-2035"
FIFTH = Localized(ar="الاجتماع الخامس", en="5th Meeting", fr="5e réunion")


@pytest.fixture
async def http(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings("actionplan", Settings, ACTIONPLAN_REMINDERS_ENABLED=False, **TRUST)
    async with start_service(build_app(settings)) as svc:
        yield svc.http


def picker_options(page: str, select_id: str) -> dict[str, str]:
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert found is not None, f"no #{select_id} on the page"
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', found.group(1)))


async def test_the_secretariat_picks_the_meeting_that_adopts_a_plan(
    http: httpx.AsyncClient, registration_bus: Registration
) -> None:
    # the agenda announces the 5th meeting (published here as the agenda would)
    agenda_says = MeetingScheduled(
        meeting_id="pesnet-5", number=5, title=FIFTH, timezone="Europe/Istanbul"
    )
    await registration_bus.publish(agenda_says)

    created = await http.post(
        "/plans",
        json={"period": PERIOD, "title": TITLE, "thematic_areas": [], "draft_meeting_id": "pesnet-5"},
        headers=bearer(OFFICER),
    )  # fmt: skip

    async def known() -> bool:  # the plan names the meeting as the agenda announced it
        return "pesnet-5" in (await http.get(f"/plans/{PERIOD}")).json()["meetings"]

    assert created.status_code == 201, created.text
    await eventually(known, within=30)

    secretariat = Browser(http, OFFICER)
    listing = await secretariat.get("/staff/plans?lang=ar&meeting=pesnet-5")
    assert (
        picker_options(listing.text, "meeting-picker")
        .get("pesnet-5", "")
        .startswith("الاجتماع الخامس")
    )
    plan = await secretariat.get(f"/staff/plans/{PERIOD}?lang=ar&meeting=pesnet-5")
    adopting = picker_options(plan.text, "f-adopt-meeting_id")
    assert adopting["pesnet-5"] == "الاجتماع الخامس"
    assert re.search(r'<option value="pesnet-5" selected>', plan.text)
    assert 'name="meeting_id" type="text"' not in plan.text

    adopted = await secretariat.post(f"/staff/plans/{PERIOD}/adopt", {"meeting_id": "pesnet-5"})
    assert adopted.status_code == 303, adopted.text
    assert (await http.get(f"/plans/{PERIOD}")).json()["meeting_id"] == "pesnet-5"
