"""The meeting's outcome over HTTP on the real broker and database: the secretariat drafts
the communiqué, a delegation's amendment is accepted, the meeting adopts it, it is
published as a public event naming no one, as an Arabic right-to-left page and as PDFs."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from pesnet.shared.events.agenda import CommuniquePublished
from tests.integration.agenda.conftest import SECRETARIAT
from tests.support import BusTap

pytestmark = pytest.mark.integration

M = "/meetings/pesnet-demo"


def tri(en: str, ar: str, fr: str) -> dict[str, str]:
    return {"ar": ar, "en": en, "fr": fr}


async def test_a_communique_is_amended_adopted_and_published(
    agenda: httpx.AsyncClient, tap: BusTap
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    assert (await agenda.get(f"{M}/communique")).status_code == 404  # nothing published yet
    drafted = await agenda.put(
        f"{M}/communique",
        json={
            "paragraphs": [
                {"kind": "decision", "text": tri("We adopt the plan.", "نعتمد الخطة.", "Nous adoptons le plan.")},
                {"kind": "recommendation", "text": tri("Train youth.", "تدريب الشباب.", "Former les jeunes.")},
            ]
        },
        headers=SECRETARIAT,
    )  # fmt: skip
    assert drafted.status_code == 200, drafted.text
    refused = await agenda.put(
        f"{M}/communique",
        json={"paragraphs": [{"kind": "decision", "text": {"en": "English only"}}]},
        headers={**SECRETARIAT, "Accept-Language": "fr"},
    )
    assert refused.status_code == 422
    assert "paragraphs.0.text.ar" in refused.text
    amendment = await agenda.post(
        f"{M}/communique/amendments",
        json={
            "proposed_by": "SEN",
            "paragraph_id": "p1",
            "text": tri("We adopt the amended plan.", "نعتمد الخطة المعدلة.", "Nous adoptons le plan amendé."),
        },
        headers=SECRETARIAT,
    )  # fmt: skip
    assert amendment.status_code == 201, amendment.text
    premature = await agenda.post(f"{M}/communique/adoption", headers=SECRETARIAT)
    assert premature.status_code == 409  # the amendment is pending
    decided = await agenda.post(
        f"{M}/communique/amendments/{amendment.json()['id']}/decision",
        json={"accepted": True},
        headers=SECRETARIAT,
    )
    assert decided.status_code == 200, decided.text
    adopted = await agenda.post(f"{M}/communique/adoption", headers=SECRETARIAT)
    assert adopted.json()["adopted_at"]
    assert (await agenda.get(f"{M}/communique")).status_code == 404  # adopted, not published
    assert (await agenda.post(f"{M}/communique/publication", headers=SECRETARIAT)).is_success

    (event,) = await tap.wait_for(CommuniquePublished, meeting_id="pesnet-demo")
    texts = [p["text"]["en"] for p in event["data"]["paragraphs"]]
    assert texts == ["We adopt the amended plan.", "Train youth."]
    assert "@" not in json.dumps(event)  # public: no person
    page = await agenda.get(f"{M}/communique", params={"lang": "ar", "format": "html"})
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    assert "نعتمد الخطة المعدلة." in page.text
    assert len(re.findall(r"<li id=\"paragraph-", page.text)) == 2
    for lang in ("ar", "en", "fr"):
        pdf = await agenda.get(f"{M}/communique", params={"lang": lang, "format": "pdf"})
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
    published = (await agenda.get(f"{M}/communique", params={"lang": "fr"})).json()
    assert published["paragraphs"][0]["label"] == "Nous adoptons le plan amendé."
    assert published["amendments"][0]["status"] == "accepted"


async def test_the_seeded_fourth_meeting_publishes_its_communique_in_arabic(
    agenda: httpx.AsyncClient,
) -> None:
    assert (await agenda.post("/dev/seed", headers=SECRETARIAT)).status_code == 200
    page = await agenda.get(
        "/meetings/pesnet-4/communique",
        params={"lang": "ar", "format": "html"},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    assert "البيان الختامي" in page.text
    assert len(re.findall(r"<li id=\"paragraph-", page.text)) == 6
    assert 'id="illustrative-note"' in page.text  # marked where the concept note is silent
