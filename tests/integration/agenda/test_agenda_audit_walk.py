"""Every change the agenda's API makes shows in its `GET /audit`, with the action of the
event that records it (see `tests/integration/audit_walk.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pesnet.agenda.bootstrap import build_app
from pesnet.agenda.settings import Settings
from pesnet.shared.credentials import StaffRole
from tests.integration.audit_walk import Step, csrf_of, walk
from tests.integration.roles import TRUST, bearer, role_token, token

pytestmark = pytest.mark.integration

ADMIN = bearer(token(StaffRole.administrator, sub="acc_admin"))
EDITOR = bearer(role_token(StaffRole.programme_editor))
M = "/meetings/walk-9"


def tri(en: str) -> dict[str, str]:
    return {"ar": f"ع {en}", "en": en, "fr": f"fr {en}"}


def holder(institution: str, country: str, group: str) -> dict[str, Any]:
    return {
        "institution": institution,
        "name": tri(institution.upper()),
        "country": country,
        "oic_group": group,
    }


# routes that change nothing the agenda keeps
UNCHANGING = {
    ("POST", "/sign-in"): "the password is exchanged at identity, which audits the sign-in",
    ("POST", "/sign-out"): "a cookie is deleted in the browser",
}
SESSION = {
    "id": "walk-panel",
    "kind": "panel",
    "title": tri("Panel"),
    "day": "2030-05-06",
    "start": "10:00",
    "end": "11:00",
}
STEPS = [
    Step(
        ("POST", "/dev/seed"), lambda h, s: h.post("/dev/seed", headers=ADMIN), "meeting.scheduled"
    ),
    Step(
        ("POST", "/dev/seed/history"),
        lambda h, s: h.post("/dev/seed/history", headers=ADMIN),
        "programme.released",
    ),
    Step(
        ("POST", "/meetings"),
        lambda h, s: h.post(
            "/meetings",
            json={
                "id": "walk-9",
                "number": 90,
                "title": tri("Walk meeting"),
                "timezone": "UTC",
                "start_date": "2030-05-06",
                "end_date": "2030-05-07",
            },
            headers=ADMIN,
        ),
        "meeting.scheduled",
    ),
    Step(
        ("PATCH", "/meetings/{meeting_id}"),
        lambda h, s: h.patch(M, json={"capacity": 120}, headers=ADMIN),
        "meeting.scheduled",
    ),
    Step(
        ("PUT", "/meetings/{meeting_id}/institutions/{institution_id}"),
        lambda h, s: h.put(
            f"{M}/institutions/ilo", json={"name": tri("ILO"), "acronym": "ILO"}, headers=EDITOR
        ),
        "institution.put",
    ),
    Step(
        ("PUT", "/meetings/{meeting_id}/people/{person_id}"),
        lambda h, s: h.put(
            f"{M}/people/guest",
            json={"name": tri("Guest"), "email": "guest@walk.example.org"},
            headers=EDITOR,
        ),
        "person.put",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/sessions"),
        lambda h, s: h.post(f"{M}/sessions", json=SESSION, headers=EDITOR),
        "session.added",
    ),
    Step(
        ("PATCH", "/meetings/{meeting_id}/sessions/{session_id}"),
        lambda h, s: h.patch(f"{M}/sessions/walk-panel", json={"room": "B"}, headers=EDITOR),
        "session.edited",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/sessions/{session_id}/move"),
        lambda h, s: h.post(
            f"{M}/sessions/walk-panel/move", json={"by_minutes": 30}, headers=EDITOR
        ),
        "session.moved",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/programme/releases"),
        lambda h, s: h.post(f"{M}/programme/releases", headers=EDITOR),
        "programme.released",
    ),
    Step(
        ("DELETE", "/meetings/{meeting_id}/sessions/{session_id}"),
        lambda h, s: h.delete(f"{M}/sessions/walk-panel", headers=EDITOR),
        "session.removed",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/next-meeting"),
        lambda h, s: h.post(
            f"{M}/next-meeting", json={"tentative_month": "2032-03"}, headers=ADMIN
        ),
        "meeting.scheduled",
    ),
    Step(
        ("PUT", "/meetings/{meeting_id}/communique"),
        lambda h, s: h.put(
            f"{M}/communique",
            json={"paragraphs": [{"kind": "decision", "text": tri("We decided")}]},
            headers=ADMIN,
        ),
        "communique.drafted",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/communique/amendments"),
        lambda h, s: h.post(
            f"{M}/communique/amendments",
            json={"proposed_by": "SEN", "text": tri("New paragraph")},
            headers=ADMIN,
        ),
        "communique.amendment_proposed",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/communique/amendments/{amendment_id}/decision"),
        lambda h, s: h.post(
            f"{M}/communique/amendments/a1/decision", json={"accepted": True}, headers=ADMIN
        ),
        "communique.amendment_decided",
    ),
    Step(
        ("POST", "/staff/meetings/{meeting_id}/communique"),
        lambda h, s: staff_page_proposes(h),
        "communique.amendment_proposed",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/communique/adoption"),
        lambda h, s: reject_then_adopt(h),
        "communique.adopted",
    ),
    Step(
        ("POST", "/meetings/{meeting_id}/communique/publication"),
        lambda h, s: h.post(f"{M}/communique/publication", headers=ADMIN),
        "communique.published",
    ),
    Step(
        ("POST", "/network/chairmanship/terms"),
        lambda h, s: h.post(
            "/network/chairmanship/terms",
            json={
                "holder": holder("walk-pes", "IDN", "asian"),
                "term": "2001-2003",
                "from_date": "2001-05-01",
                "to_date": "2003-05-01",
            },
            headers=ADMIN,
        ),
        "chair_term.recorded",
    ),
    Step(
        ("POST", "/network/chairmanship/handovers"),
        lambda h, s: h.post(
            "/network/chairmanship/handovers",
            json={
                "incoming": holder("walk-next", "SEN", "african"),
                "effective_date": "2030-05-07",
                "term": "2030-2032",
            },
            headers=ADMIN,
        ),
        "chairmanship.transferred",
    ),
    # the secretariat's pages: the same use cases, the same trail
    Step(
        ("POST", "/staff/meetings/{meeting_id}"),
        lambda h, s: h.post(
            "/staff/meetings/walk-9", data={"action": "save", "delegation_quota": "7"},
            headers=ADMIN,
        ),
        "meeting.scheduled",
    ),
    Step(
        ("POST", "/staff/meetings/{meeting_id}/programme"),
        lambda h, s: h.post(
            "/staff/meetings/walk-9/programme",
            data={"action": "add", "kind": "panel", "day": "2030-05-06", "start": "15:00",
                  "end": "16:00", "title_en": "Page panel", "title_fr": "Panel", "title_ar": "ندوة"},
            headers=EDITOR,
        ),
        "session.added",
    ),
    Step(
        ("POST", "/staff/meetings/{meeting_id}/programme/preview"),
        lambda h, s: h.post("/staff/meetings/walk-9/programme/preview", data={}, headers=EDITOR),
        "programme.released",
    ),
]  # fmt: skip


async def staff_page_proposes(http: httpx.AsyncClient) -> httpx.Response:
    """The secretariat's page records a delegation's amendment (a form with its token)."""
    page = await http.get(f"/staff{M}/communique", headers=ADMIN)
    assert page.status_code == 200, page.text
    form = {
        "csrf": csrf_of(page.text),
        "action": "propose",
        "proposed_by": "MAR",
        "paragraph_id": "p1",
        "text-ar": "نص معدل",
        "text-en": "Amended text",
        "text-fr": "Texte amendé",
    }
    return await http.post(f"/staff{M}/communique", data=form, headers=ADMIN)


async def reject_then_adopt(http: httpx.AsyncClient) -> httpx.Response:
    rejected = await http.post(
        f"{M}/communique/amendments/a2/decision", json={"accepted": False}, headers=ADMIN
    )
    assert rejected.status_code == 200, rejected.text
    return await http.post(f"{M}/communique/adoption", headers=ADMIN)


async def test_every_change_the_agenda_makes_is_in_its_audit_trail(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any], unique: str
) -> None:
    app = build_app(make_settings(f"agenda-{unique}", Settings, **TRUST))
    async with start_service(app) as svc:
        await walk(svc.http, app, STEPS, UNCHANGING, admin=ADMIN)
