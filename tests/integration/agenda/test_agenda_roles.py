"""Every agenda route checked by role: the programme editor edits and releases the
programme, the administrator runs meetings, the next meeting and the chairmanship."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pesnet.agenda.bootstrap import build_app
from pesnet.agenda.service_layer.seed import SESSION_IDS
from pesnet.agenda.settings import Settings
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

EDITOR = allowed(StaffRole.programme_editor)
ADMINISTRATOR = allowed()

DECISIONS: dict[Route, Decision] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/livez"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/meetings"): PUBLIC,
    ("GET", "/meetings/{meeting_id}"): PUBLIC,
    ("GET", "/meetings/{meeting_id}/programme"): PUBLIC,
    ("GET", "/meetings/{meeting_id}/programme/releases"): PUBLIC,
    ("GET", "/network/chairmanship"): PUBLIC,
    ("POST", "/meetings"): ADMINISTRATOR,
    ("PATCH", "/meetings/{meeting_id}"): ADMINISTRATOR,
    ("POST", "/meetings/{meeting_id}/next-meeting"): ADMINISTRATOR,
    ("POST", "/network/chairmanship/terms"): ADMINISTRATOR,
    ("POST", "/network/chairmanship/handovers"): ADMINISTRATOR,
    ("POST", "/dev/seed"): ADMINISTRATOR,
    ("POST", "/dev/seed/history"): ADMINISTRATOR,
    ("GET", "/audit"): ADMINISTRATOR,
    ("PUT", "/meetings/{meeting_id}/institutions/{institution_id}"): EDITOR,
    ("PUT", "/meetings/{meeting_id}/people/{person_id}"): EDITOR,
    ("GET", "/meetings/{meeting_id}/participants"): EDITOR,
    ("GET", "/meetings/{meeting_id}/draft"): EDITOR,
    ("POST", "/meetings/{meeting_id}/sessions"): EDITOR,
    ("PATCH", "/meetings/{meeting_id}/sessions/{session_id}"): EDITOR,
    ("POST", "/meetings/{meeting_id}/sessions/{session_id}/move"): EDITOR,
    ("DELETE", "/meetings/{meeting_id}/sessions/{session_id}"): EDITOR,
    ("POST", "/meetings/{meeting_id}/programme/releases"): EDITOR,
    ("GET", "/staff/meetings"): ADMINISTRATOR,
    ("GET", "/staff/meetings/{meeting_id}"): ADMINISTRATOR,
    ("POST", "/staff/meetings/{meeting_id}"): ADMINISTRATOR,
    ("GET", "/staff/audit"): ADMINISTRATOR,
    ("GET", "/sign-in"): PUBLIC,
    ("POST", "/sign-in"): PUBLIC,
    ("POST", "/sign-out"): PUBLIC,
    ("GET", "/staff/meetings/{meeting_id}/programme"): EDITOR,
    ("POST", "/staff/meetings/{meeting_id}/programme"): EDITOR,
    ("GET", "/staff/meetings/{meeting_id}/programme/preview"): EDITOR,
    ("POST", "/staff/meetings/{meeting_id}/programme/preview"): EDITOR,
    ("GET", "/meetings/{meeting_id}/communique"): PUBLIC,
    ("GET", "/meetings/{meeting_id}/communique/draft"): ADMINISTRATOR,
    ("PUT", "/meetings/{meeting_id}/communique"): ADMINISTRATOR,
    ("POST", "/meetings/{meeting_id}/communique/amendments"): ADMINISTRATOR,
    ("POST", "/meetings/{meeting_id}/communique/amendments/{amendment_id}/decision"): (
        ADMINISTRATOR
    ),
    ("POST", "/meetings/{meeting_id}/communique/adoption"): ADMINISTRATOR,
    ("POST", "/meetings/{meeting_id}/communique/publication"): ADMINISTRATOR,
    ("GET", "/staff/meetings/{meeting_id}/communique"): ADMINISTRATOR,
    ("POST", "/staff/meetings/{meeting_id}/communique"): ADMINISTRATOR,
}


async def test_every_route_by_every_role(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any], unique: str
) -> None:
    app = build_app(make_settings(f"agenda-{unique}", Settings, **TRUST))
    async with start_service(app) as svc:
        await check_matrix(svc.http, app, DECISIONS)
        await check_bad_tokens_refused(svc.http, "POST", "/meetings/{id}/programme/releases")


async def test_an_editors_change_is_in_the_audit_trail(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any], unique: str
) -> None:
    app = build_app(make_settings(f"agenda-{unique}", Settings, **TRUST))
    admin = bearer(token(StaffRole.administrator, sub="acc_admin"))
    editor = bearer(role_token(StaffRole.programme_editor))
    async with start_service(app) as svc:
        assert (await svc.http.post("/dev/seed", headers=admin)).status_code == 200
        session = SESSION_IDS[-1]
        removed = await svc.http.delete(f"/meetings/pesnet-demo/sessions/{session}", headers=editor)
        assert removed.status_code == 204, removed.text
        handover = await svc.http.post("/network/chairmanship/handovers", json={}, headers=editor)
        assert handover.status_code == 403
        trail = await svc.http.get("/audit", params={"meeting_id": "pesnet-demo"}, headers=admin)
        assert trail.status_code == 200, trail.text
        newest = trail.json()[0]
        assert (newest["actor"], newest["action"]) == (
            "acc_programme_editor",
            "session.removed",
        )
        assert newest["subject"] == session
