"""Reminders from two replicas (one reminder, not two) and the idempotent dev seed."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.events import CATALOG
from pesnet.shared.events.actionplan import PlanAdopted, ReminderDue
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from pesnet.shared.messaging import EventPublisher
from pesnet.shared.mongo import Client
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.actionplan.conftest import Registration, institution, known_institutions
from tests.support import bus_tap, eventually

pytestmark = pytest.mark.integration

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
P = "/plans/2024-2026"


def tri(en: str) -> dict[str, str]:
    return {"ar": f"{en} (ع)", "en": en, "fr": f"{en} (fr)"}


async def post(http: Any, url: str, body: Any, headers: dict[str, str] = SECRETARIAT) -> Any:
    r = await http.post(url, json=body, headers=headers)
    assert r.status_code in (200, 201), (url, r.text)
    return r.json()


async def test_two_replicas_send_each_reminder_once(
    actionplan_settings: Settings,
    start_service: Any,
    rabbit_url: str,
    mongo_client: Client,
    registration_bus: Registration,
) -> None:
    async with (
        start_service(build_app(actionplan_settings)) as one,
        start_service(build_app(actionplan_settings)) as two,
        bus_tap(rabbit_url, "actionplan.#") as internal,
    ):
        http = one.http
        await registration_bus.publish(institution("anapec"))
        await known_institutions(http, {"anapec"})
        area = {"id": "youth", "title": tri("Youth employment")}
        await post(http, "/plans", {"period": "2024-2026", "thematic_areas": [area]})
        activity = await post(http, f"{P}/activities", {
            "thematic_area": "youth", "activity_type": "webinar", "title": tri("Webinar on youth guarantees"),
            "lead_institutions": ["anapec"], "planned_start": "2025-03-10",
        })  # fmt: skip
        await post(http, f"{P}/indicators", {
            "title": tri("Participants"), "measure": "number", "activity_id": activity["id"],
            "targets": [{"reporting_period": "2025", "value": 100}],
        })  # fmt: skip
        await post(http, f"{P}/adopt", {"meeting_id": "pesnet-4"})
        await post(http, "/focal-points", {
            "institution": "anapec", "name": "NFP ANAPEC", "email": "nfp@anapec.example",
            "language": "fr",
        })  # fmt: skip
        schedulers = [svc.app.state.dependencies.scheduler for svc in (one, two)]

        # 1 March 2025: the webinar starts on the 10th (within 14 days); the 2025 reporting
        # period closes on 31 December (not yet)
        sent = await asyncio.gather(*(s.send_due(date(2025, 3, 1)) for s in schedulers))
        assert sum(sent) == 1
        # the next rounds of both replicas find it sent
        assert [await s.send_due(date(2025, 3, 2)) for s in schedulers] == [0, 0]

        # 20 December 2025: the 2025 period closes and ANAPEC owes its indicator's report
        sent = await asyncio.gather(*(s.send_due(date(2025, 12, 20)) for s in schedulers))
        assert sum(sent) == 1

        # one outbox entry per reminder: nothing else can publish a second one
        outbox = mongo_client[actionplan_settings.database]["outbox"]
        assert await outbox.count_documents({"type": CATALOG.type_of(ReminderDue)}) == 2
        reminders = await internal.wait_for(ReminderDue, count=2)
        assert sorted((r["data"]["kind"], r["data"]["due_date"]) for r in reminders) == [
            ("activity_starting", "2025-03-10"),
            ("reporting_period_closing", "2025-12-31"),
        ]
        for reminder in reminders:
            assert [c["email"] for c in reminder["data"]["recipients"]] == ["nfp@anapec.example"]
        closing = next(r for r in reminders if r["data"]["kind"] == "reporting_period_closing")
        assert closing["data"]["subject_title"]["fr"].startswith("Période de rapport 2025")


async def test_dev_seed_records_the_two_plans_once(
    actionplan: Any, actionplan_settings: Settings, mongo_client: Client
) -> None:
    http = actionplan.http
    assert (await http.post("/dev/seed")).status_code == 401
    first = await post(http, "/dev/seed", None)
    assert first["changes"] == {"2021-2022": "adopted", "2024-2026": "drafted"}
    second = await post(http, "/dev/seed", None)
    assert second["changes"] == {}

    plans = {p["period"]: p for p in (await http.get("/plans")).json()}
    assert plans["2021-2022"]["status"] == "adopted"
    assert plans["2021-2022"]["meeting_id"] == "pesnet-3"
    assert plans["2021-2022"]["adopted_at"].startswith("2021-06-03")
    assert plans["2021-2022"]["title"]["en"] == (
        "Action Plan 2021-2022 of the OIC Public Employment Services Network (OIC-PESNET)"
    )
    draft = (await http.get(P)).json()
    assert (draft["status"], draft["draft_meeting_id"], draft["meeting_id"]) == (
        "draft",
        "pesnet-4",
        None,
    )
    # the 2021-2022 record has no content the sources do not give; the 2024-2026 draft has
    # the programme's thematic areas and illustrative activities and comments, said so
    assert plans["2021-2022"]["thematic_areas"] == plans["2021-2022"]["activities"] == 0
    areas = {a["id"] for a in draft["thematic_areas"]}
    assert {"entrepreneurship", "youth-skills"} <= areas
    assert len(draft["activities"]) >= 3
    assert all(a["summary"]["en"].startswith("Illustrative") for a in draft["activities"])
    comments = (await http.get(f"{P}/consultation")).json()["comments"]
    assert comments
    assert all(c["illustrative"] for c in comments)
    outbox = mongo_client[actionplan_settings.database]["outbox"]
    assert await outbox.count_documents({"type": CATALOG.type_of(PlanAdopted)}) == 1


async def test_the_report_names_the_meeting_the_agenda_announced(
    actionplan: Any, rabbit_url: str
) -> None:
    http = actionplan.http
    await post(http, "/dev/seed", None)
    title = {
        "ar": "الاجتماع الرابع لشبكة منظمة التعاون الإسلامي لخدمات التوظيف العامة",
        "en": "4th Meeting of the OIC Public Employment Services Network (OIC-PESNET)",
        "fr": "4e réunion du Réseau des services publics de l'emploi de l'OCI (OIC-PESNET)",
    }
    # the agenda service announces the 4th meeting (published here as the agenda would)
    broker = RabbitBroker(rabbit_url, logger=None)
    await broker.connect()
    try:
        event = CATALOG.envelope(
            MeetingScheduled(meeting_id="pesnet-4", number=4, title=Localized(**title),
                             timezone="Africa/Casablanca"),
            source="/pesnet/agenda",
        )  # fmt: skip
        await EventPublisher(broker).publish(event)
    finally:
        await broker.stop()

    async def announced() -> bool:
        return bool((await http.get(P)).json()["meetings"])

    await eventually(announced)
    assert (await http.get(P)).json()["meetings"] == {"pesnet-4": title}
    page = (await http.get(f"{P}/report", params={"lang": "ar"})).text
    assert f"نوقش المشروع في: {title['ar']}" in page
    # the 3rd meeting was never announced by the agenda: the 2021-2022 report shows its id
    page = (await http.get("/plans/2021-2022/report", params={"lang": "en"})).text
    assert "Adopted at: pesnet-3 (3 June 2021)" in page
