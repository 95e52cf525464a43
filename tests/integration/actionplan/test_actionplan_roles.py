"""Every action-plan route checked by role: the action-plan officer runs plans,
progress validation and cooperation; a national focal point acts for its institution."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.credentials import StaffRole
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
