"""The secretariat signs in on agenda's own sign-in page, in Arabic, in Debian's Chromium
on the whole platform: the staff page it asked for comes back; it picks the demonstration
meeting's chair institution from the reference; the programme editor adds a speaker
(an address already someone else's refused at its field, in Arabic), who is then offered
for the sessions; the sign-in, meeting and editor pages pass axe in ar, en and fr."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.test_meeting_pages import is_arabic
from tests.browser.test_pages import ADMIN, check_page, sign_in, url

pytestmark = pytest.mark.integration

MEETING = "pesnet-demo"


@pytest.mark.timeout(600)
async def test_the_secretariat_signs_in_on_agenda_and_edits_its_meeting_in_arabic(
    page: Any,
) -> None:
    asked = url("agenda", f"/staff/meetings/{MEETING}?lang=ar&meeting={MEETING}")
    response = await page.goto(asked)
    assert response.status == 401  # signed out: agenda's own sign-in form
    assert await page.get_attribute("html", "dir") == "rtl"
    assert "pesnet-4" not in await page.locator("main").inner_text()
    await check_page(page, "agenda-sign-in")
    await sign_in(page, ADMIN["username"], ADMIN["password"])
    await page.locator("#complete-title").wait_for()
    assert page.url.startswith(url("agenda", f"/staff/meetings/{MEETING}"))

    # the chair institution, picked from the reference
    await page.select_option("#chair_institution", "iskur")
    await page.click("form.meeting-form button[type=submit]")
    await page.locator(".notice.ok").wait_for()
    assert await page.locator("#chair_institution").input_value() == "iskur"
    await check_page(page, "agenda-meeting")

    # a speaker added on the editor's page
    await page.goto(url("agenda", f"/staff/meetings/{MEETING}/programme?lang=ar"))
    email = f"leila.{uuid.uuid4().hex[:6]}@example.org"
    for name, value in (("person_name_ar", "ليلى حسن"), ("person_name_en", "Leila Hassan"),
                        ("person_name_fr", "Leila Hassan"), ("person_email", email)):  # fmt: skip
        await page.fill(f"#{name}", value)
    await page.select_option("#person_institution", "anapec")
    await page.click("#person-form button[type=submit]")
    await page.locator(".notice.ok").wait_for()
    assert await page.locator("th[scope=row]", has_text="ليلى حسن").count() == 1

    # the same address again is someone else's: said at the field, in Arabic
    await page.fill("#person_name_ar", "شخص آخر")
    await page.fill("#person_email", email)
    await page.click("#person-form button[type=submit]")
    error = page.locator("#person_email-error")
    await error.wait_for()
    assert is_arabic(await error.inner_text())
    assert await page.get_attribute("#person_email", "aria-invalid") == "true"
    await page.goto(url("agenda", f"/staff/meetings/{MEETING}/programme?lang=ar"))
    await check_page(page, "agenda-programme-people")
