"""Every change the action plan's API makes shows in its `GET /audit`, with the action
of the event that records it (see `tests/integration/audit_walk.py`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pesnet.shared.delegation_links import DEV_DELEGATION_LINK_KEY, DelegationLinks
from pesnet.shared.envelope import utcnow
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.actionplan.conftest import Registration, communique_published
from tests.integration.actionplan.test_actionplan_rules import AREA, tri
from tests.integration.audit_walk import State, Step, csrf_of, walk
from tests.support import eventually

pytestmark = pytest.mark.integration

OFFICER = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
P = "/plans/2027-2029"


async def posted(
    http: httpx.AsyncClient,
    state: State,
    url: str,
    body: dict[str, Any] | None,
    *,
    headers: dict[str, str] | None = None,
    keep: str | None = None,
) -> httpx.Response:
    response = await http.post(url, json=body, headers=headers or OFFICER)
    if keep is not None and response.status_code < 400:
        state[keep] = response.json()
    return response


async def focal_point(http: httpx.AsyncClient, state: State, institution: str) -> httpx.Response:
    response = await http.post(
        "/focal-points",
        json={
            "institution": institution,
            "name": f"FP {institution}",
            "email": f"fp@{institution}.example",
            "language": "fr",
        },
        headers=OFFICER,
    )
    if response.status_code == 201:
        state[institution] = {"Authorization": f"Bearer {response.json()['token']}"}
        state[f"{institution}_id"] = response.json()["id"]
    return response


async def form(
    http: httpx.AsyncClient,
    url: str,
    fields: dict[str, Any],
    headers: dict[str, str] | None = None,
    files: dict[str, Any] | None = None,
) -> httpx.Response:
    """A page's form, posted with a bearer token (which needs no CSRF token)."""
    data = {k: str(v) for k, v in fields.items()}
    return await http.post(url, data=data, files=files, headers=headers or OFFICER)


async def answer_newest_comment(http: httpx.AsyncClient) -> httpx.Response:
    """Every comment not answered yet (a focal point's, a head of delegation's) gets its
    answer; the newest's is the step's."""
    comments = (await http.get(f"{P}/consultation")).json()["comments"]
    body = {"outcome": "not", "reason": "The area stays"}
    for comment in comments[:-1]:
        if comment["answer"] is None:
            await form(http, f"/staff{P}/consultation/{comment['id']}/answer", body)
    return await form(http, f"/staff{P}/consultation/{comments[-1]['id']}/answer", body)


async def review_newest(http: httpx.AsyncClient, fields: dict[str, Any]) -> httpx.Response:
    newest = (await http.get(P)).json()["progress"][-1]["id"]
    return await form(http, f"/staff{P}/progress/{newest}/review", fields)


def report(state: State, period: str) -> dict[str, Any]:
    return {"indicator_id": state["indicator"]["id"], "reporting_period": period, "actual_value": 5}


STEPS = [
    Step(("POST", "/dev/seed"), lambda h, s: posted(h, s, "/dev/seed", None), "plan.created"),
    Step(
        ("POST", "/plans"),
        lambda h, s: posted(h, s, "/plans", {"period": "2027-2029", "thematic_areas": [AREA]}),
        "plan.created",
    ),
    Step(
        ("POST", "/plans/{period}/thematic-areas"),
        lambda h, s: posted(h, s, f"{P}/thematic-areas", {"id": "youth", "title": tri("Youth")}),
        "thematic_area.added",
    ),
    Step(
        ("POST", "/plans/{period}/activities"),
        lambda h, s: posted(
            h,
            s,
            f"{P}/activities",
            {
                "thematic_area": "digital",
                "activity_type": "study_visit",
                "title": tri("Study visit on job-matching platforms"),
                "lead_institutions": ["anapec"],
                "participants": [{"institution": "iskur", "role": "host"}],
                "planned_start": "2027-10-01",
                "planned_end": "2027-10-05",
            },
            keep="activity",
        ),
        "activity.created",
    ),
    Step(
        ("POST", "/plans/{period}/indicators"),
        lambda h, s: posted(
            h,
            s,
            f"{P}/indicators",
            {
                "title": tri("PES staff trained"),
                "measure": "number",
                "activity_id": s["activity"]["id"],
                "baseline": 0,
                "targets": [
                    {"reporting_period": "2027", "value": 20},
                    {"reporting_period": "2028", "value": 40},
                ],
            },
            keep="indicator",
        ),
        "indicator.added",
    ),
    Step(("POST", "/focal-points"), lambda h, s: focal_point(h, s, "anapec"), "focal_point.issued"),
    Step(("POST", "/focal-points"), lambda h, s: focal_point(h, s, "iskur"), "focal_point.issued"),
    Step(
        ("POST", "/plans/{period}/consultation"),
        lambda h, s: posted(
            h,
            s,
            f"{P}/consultation",
            {"thematic_area": "digital", "stance": "support", "text": "Morocco supports it"},
            headers=s["anapec"],
            keep="comment",
        ),
        "consultation.commented",
    ),
    Step(
        ("POST", "/plans/{period}/consultation/{comment_id}/answer"),
        lambda h, s: posted(
            h,
            s,
            f"{P}/consultation/{s['comment']['id']}/answer",
            {"outcome": "taken", "reason": "Kept as drafted"},
        ),
        "consultation.answered",
    ),
    Step(
        ("POST", "/focal-point/plans/{period}/consultation"),
        lambda h, s: form(
            h,
            f"/focal-point{P}/consultation",
            {"target": "area:digital", "stance": "object", "text": "Too early for us"},
            s["iskur"],
        ),
        "consultation.commented",
    ),
    Step(
        ("POST", "/delegation/plans/{period}/consultation"),
        lambda h, s: form(
            h,
            f"/delegation{P}/consultation",
            {
                "token": DelegationLinks([DEV_DELEGATION_LINK_KEY.encode()]).token(
                    "reg-hod-sen", "SEN", "pesnet-9", now=utcnow()
                ),
                "target": "area:digital",
                "stance": "support",
                "text": "Our delegation supports it",
            },
        ),
        "consultation.commented",
    ),
    Step(
        ("POST", "/staff/plans/{period}/consultation/{comment_id}/answer"),
        lambda h, s: answer_newest_comment(h),
        "consultation.answered",
    ),
    Step(
        ("POST", "/plans/{period}/adopt"),
        lambda h, s: posted(h, s, f"{P}/adopt", {"meeting_id": "pesnet-4"}),
        "plan.adopted",
    ),
    Step(
        ("POST", "/plans"),
        lambda h, s: posted(h, s, "/plans", {"period": "2031-2032", "thematic_areas": [AREA]}),
        "plan.created",
    ),
    Step(
        ("POST", "/staff/plans/{period}/adopt"),
        lambda h, s: form(h, "/staff/plans/2031-2032/adopt", {"meeting_id": "pesnet-5"}),
        "plan.adopted",
    ),
    Step(
        ("POST", "/plans/{period}/activities/{activity_id}/status"),
        lambda h, s: posted(
            h,
            s,
            f"{P}/activities/{s['activity']['id']}/status",
            {"status": "ongoing", "actual_start": "2027-10-02"},
        ),
        "activity.updated",
    ),
    Step(
        ("POST", "/plans/{period}/progress"),
        lambda h, s: posted(
            h, s, f"{P}/progress", report(s, "2027"), headers=s["anapec"], keep="first"
        ),
        "progress.reported",
    ),
    Step(
        ("POST", "/plans/{period}/progress/{report_id}/return"),
        lambda h, s: posted(
            h, s, f"{P}/progress/{s['first']['id']}/return", {"comment": "Attach the list"}
        ),
        "progress.reviewed",
    ),
    Step(
        ("POST", "/plans/{period}/progress"),
        lambda h, s: posted(
            h, s, f"{P}/progress", report(s, "2028"), headers=s["anapec"], keep="second"
        ),
        "progress.reported",
    ),
    Step(
        ("POST", "/plans/{period}/progress/{report_id}/validate"),
        lambda h, s: posted(h, s, f"{P}/progress/{s['second']['id']}/validate", None),
        "progress.validated",
    ),
    Step(
        ("POST", "/focal-point/plans/{period}/progress"),
        lambda h, s: form(
            h,
            f"/focal-point{P}/progress",
            {**report(s, "2029"), "evidence_text": "Attendance list"},
            s["anapec"],
            files={"evidence_file": ("list.pdf", b"%PDF-1.4 list", "application/pdf")},
        ),
        "progress.reported",
    ),
    Step(
        ("POST", "/staff/plans/{period}/progress/{report_id}/review"),
        lambda h, s: review_newest(h, {"decision": "return", "comment": "Which year?"}),
        "progress.reviewed",
    ),
    Step(
        ("POST", "/focal-point/plans/{period}/needs"),
        lambda h, s: form(
            h,
            f"/focal-point{P}/needs",
            {"thematic_area": "digital", "priority": "low", "title": "Données du marché"},
            s["anapec"],
        ),
        "need.submitted",
    ),
    Step(
        ("POST", "/focal-point/plans/{period}/offers"),
        lambda h, s: form(
            h,
            f"/focal-point{P}/offers",
            {"thematic_area": "digital", "title": "Plateforme", "capacity": "1"},
            s["iskur"],
        ),
        "offer.submitted",
    ),
    Step(
        ("POST", "/plans/{period}/needs"),
        lambda h, s: posted(
            h,
            s,
            f"{P}/needs",
            {
                "thematic_area": "digital",
                "priority": "high",
                "title": {"fr": "Plateforme d'appariement"},
                "topics": ["job matching"],
                "languages": ["fr"],
            },
            headers=s["anapec"],
        ),
        "need.submitted",
    ),
    Step(
        ("POST", "/plans/{period}/offers"),
        lambda h, s: posted(
            h,
            s,
            f"{P}/offers",
            {
                "thematic_area": "digital",
                "title": tri("Online job-matching platform"),
                "topics": ["job matching"],
                "languages": ["fr"],
                "capacity": 2,
            },
            headers=s["iskur"],
        ),
        "offer.submitted",
    ),
    Step(
        ("POST", "/plans/{period}/matching"),
        lambda h, s: posted(h, s, f"{P}/matching", None, keep="matched"),
        "matching.run",
    ),
    Step(
        ("POST", "/cooperation/proposals/{proposal_id}/answer"),
        lambda h, s: posted(
            h,
            s,
            f"/cooperation/proposals/{s['matched']['proposed'][0]['id']}/answer",
            {"answer": "accepted"},
            headers=s["anapec"],
        ),
        "cooperation.answered",
    ),
    Step(
        ("POST", "/focal-point/proposals/{proposal_id}/answer"),
        lambda h, s: form(
            h,
            f"/focal-point/proposals/{s['matched']['proposed'][0]['id']}/answer",
            {"answer": "accepted", "period": "2027-2029"},
            s["iskur"],
        ),
        "cooperation.answered",
    ),
    Step(
        ("DELETE", "/focal-points/{focal_point_id}"),
        lambda h, s: h.delete(f"/focal-points/{s['iskur_id']}", headers=OFFICER),
        "focal_point.revoked",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/decisions/{paragraph_id}/activities"),
        lambda h, s: link_decision(h, s),
        "decision.activity_linked",
    ),
    Step(
        ("POST", "/staff/decisions/{meeting_id}"),
        lambda h, s: page_unlinks(h, s),
        "decision.activity_unlinked",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/decisions/{paragraph_id}/activities/removal"),
        lambda h, s: relink_and_unlink(h, s),
        "decision.activity_unlinked",
    ),
    Step(
        ("POST", "/plans/{period}/close"),
        lambda h, s: posted(h, s, f"{P}/close", None),
        "plan.closed",
    ),
]


async def link_decision(http: httpx.AsyncClient, state: State) -> httpx.Response:
    """The agenda publishes a communiqué; once known here, a decision is linked."""
    await state["bus"].publish(communique_published("walk-4", "p1"))

    async def known() -> bool:
        return (await http.get("/meetings/walk-4/decisions")).status_code == 200

    await eventually(known, within=20.0)
    body = {"period": "2027-2029", "activity_id": state["activity"]["id"]}
    return await http.post("/meetings/walk-4/decisions/p1/activities", json=body, headers=OFFICER)


async def page_unlinks(http: httpx.AsyncClient, state: State) -> httpx.Response:
    page = await http.get("/staff/decisions/walk-4", headers=OFFICER)
    assert page.status_code == 200, page.text
    form = {
        "csrf": csrf_of(page.text),
        "action": "unlink",
        "paragraph_id": "p1",
        "activity": f"2027-2029/{state['activity']['id']}",
    }
    return await http.post("/staff/decisions/walk-4", data=form, headers=OFFICER)


async def relink_and_unlink(http: httpx.AsyncClient, state: State) -> httpx.Response:
    body = {"period": "2027-2029", "activity_id": state["activity"]["id"]}
    linked = await http.post("/meetings/walk-4/decisions/p1/activities", json=body, headers=OFFICER)
    assert linked.status_code == 201, linked.text
    return await http.post(
        "/meetings/walk-4/decisions/p1/activities/removal", json=body, headers=OFFICER
    )


async def test_every_change_the_action_plan_makes_is_in_its_audit_trail(
    actionplan: Any, registration_bus: Registration
) -> None:
    unchanging = {
        (
            "POST",
            "/sign-in",
        ): "identity signs the person in (and audits it); the page keeps a cookie",
        ("POST", "/sign-out"): "the browser's cookie goes; nothing of the service changes",
    }
    state: State = {"bus": registration_bus}
    await walk(actionplan.http, actionplan.app, STEPS, unchanging, admin=OFFICER, state=state)
