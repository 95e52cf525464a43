"""The issue's rules through the HTTP API, against the real broker and database."""

from __future__ import annotations

from typing import Any

import pytest

from pesnet.shared.events import CATALOG
from pesnet.shared.events.actionplan import (
    ActivityCreated,
    ActivityUpdated,
    PlanAdopted,
    ProgressReviewed,
    ProgressValidated,
)
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN

pytestmark = pytest.mark.integration

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


AREA = {
    "id": "digital",
    "title": {
        "ar": "رقمنة خدمات التوظيف",
        "en": "Digitalisation of PES",
        "fr": "Numérisation des SPE",
    },
}


def tri(en: str) -> dict[str, str]:
    return {"ar": f"ع {en}", "en": en, "fr": f"fr {en}"}


def fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


async def focal_point(http: Any, institution: str, email: str) -> dict[str, str]:
    """The officer's override: an interim focal point named in the action plan."""
    r = await http.post(
        "/focal-points",
        json={
            "institution": institution,
            "name": f"FP {institution}",
            "email": email,
            "language": "fr",
        },
        headers=SECRETARIAT,
    )
    assert r.status_code == 201, r.text
    return bearer(str(r.json()["token"]))


async def adopted_plan(http: Any) -> tuple[str, str]:
    """A 2024-2026 plan with one activity led by ANAPEC and one numeric indicator."""
    r = await http.post(
        "/plans", json={"period": "2024-2026", "thematic_areas": [AREA]}, headers=SECRETARIAT
    )
    assert r.status_code == 201, r.text
    r = await http.post(
        "/plans/2024-2026/activities",
        json={
            "thematic_area": "digital",
            "activity_type": "study_visit",
            "title": tri("Study visit on job-matching platforms"),
            "lead_institutions": ["anapec"],
            "participants": [{"institution": "iskur", "role": "host"}],
            "planned_start": "2024-10-01",
            "planned_end": "2024-10-05",
        },
        headers=SECRETARIAT,
    )
    assert r.status_code == 201, r.text
    activity_id = r.json()["id"]
    r = await http.post(
        "/plans/2024-2026/indicators",
        json={
            "title": tri("PES staff trained on job matching"),
            "measure": "number",
            "activity_id": activity_id,
            "baseline": 0,
            "targets": [
                {"reporting_period": "2024", "value": 20},
                {"reporting_period": "2025", "value": 40},
            ],
        },
        headers=SECRETARIAT,
    )
    assert r.status_code == 201, r.text
    indicator_id = r.json()["id"]
    r = await http.post(
        "/plans/2024-2026/adopt", json={"meeting_id": "pesnet-4"}, headers=SECRETARIAT
    )
    assert r.status_code == 200, r.text
    return activity_id, indicator_id


async def test_a_reversed_period_is_a_422_naming_the_field(actionplan: Any) -> None:
    r = await actionplan.http.post("/plans", json={"period": "2026-2024"}, headers=SECRETARIAT)
    assert r.status_code == 422
    assert fields(r) == ["period"]
    assert "2024-2026" in r.json()["errors"][0]["msg"]
    r = await actionplan.http.get("/plans/2026-2024")
    assert r.status_code == 422


async def test_commands_need_a_token(actionplan: Any) -> None:
    r = await actionplan.http.post("/plans", json={"period": "2024-2026"})
    assert r.status_code == 401
    fp = await focal_point(actionplan.http, "anapec", "fp@anapec.example")
    r = await actionplan.http.post("/plans", json={"period": "2024-2026"}, headers=fp)
    assert r.status_code == 403  # a focal point is not the action-plan officer
    r = await actionplan.http.post("/plans/2024-2026/needs", json={}, headers=bearer("fp_forged"))
    assert r.status_code == 401
    # a revoked focal-point token no longer works
    r = await actionplan.http.post(
        "/focal-points",
        json={"institution": "iskur", "name": "Former NFP", "email": "old@iskur.example"},
        headers=SECRETARIAT,
    )
    old_token, old_id = r.json()["token"], r.json()["id"]
    r = await actionplan.http.get("/cooperation/proposals", headers=bearer(old_token))
    assert (r.status_code, r.json()) == (200, [])
    r = await actionplan.http.delete(f"/focal-points/{old_id}", headers=SECRETARIAT)
    assert r.status_code == 204
    r = await actionplan.http.get("/cooperation/proposals", headers=bearer(old_token))
    assert r.status_code == 401


async def test_results_framework_bad_input(actionplan: Any) -> None:
    http = actionplan.http
    activity_id, _ = await adopted_plan(http)
    r = await http.post(
        "/plans/2024-2026/indicators",
        json={"title": tri("Lessons learnt"), "measure": "qualitative", "activity_id": activity_id,
              "targets": [{"reporting_period": "2025", "value": 1}]},
        headers=SECRETARIAT,
    )  # fmt: skip
    assert (r.status_code, fields(r)) == (422, ["targets"])
    r = await http.post(
        "/plans/2024-2026/indicators",
        json={"title": tri("Share of vacancies online"), "measure": "percentage", "thematic_area": "digital",
              "targets": [{"reporting_period": "2025", "value": 140}]},
        headers=SECRETARIAT,
    )  # fmt: skip
    assert (r.status_code, fields(r)) == (422, ["targets.0.value"])
    r = await http.post(
        "/plans/2024-2026/indicators",
        json={"title": tri("x"), "measure": "ratio", "thematic_area": "digital"},
        headers=SECRETARIAT,
    )
    assert (r.status_code, fields(r)) == (422, ["measure"])


async def test_progress_reporting_and_review(actionplan: Any, taps: Any) -> None:
    internal, public = taps
    http = actionplan.http
    _, indicator_id = await adopted_plan(http)
    anapec = await focal_point(http, "anapec", "fp@anapec.example")
    iskur = await focal_point(http, "iskur", "fp@iskur.example")
    report = {"indicator_id": indicator_id, "reporting_period": "2024", "actual_value": 25}

    # ISKUR hosts the visit but does not lead it: its focal point may not report
    r = await http.post("/plans/2024-2026/progress", json=report, headers=iskur)
    assert r.status_code == 403
    # 2027 is outside the 2024-2026 plan
    r = await http.post(
        "/plans/2024-2026/progress", json={**report, "reporting_period": "2027"}, headers=anapec
    )
    assert (r.status_code, fields(r)) == (422, ["reporting_period"])
    r = await http.post("/plans/2024-2026/progress", json=report, headers=anapec)
    assert r.status_code == 201, r.text
    report_id = r.json()["id"]
    assert (r.json()["institution"], r.json()["status"]) == ("anapec", "submitted")

    r = await http.post(f"/plans/2024-2026/progress/{report_id}/validate", headers=SECRETARIAT)
    assert (r.status_code, r.json()["status"]) == (200, "validated")
    r = await http.post(f"/plans/2024-2026/progress/{report_id}/validate", headers=SECRETARIAT)
    assert r.status_code == 409

    # a second report is returned with a comment
    r = await http.post(
        "/plans/2024-2026/progress",
        json={**report, "reporting_period": "2025", "actual_value": 31},
        headers=anapec,
    )
    second = r.json()["id"]
    r = await http.post(
        f"/plans/2024-2026/progress/{second}/return",
        json={"comment": "Attach the attendance list"},
        headers=SECRETARIAT,
    )
    assert (r.status_code, r.json()["status"]) == (200, "returned")

    plan = (await http.get("/plans/2024-2026")).json()
    indicator = plan["indicators"][0]
    # the validated 2024 value (25 against a target of 20) counts; the returned one does not
    assert indicator["progress"] == {
        "state": "on_track",
        "reporting_period": "2024",
        "actual_value": 25.0,
        "target": 20.0,
    }
    assert plan["rollup"]["plan"]["share_on_track"] == 1.0
    assert all("reporter" not in p for p in plan["progress"])  # public view: no focal point names

    # public: the validated value, without anyone's name; internal: the reporter hears back
    validated = await public.wait_for(ProgressValidated)
    assert [e["data"]["actual_value"] for e in validated] == [25.0]
    reviewed = await internal.wait_for(ProgressReviewed, count=2)
    outcomes = {
        (e["data"]["outcome"], e["data"]["reporter"]["email"], e["data"]["comment"])
        for e in reviewed
    }
    assert outcomes == {
        ("validated", "fp@anapec.example", None),
        ("returned", "fp@anapec.example", "Attach the attendance list"),
    }
    adopted = await public.wait_for(PlanAdopted)
    assert adopted[0]["data"]["meeting_id"] == "pesnet-4"
    assert adopted[0]["data"]["thematic_areas"][0]["id"] == "digital"
    for event in public.events:
        assert event["type"] in {
            CATALOG.type_of(PlanAdopted),
            CATALOG.type_of(ActivityCreated),
            CATALOG.type_of(ProgressValidated),
        }
        assert "@" not in str(event["data"]), event  # no e-mail, no reporter on the public stream

    # closing the plan ends reporting
    r = await http.post("/plans/2024-2026/close", headers=SECRETARIAT)
    assert (r.status_code, r.json()["status"]) == (200, "closed")
    r = await http.post("/plans/2024-2026/progress", json=report, headers=anapec)
    assert r.status_code == 409


async def test_activity_status_by_its_lead_focal_point(actionplan: Any, taps: Any) -> None:
    _, public = taps
    http = actionplan.http
    activity_id, _ = await adopted_plan(http)
    anapec = await focal_point(http, "anapec", "fp@anapec.example")
    iskur = await focal_point(http, "iskur", "fp@iskur.example")
    url = f"/plans/2024-2026/activities/{activity_id}/status"
    r = await http.post(url, json={"status": "ongoing"}, headers=iskur)
    assert r.status_code == 403
    r = await http.post(
        url, json={"status": "ongoing", "actual_start": "2024-10-02"}, headers=anapec
    )
    assert r.status_code == 200, r.text
    r = await http.post(
        url, json={"status": "completed", "actual_end": "2024-10-06"}, headers=SECRETARIAT
    )
    assert [h["status"] for h in r.json()["history"]] == ["planned", "ongoing", "completed"]
    r = await http.post(url, json={"status": "planned"}, headers=SECRETARIAT)
    assert r.status_code == 409
    updates = await public.wait_for(ActivityUpdated, count=2)
    assert [u["data"]["status"] for u in updates] == ["ongoing", "completed"]
    assert updates[-1]["data"]["actual_end"] == "2024-10-06"
    created = await public.wait_for(ActivityCreated)
    assert created[0]["data"]["participants"] == [{"institution": "iskur", "role": "host"}]
    assert created[0]["data"]["lead_institutions"] == ["anapec"]


async def test_needs_bad_input(actionplan: Any) -> None:
    http = actionplan.http
    await adopted_plan(http)
    fp = await focal_point(http, "aneti", "nfp@aneti.example")
    need = {
        "thematic_area": "digital",
        "priority": "high",
        "title": {"fr": "Plateforme d'appariement"},
    }
    r = await http.post(
        "/plans/2024-2026/needs", json={**need, "thematic_area": "tourism"}, headers=fp
    )
    assert (r.status_code, fields(r)) == (422, ["thematic_area"])
    r = await http.post("/plans/2024-2026/needs", json={**need, "priority": "urgent"}, headers=fp)
    assert (r.status_code, fields(r)) == (422, ["priority"])
    r = await http.post("/plans/2024-2026/needs", json={**need, "title": {}}, headers=fp)
    assert (r.status_code, fields(r)) == (422, ["title"])
    r = await http.post(
        "/plans/2024-2026/needs", json={**need, "institution": "anapec"}, headers=fp
    )
    assert (r.status_code, fields(r)) == (422, ["institution"])  # the token names the institution
    r = await http.post("/plans/2024-2026/needs", json=need, headers=fp)
    assert (r.status_code, r.json()["institution"], r.json()["languages"]) == (201, "aneti", ["fr"])
    # the secretariat is no institution: needs come from focal points
    r = await http.post("/plans/2024-2026/needs", json=need, headers=SECRETARIAT)
    assert r.status_code == 403


async def test_openapi_health_and_unknown_plan(actionplan: Any) -> None:
    http = actionplan.http
    assert (await http.get("/healthz")).json()["status"] == "ok"
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert {"/plans", "/plans/{period}", "/plans/{period}/report", "/dev/seed"} <= set(paths)
    r = await http.get("/plans/2030-2031")
    assert r.status_code == 404
    r = await http.get("/plans/2030-2031/report", params={"lang": "de"})
    assert (r.status_code, fields(r)) == (422, ["lang"])


async def test_numbers_are_finite_lists_bounded_and_texts_clean(actionplan: Any) -> None:
    http = actionplan.http
    activity_id, indicator_id = await adopted_plan(http)
    anapec = await focal_point(http, "anapec", "fp@anapec.example")
    headers = {**anapec, "content-type": "application/json"}
    for value in ("NaN", "Infinity", "1e40", "true"):
        raw = f'{{"indicator_id": "{indicator_id}", "reporting_period": "2024", "actual_value": {value}}}'
        r = await http.post("/plans/2024-2026/progress", content=raw, headers=headers)
        assert r.status_code == 422, (value, r.text)
        assert fields(r)[0].startswith("actual_value"), (value, fields(r))
    raw = (
        '{"title": {"ar": "x", "en": "x", "fr": "x"}, "measure": "number", '
        '"thematic_area": "digital", "targets": [{"reporting_period": "2025", "value": NaN}]}'
    )
    r = await http.post(
        "/plans/2024-2026/indicators",
        content=raw,
        headers={**SECRETARIAT, "content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert fields(r) == ["targets.0.value"]

    activity = {
        "thematic_area": "digital",
        "activity_type": "study_visit",
        "title": tri("Too many leads"),
        "lead_institutions": [f"i{n}" for n in range(10_000)],
    }
    r = await http.post("/plans/2024-2026/activities", json=activity, headers=SECRETARIAT)
    assert (r.status_code, fields(r)) == (422, ["lead_institutions"])
    for bad in ("ANA\x00PEC", "anapec\u202e"):
        r = await http.post(
            "/plans/2024-2026/activities",
            json={**activity, "lead_institutions": [bad]},
            headers=SECRETARIAT,
        )
        assert (r.status_code, fields(r)) == (422, ["lead_institutions.0"]), r.text
    r = await http.post(
        "/plans/2024-2026/activities",
        json={**activity, "lead_institutions": ["anapec"], "title": tri("Visit\u202e")},
        headers=SECRETARIAT,
    )
    assert r.status_code == 422, r.text
    assert fields(r)[0].startswith("title")
    assert activity_id
