"""The action plan's pages, in process on the real broker and database: a national focal
point (an identity account of Morocco's ANAPEC, in the session cookie) comments on the
draft, the secretariat answers and adopts it; the focal point reports progress with a
file, the secretariat returns it with a comment, the focal point sees the comment and
resubmits, the secretariat validates; the file is served to them and to no one else;
a refusal shows next to its field, in Arabic on an Arabic page."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pesnet.actionplan.bootstrap import build_app
from pesnet.actionplan.settings import Settings
from pesnet.shared.credentials import StaffRole
from tests.integration.actionplan.conftest import (
    Registration,
    network_known,
)
from tests.integration.roles import TRUST, bearer, token

pytestmark = pytest.mark.integration

PERIOD = "2030-2032"
PDF = b"%PDF-1.4\n% evidence\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ANAPEC = token(StaffRole.focal_point, sub="acc_nfp_mar", country="MAR", institution="anapec")
ISKUR = token(StaffRole.focal_point, sub="acc_nfp_tur", country="TUR", institution="iskur")
OFFICER = token(StaffRole.actionplan_officer, sub="acc_officer")
TITLE = {"ar": "خطة", "en": "Plan", "fr": "Plan"}


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings],
    start_service: Callable[..., Any],
    registration_bus: Registration,
) -> AsyncIterator[Any]:
    settings = make_settings("actionplan", Settings, ACTIONPLAN_REMINDERS_ENABLED=False, **TRUST)
    async with start_service(build_app(settings)) as svc:
        # the review of an account's report goes to the institution's nominated focal point
        await network_known(svc.http, registration_bus, nominate="anapec")
        yield svc


class Browser:
    """One person's cookies (the session, the CSRF token) on the pages."""

    def __init__(self, http: httpx.AsyncClient, session: str) -> None:
        self.http = http
        self.cookies = {"pesnet_session": session}

    def _headers(self) -> dict[str, str]:
        return {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    async def get(self, path: str) -> httpx.Response:
        response = await self.http.get(path, headers=self._headers())
        if (csrf := response.cookies.get("pesnet_csrf")) is not None:
            self.cookies["pesnet_csrf"] = csrf
        return response

    async def post(
        self, path: str, data: dict[str, str], files: dict[str, Any] | None = None
    ) -> httpx.Response:
        body = {**data, "csrf": self.cookies.get("pesnet_csrf", "")}
        return await self.http.post(path, data=body, files=files, headers=self._headers())


async def _plan_with_indicator(http: httpx.AsyncClient) -> str:
    officer = bearer(OFFICER)
    area = {"id": "youth", "title": {"ar": "الشباب", "en": "Youth", "fr": "Jeunes"}}
    created = await http.post(
        "/plans", json={"period": PERIOD, "title": TITLE, "thematic_areas": [area]}, headers=officer
    )
    assert created.status_code == 201, created.text
    activity = await http.post(
        f"/plans/{PERIOD}/activities",
        json={
            "thematic_area": "youth",
            "activity_type": "workshop",
            "title": {"ar": "ورشة", "en": "Youth workshop", "fr": "Atelier jeunes"},
            "lead_institutions": ["anapec"],
        },
        headers=officer,
    )
    assert activity.status_code == 201, activity.text
    indicator = await http.post(
        f"/plans/{PERIOD}/indicators",
        json={
            "title": {"ar": "مستشارون", "en": "Counsellors trained", "fr": "Conseillers formés"},
            "measure": "number",
            "activity_id": activity.json()["id"],
            "targets": [{"reporting_period": "2030", "value": 30}],
        },
        headers=officer,
    )
    assert indicator.status_code == 201, indicator.text
    return str(indicator.json()["id"])


def _ids(page: str, pattern: str) -> list[str]:
    return re.findall(pattern, page)


async def test_a_draft_is_commented_answered_and_adopted_then_progress_goes_back_and_forth(
    service: Any,
) -> None:
    http: httpx.AsyncClient = service.http
    indicator_id = await _plan_with_indicator(http)
    fp = Browser(http, ANAPEC)
    secretariat = Browser(http, OFFICER)

    page = await fp.get(f"/focal-point?period={PERIOD}&lang=fr")
    assert page.status_code == 200, page.text
    assert "Youth workshop" not in page.text
    assert "Atelier jeunes" in page.text
    assert "30" in page.text  # the target

    refused = await fp.post(
        f"/focal-point/plans/{PERIOD}/consultation?lang=ar",
        {"target": "area:youth", "stance": "amend", "text": "نقترح تعديلا"},
    )
    assert refused.status_code == 422
    assert 'dir="rtl"' in refused.text
    assert re.search(r'id="e-c-proposed_text">[^<]*[\u0600-\u06ff]', refused.text)

    sent = await fp.post(
        f"/focal-point/plans/{PERIOD}/consultation?lang=fr",
        {"target": "area:youth", "stance": "amend", "text": "Ouvrir aux écoles",
         "proposed_text": "Jeunes et écoles professionnelles", "needs": "Formation"},
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    consultation = (await http.get(f"/plans/{PERIOD}/consultation")).json()
    [comment] = consultation["comments"]
    assert (comment["country"], comment["stance"]) == ("MAR", "amend")

    staff = await secretariat.get(f"/staff/plans/{PERIOD}?lang=en")
    assert staff.status_code == 200, staff.text
    assert "Morocco" in staff.text
    adopt_early = await secretariat.post(f"/staff/plans/{PERIOD}/adopt", {"meeting_id": "pesnet-9"})
    assert adopt_early.status_code == 409 or "not answered" in adopt_early.text
    answered = await secretariat.post(
        f"/staff/plans/{PERIOD}/consultation/{comment['id']}/answer",
        {"outcome": "partly", "reason": "Schools join as observers"},
    )
    assert answered.status_code == 303, answered.text
    adopted = await secretariat.post(f"/staff/plans/{PERIOD}/adopt", {"meeting_id": "pesnet-9"})
    assert adopted.status_code == 303, adopted.text
    record = (await http.get(f"/plans/{PERIOD}/consultation")).json()["adoption_record"]
    assert [(r["country"], r["outcome"]) for r in record] == [("MAR", "partly")]

    await fp.get(f"/focal-point?period={PERIOD}&lang=fr")
    bad_link = await fp.post(
        f"/focal-point/plans/{PERIOD}/progress?lang=fr",
        {"indicator_id": indicator_id, "reporting_period": "2030", "actual_value": "12",
         "evidence_url": "javascript:alert(1)"},
    )  # fmt: skip
    assert bad_link.status_code == 422
    assert 'id="e-p-evidence_url"' in bad_link.text
    reported = await fp.post(
        f"/focal-point/plans/{PERIOD}/progress?lang=fr",
        {"indicator_id": indicator_id, "reporting_period": "2030", "actual_value": "12",
         "evidence_text": "Liste de présence", "evidence_url": "https://anapec.example/atelier"},
        files={"evidence_file": ("présence.pdf", PDF, "application/pdf")},
    )  # fmt: skip
    assert reported.status_code == 303, reported.text
    [report] = [r for r in (await http.get(f"/plans/{PERIOD}")).json()["progress"]]
    assert report["evidence"]["file"]["filename"] == "présence.pdf"

    evidence = f"/plans/{PERIOD}/progress/{report['id']}/evidence"
    assert (await fp.get(evidence)).content == PDF
    assert (await http.get(evidence, headers=bearer(OFFICER))).content == PDF
    assert (await http.get(evidence, headers=bearer(ISKUR))).status_code == 403
    assert (await http.get(evidence)).status_code == 401

    await secretariat.get(f"/staff/plans/{PERIOD}?lang=en")
    returned = await secretariat.post(
        f"/staff/plans/{PERIOD}/progress/{report['id']}/review",
        {"decision": "return", "comment": "Ajoutez le nombre de femmes"},
    )
    assert returned.status_code == 303, returned.text
    page = await fp.get(f"/focal-point?period={PERIOD}&lang=fr")
    assert "Ajoutez le nombre de femmes" in html.unescape(page.text)
    resubmitted = await fp.post(
        f"/focal-point/plans/{PERIOD}/progress?lang=fr",
        {"resubmits": report["id"], "indicator_id": indicator_id, "reporting_period": "2030",
         "actual_value": "14", "comment": "Dont 8 femmes"},
    )  # fmt: skip
    assert resubmitted.status_code == 303, resubmitted.text
    plan = (await http.get(f"/plans/{PERIOD}")).json()
    second = next(r for r in plan["progress"] if r["id"] != report["id"])
    assert second["resubmits"] == report["id"]
    await secretariat.get(f"/staff/plans/{PERIOD}?lang=en")
    validated = await secretariat.post(
        f"/staff/plans/{PERIOD}/progress/{second['id']}/review", {"decision": "validate"}
    )
    assert validated.status_code == 303, validated.text
    plan = (await http.get(f"/plans/{PERIOD}")).json()
    assert plan["indicators"][0]["progress"]["actual_value"] == 14


async def test_signed_out_the_focal_point_page_is_the_sign_in_form(service: Any) -> None:
    page = await service.http.get("/focal-point?lang=ar")
    assert page.status_code == 401
    assert 'dir="rtl"' in page.text
    assert 'name="username"' in page.text
