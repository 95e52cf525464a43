"""The action plan's life through its pages in a real browser (Debian's Chromium driven
by Playwright, on the whole platform as `make run` starts it), in French and in Arabic:
a national focal point signs in with their account, comments on the draft plan, the
secretariat answers and adopts it; the focal point reports progress with a file, the
secretariat returns it with a comment, the focal point reads it and resubmits, the
secretariat validates. The pages are checked with axe-core in ar, en and fr (no serious
or critical violation) and photographed into `.run/screenshots/`."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.browser.test_pages import (
    ADMIN,
    SCREENSHOTS,
    check_page,
    sign_in,
    url,
)
from tests.support import eventually

pytestmark = pytest.mark.integration

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
PDF = b"%PDF-1.4\n% attendance list\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
TRI = {"ar": "الشباب ورواد الأعمال", "en": "Young entrepreneurs", "fr": "Jeunes entrepreneurs"}
WORDS = {
    "fr": {
        "comment": "Ouvrir l'atelier aux écoles professionnelles",
        "proposed": "Atelier pour les conseillers et les écoles professionnelles",
        "reason": "Les écoles participent en observatrices",
        "returned": "Précisez le nombre de femmes formées",
    },
    "ar": {
        "comment": "نقترح فتح الورشة أمام المدارس المهنية",
        "proposed": "ورشة لمستشاري التوظيف والمدارس المهنية",
        "reason": "تشارك المدارس بصفة مراقب",
        "returned": "يرجى تحديد عدد النساء المتدربات",
    },
}


async def _prepare(period: str, username: str, password: str) -> str:
    """A draft plan with an activity ANAPEC leads and its indicator, ANAPEC's focal point
    nominated in registration (their reports' reviews go to them) and an identity account
    of Morocco's ANAPEC; the indicator's id."""
    async with httpx.AsyncClient(timeout=60) as http:
        token = (await http.post(url("identity", "/auth/token"), json=ADMIN)).json()
        admin = {"Authorization": f"Bearer {token['access_token']}"}
        account = await http.post(
            url("identity", "/accounts"),
            json={"username": username, "password": password, "roles": ["focal_point"],
                  "country": "MAR", "institution": "anapec"},
            headers=admin,
        )  # fmt: skip
        assert account.status_code == 201, account.text
        nominated = await http.post(
            url("registration", "/focal-points"),
            json={"country": "MAR", "institution_id": "anapec", "name": "Nadia Bennani",
                  "email": f"nfp.{uuid.uuid4().hex[:6]}@anapec.example", "language": "fr"},
            headers=SECRETARIAT,
        )  # fmt: skip
        assert nominated.status_code == 201, nominated.text

        async def known() -> bool:
            listed = await http.get(url("actionplan", "/focal-points"), headers=SECRETARIAT)
            named = await http.get(url("actionplan", "/institutions"))
            return any(f["institution"] == "anapec" for f in listed.json()["focal_points"]) and any(
                i["id"] == "anapec" for i in named.json()["institutions"]
            )

        await eventually(known, within=60)
        area = {"id": "youth", "title": TRI}
        created = await http.post(
            url("actionplan", "/plans"),
            json={"period": period, "thematic_areas": [area], "draft_meeting_id": "pesnet-4"},
            headers=SECRETARIAT,
        )
        assert created.status_code == 201, created.text
        activity = await http.post(
            url("actionplan", f"/plans/{period}/activities"),
            json={"thematic_area": "youth", "activity_type": "workshop", "title": TRI,
                  "lead_institutions": ["anapec"]},
            headers=SECRETARIAT,
        )  # fmt: skip
        assert activity.status_code == 201, activity.text
        indicator = await http.post(
            url("actionplan", f"/plans/{period}/indicators"),
            json={"title": TRI, "measure": "number", "activity_id": activity.json()["id"],
                  "targets": [{"reporting_period": period[:4], "value": 30}]},
            headers=SECRETARIAT,
        )  # fmt: skip
        assert indicator.status_code == 201, indicator.text
        return str(indicator.json()["id"])


async def _plan(period: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as http:
        found: dict[str, Any] = (await http.get(url("actionplan", f"/plans/{period}"))).json()
        return found


# a whole life of a plan through a browser, on a busy machine: more than the default 120 s
@pytest.mark.timeout(600)
@pytest.mark.parametrize(("lang", "period"), [("fr", "2040-2042"), ("ar", "2043-2045")])
async def test_a_focal_point_and_the_secretariat_carry_the_plan_through_its_pages(
    browser: Any,
    lang: str,
    period: str,
) -> None:
    username, password = f"nfp-{lang}-{uuid.uuid4().hex[:6]}", "focal-point-password-0123"
    indicator_id = await _prepare(period, username, password)
    words = WORDS[lang]
    fp = await (await browser.new_context(viewport={"width": 1000, "height": 900})).new_page()
    staff = await (await browser.new_context(viewport={"width": 1000, "height": 900})).new_page()
    for each in (fp, staff):
        each.context.set_default_timeout(90_000)

    # the focal point signs in where the page sends them, and comments on the draft
    await fp.goto(url("actionplan", f"/focal-point?period={period}&lang={lang}"))
    assert await fp.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    await sign_in(fp, username, password)
    await fp.locator("#consultation").wait_for()
    if lang == "fr":
        await check_page(fp, "focal-point")
    await fp.select_option("#f-c-target", "area:youth")
    await fp.select_option("#f-c-stance", "amend")
    await fp.fill("#f-c-text", words["comment"])
    await fp.click("#consultation form button[type=submit]")
    error = fp.locator("#e-c-proposed_text")  # an amendment without its text: refused there
    await error.wait_for()
    if lang == "ar":
        assert any("\u0600" <= ch <= "\u06ff" for ch in await error.inner_text())
    await fp.fill("#f-c-proposed_text", words["proposed"])
    await fp.click("#consultation form button[type=submit]")
    await fp.locator("#consultation .comment").wait_for()

    # the secretariat answers the comment and adopts the plan
    await staff.goto(url("actionplan", f"/staff/plans/{period}?lang={lang}"))
    await sign_in(staff, ADMIN["username"], ADMIN["password"])
    comment = staff.locator("#consultation .comment form")
    await comment.wait_for()
    if lang == "fr":
        await check_page(staff, "staff-plan")
    await comment.locator("select").select_option("partly")
    await comment.locator("textarea").fill(words["reason"])
    await comment.locator("button[type=submit]").click()
    await staff.locator("#consultation .answer").wait_for()
    await staff.click("#adopt button[type=submit]")
    await staff.locator("#consultation .record").wait_for()
    assert (await _plan(period))["status"] == "adopted"

    # the focal point reports progress with a file
    await fp.goto(url("actionplan", f"/focal-point?period={period}&lang={lang}"))
    await fp.select_option("#f-p-indicator_id", indicator_id)
    await fp.fill("#f-p-actual_value", "12")
    await fp.fill("#f-p-evidence_url", "https://anapec.example/atelier")
    await fp.set_input_files(
        "#f-p-evidence_file",
        files=[{"name": "presence.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    await fp.click("#report-h ~ form button[type=submit]")
    await fp.locator("#reports .evidence-file").wait_for()
    await fp.screenshot(path=str(SCREENSHOTS / f"focal-point-reported-{lang}.png"), full_page=True)

    # the secretariat returns it with a comment
    await staff.goto(url("actionplan", f"/staff/plans/{period}?lang={lang}"))
    report = staff.locator("#reports .report").first
    await report.locator("textarea").fill(words["returned"])
    await report.locator("button[value=return]").click()
    await staff.locator("#reports .reviewed").wait_for()

    # the focal point reads the comment and resubmits
    await fp.goto(url("actionplan", f"/focal-point?period={period}&lang={lang}"))
    assert words["returned"] in await fp.locator(".returned-comment").inner_text()
    await fp.click("#reports details summary")
    resubmit = fp.locator("#reports details form")
    await resubmit.locator("input[name=actual_value]").fill("14")
    await resubmit.locator("button[type=submit]").click()
    await fp.locator("#reports .report >> nth=1").wait_for()

    # the secretariat validates the resubmitted report
    await staff.goto(url("actionplan", f"/staff/plans/{period}?lang={lang}"))
    await staff.locator("#reports .report button[value=validate]").click()
    await staff.locator("#reports .reviewed").wait_for()
    plan = await _plan(period)
    statuses = sorted(r["status"] for r in plan["progress"])
    assert statuses == ["returned", "validated"]
    assert plan["indicators"][0]["progress"]["actual_value"] == 14
    await staff.screenshot(path=str(SCREENSHOTS / f"staff-plan-{lang}.png"), full_page=True)
