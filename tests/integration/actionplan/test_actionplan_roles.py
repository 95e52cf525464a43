"""Every action-plan route checked by role: the action-plan officer runs plans,
progress validation and cooperation; a national focal point acts for its institution."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.credentials import StaffRole
from tests.integration.actionplan.conftest import (
    Registration,
    focal_point_known,
    institution,
    known_institutions,
)
from tests.integration.roles import (
    PUBLIC,
    TRUST,
    Decision,
    Route,
    allowed,
    bearer,
    check_bad_tokens_refused,
    check_matrix,
    role_token,
    token,
)

pytestmark = pytest.mark.integration

OFFICER = allowed(StaffRole.actionplan_officer)
FOCAL_POINT = allowed(StaffRole.focal_point)
EITHER = allowed(StaffRole.actionplan_officer, StaffRole.focal_point)

DECISIONS: dict[Route, Decision] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/livez"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/plans"): PUBLIC,
    ("GET", "/plans/{period}"): PUBLIC,
    ("GET", "/plans/{period}/report"): PUBLIC,
    ("GET", "/institutions"): PUBLIC,
    ("GET", "/audit"): allowed(),
    ("POST", "/dev/seed"): allowed(),
    ("POST", "/plans"): OFFICER,
    ("POST", "/plans/{period}/thematic-areas"): OFFICER,
    ("POST", "/plans/{period}/adopt"): OFFICER,
    ("POST", "/plans/{period}/close"): OFFICER,
    ("POST", "/plans/{period}/activities"): OFFICER,
    ("POST", "/plans/{period}/indicators"): OFFICER,
    ("POST", "/plans/{period}/progress/{report_id}/validate"): OFFICER,
    ("POST", "/plans/{period}/progress/{report_id}/return"): OFFICER,
    ("GET", "/focal-points"): OFFICER,
    ("POST", "/focal-points"): OFFICER,
    ("DELETE", "/focal-points/{focal_point_id}"): OFFICER,
    ("GET", "/plans/{period}/needs"): OFFICER,
    ("GET", "/plans/{period}/offers"): OFFICER,
    ("POST", "/plans/{period}/matching"): OFFICER,
    ("POST", "/plans/{period}/activities/{activity_id}/status"): EITHER,
    ("GET", "/cooperation/proposals"): EITHER,
    ("POST", "/plans/{period}/progress"): FOCAL_POINT,
    ("POST", "/plans/{period}/needs"): FOCAL_POINT,
    ("POST", "/plans/{period}/offers"): FOCAL_POINT,
    ("POST", "/cooperation/proposals/{proposal_id}/answer"): FOCAL_POINT,
    ("GET", "/meetings/{meeting_id}/decisions"): PUBLIC,
    ("POST", "/meetings/{meeting_id}/decisions/{paragraph_id}/activities"): OFFICER,
    ("POST", "/meetings/{meeting_id}/decisions/{paragraph_id}/activities/removal"): OFFICER,
    ("GET", "/staff/decisions/{meeting_id}"): OFFICER,
    ("POST", "/staff/decisions/{meeting_id}"): OFFICER,
    # the consultation on a draft: public to read, a delegation comments, the officer answers
    ("GET", "/plans/{period}/consultation"): PUBLIC,
    ("POST", "/plans/{period}/consultation"): FOCAL_POINT,
    ("POST", "/plans/{period}/consultation/{comment_id}/answer"): OFFICER,
    # a report's file: the secretariat and the reporting institution's focal points
    ("GET", "/plans/{period}/progress/{report_id}/evidence"): EITHER,
    # pages: signing in, the focal points' and the secretariat's (roles checked as the API)
    ("GET", "/sign-in"): PUBLIC,
    ("POST", "/sign-in"): PUBLIC,
    ("POST", "/sign-out"): PUBLIC,
    # a head of delegation's signed link is the credential (no account, no role)
    ("GET", "/delegation"): PUBLIC,
    ("POST", "/delegation/plans/{period}/consultation"): PUBLIC,
    ("GET", "/focal-point"): FOCAL_POINT,
    ("POST", "/focal-point/plans/{period}/progress"): FOCAL_POINT,
    ("POST", "/focal-point/plans/{period}/consultation"): FOCAL_POINT,
    ("POST", "/focal-point/plans/{period}/needs"): FOCAL_POINT,
    ("POST", "/focal-point/plans/{period}/offers"): FOCAL_POINT,
    ("POST", "/focal-point/proposals/{proposal_id}/answer"): FOCAL_POINT,
    ("GET", "/staff/plans"): OFFICER,
    ("GET", "/staff/plans/{period}"): OFFICER,
    ("POST", "/staff/plans/{period}/progress/{report_id}/review"): OFFICER,
    ("POST", "/staff/plans/{period}/consultation/{comment_id}/answer"): OFFICER,
    ("POST", "/staff/plans/{period}/adopt"): OFFICER,
}


def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings("actionplan", Settings, ACTIONPLAN_REMINDERS_ENABLED=False, **TRUST)


async def test_every_route_by_every_role(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any]
) -> None:
    app = build_app(settings(make_settings))
    async with start_service(app) as svc:
        await check_matrix(svc.http, app, DECISIONS)
        await check_bad_tokens_refused(svc.http, "POST", "/plans/{period}/close")


async def test_an_officers_change_is_in_the_audit_trail(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any]
) -> None:
    app = build_app(settings(make_settings))
    admin = bearer(token(StaffRole.administrator, sub="acc_admin"))
    officer = bearer(role_token(StaffRole.actionplan_officer))
    async with start_service(app) as svc:
        created = await svc.http.post(
            "/plans",
            json={
                "period": "2027-2029",
                "title": {"ar": "خطة", "en": "Plan", "fr": "Plan"},
                "thematic_areas": [],
            },
            headers=officer,
        )
        assert created.status_code == 201, created.text
        trail = await svc.http.get("/audit", headers=admin)
        assert trail.status_code == 200, trail.text
        newest = trail.json()[0]
        assert (newest["actor"], newest["action"], newest["subject"]) == (
            "acc_actionplan_officer",
            "plan.created",
            "2027-2029",
        )


async def test_a_national_focal_points_account_reports_for_its_institution(
    make_settings: Callable[..., Settings],
    start_service: Callable[..., Any],
    registration_bus: Registration,
) -> None:
    """An account of ANAPEC's national focal point (identity's token, scoped to Morocco and
    ANAPEC) reports progress on what ANAPEC leads; the review goes to the focal point
    registration nominated for ANAPEC, and without one the report is refused."""
    officer = bearer(role_token(StaffRole.actionplan_officer))
    account = bearer(role_token(StaffRole.focal_point))  # Morocco, ANAPEC
    elsewhere = bearer(
        token(StaffRole.focal_point, sub="acc_x", country="MAR", institution="iskur")
    )
    async with start_service(build_app(settings(make_settings))) as svc:
        http = svc.http
        for institution_id in ("anapec", "iskur"):
            await registration_bus.publish(institution(institution_id))
        await known_institutions(http, {"anapec", "iskur"})
        area = {"id": "digital", "title": {"ar": "الرقمنة", "en": "Digital", "fr": "Numérique"}}
        plan = {"period": "2024-2026", "thematic_areas": [area]}
        assert (await http.post("/plans", json=plan, headers=officer)).status_code == 201
        activity = await http.post(
            "/plans/2024-2026/activities",
            json={"thematic_area": "digital", "activity_type": "webinar",
                  "title": area["title"], "lead_institutions": ["anapec", "iskur"]},
            headers=officer,
        )  # fmt: skip
        indicator = await http.post(
            "/plans/2024-2026/indicators",
            json={
                "title": area["title"],
                "measure": "number",
                "activity_id": activity.json()["id"],
            },
            headers=officer,
        )
        adopted = await http.post(
            "/plans/2024-2026/adopt", json={"meeting_id": "pesnet-4"}, headers=officer
        )
        assert adopted.status_code == 200, adopted.text
        report = {
            "indicator_id": indicator.json()["id"],
            "reporting_period": "2025",
            "actual_value": 9,
        }

        # nobody nominated for ANAPEC yet: the review could reach no one
        refused = await http.post("/plans/2024-2026/progress", json=report, headers=account)
        assert refused.status_code == 403, refused.text
        _, nominated = await registration_bus.nominate(
            "anapec", name="Karim Alaoui", email="k.alaoui@anapec.example.ma"
        )
        await focal_point_known(http, nominated)
        accepted = await http.post("/plans/2024-2026/progress", json=report, headers=account)
        assert accepted.status_code == 201, accepted.text
        assert accepted.json()["institution"] == "anapec"
        assert "reporter" not in (await http.get("/plans/2024-2026")).json()["progress"][0]
        # an account of Morocco cannot report for ISKUR, an institution of Türkiye
        foreign = await http.post("/plans/2024-2026/progress", json=report, headers=elsewhere)
        assert foreign.status_code == 403, foreign.text
