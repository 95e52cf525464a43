"""The secretariat runs the next meeting from the pages, in Arabic, in Debian's
Chromium on the whole platform (as `make run` starts it, with the SMTP sink): signed in
with its identity account, from pesnet-4's closing session it decides the 5th meeting,
completes it (a window closing after the meeting refused at its field), opens
registration; a delegate registers through the form and is accredited in the console;
the programme editor writes three sessions (an overlapping one refused at its field),
previews the release (photographed for the README) and publishes it; the dates move
(refused, then done with the window) and the delegate's mail arrives in Arabic; the
audit page says who did what. Every staff page is checked in ar, en and fr with axe."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_pages import (
    ADMIN,
    SCREENSHOTS,
    check_page,
    mails_to,
    sign_in,
    url,
)
from tests.support import eventually

pytestmark = pytest.mark.integration

README_SHOT = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "release-preview-ar.png"
)
MEETING = "pesnet-5"


def is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


async def fill_meeting(page: Any, closes_at: str) -> None:
    for field, value in (
        ("#start_date", "2031-01-18"), ("#end_date", "2031-01-19"),
        ("#city_ar", "إسطنبول"), ("#city_en", "Istanbul"), ("#city_fr", "Istanbul"),
        ("#venue_ar", "مركز المؤتمرات"), ("#venue_en", "Congress centre"),
        ("#venue_fr", "Centre des congrès"), ("#timezone", "Europe/Istanbul"),
        ("#delegation_quota", "3"), ("#registration_closes_at", closes_at),
    ):  # fmt: skip
        await page.fill(field, value)
    await page.select_option("#country", "TUR")
    await page.select_option("#host_institution", "anapec")
    await page.click("form.meeting-form button[type=submit]")


async def add_session(page: Any, day: int, start: str, end: str, title: str) -> None:
    await page.select_option("#kind", "panel")
    await page.select_option("#day", index=day)
    await page.fill("#start", start)
    await page.fill("#end", end)
    await page.fill("#room", "A")
    await page.fill("#title_ar", f"جلسة {title}")
    await page.fill("#title_en", f"Session {title}")
    await page.fill("#title_fr", f"Séance {title}")
    await page.click("form.session-form button[type=submit]")


async def register_and_accredit(page: Any, email: str) -> None:
    await page.goto(url("registration", f"/meetings/{MEETING}/register?lang=ar"))
    assert "مركز المؤتمرات" in await page.content()  # the venue set on the agenda's page
    await page.fill("#f-given_name", "مريم")
    await page.fill("#f-family_name", "الإدريسي")
    await page.fill("#f-email", email)
    await page.select_option("#f-country", "MAR")
    await page.select_option("#f-institution_id", "anapec")
    await page.fill("#f-position", "مديرة")
    await page.select_option("#f-role", "delegate")
    await page.select_option("#f-language", "ar")
    await page.click("form button[type=submit]")
    await page.locator("#manage-link").wait_for()
    await page.goto(url("registration", f"/console?meeting={MEETING}&lang=ar"))
    await page.click("form.decision:has(input[name=action][value=accredit]) button[type=submit]")
    await page.locator("#console-notice").wait_for()


# the whole walk, with five pages checked in three languages by axe: longer than a test's
# default two minutes on a busy machine
@pytest.mark.timeout(900)
async def test_the_secretariat_runs_the_5th_meeting_from_the_pages_in_arabic(page: Any) -> None:
    await page.goto(url("registration", "/sign-in?lang=ar&next=/console"))
    await sign_in(page, ADMIN["username"], ADMIN["password"])
    await page.locator("#pending-title").wait_for()

    # the meetings, and pesnet-4's closing session deciding the 5th
    await page.goto(url("agenda", "/staff/meetings?lang=ar"))
    assert "pesnet-4" in await page.content()
    await check_page(page, "staff-meetings")
    await page.goto(url("agenda", "/staff/meetings/pesnet-4?lang=ar&meeting=pesnet-4"))
    await page.fill("#tentative_month", "2031-01")
    await page.click("text=تقرير الاجتماع القادم")
    await page.locator("#complete-title").wait_for()
    assert f"/staff/meetings/{MEETING}" in page.url

    # completed: a window closing after the meeting is refused at its field, in Arabic
    await fill_meeting(page, "2031-01-25T18:00")
    error = page.locator("#registration_closes_at-error")
    await error.wait_for()
    assert is_arabic(await error.inner_text())
    await fill_meeting(page, "2031-01-11T18:00")
    await page.locator(".notice.ok").wait_for()
    await page.click("button[name=status][value=registration_open]")
    await page.locator(".notice.ok").wait_for()
    await check_page(page, "staff-meeting")

    email = f"maryam.{uuid.uuid4().hex[:6]}@example.org"
    await register_and_accredit(page, email)

    # three sessions; one in a room taken at that time refused at its field
    editor = url("agenda", f"/staff/meetings/{MEETING}/programme?lang=ar")
    await page.goto(editor)
    for day, start, end, title in ((0, "09:00", "10:00", "1"), (0, "10:00", "11:00", "2"),
                                   (1, "15:00", "16:00", "3")):  # fmt: skip
        await add_session(page, day, start, end, title)
        await page.locator(".notice.ok").wait_for()
    await add_session(page, 0, "09:30", "10:30", "4")
    taken = page.locator("#start-error")
    await taken.wait_for()
    assert is_arabic(await taken.inner_text())
    await page.goto(editor)
    await check_page(page, "programme-editor")

    await page.goto(url("agenda", f"/staff/meetings/{MEETING}/programme/preview?lang=ar"))
    assert await page.locator("ul.changes li").count() == 3
    await page.screenshot(path=str(SCREENSHOTS / "release-preview-ar.png"), full_page=True)
    shutil.copyfile(SCREENSHOTS / "release-preview-ar.png", README_SHOT)
    await check_page(page, "release-preview")
    await page.click("form button[type=submit]:not(.secondary)")
    await page.wait_for_url("**/meetings/pesnet-5/programme?**")

    # the dates move: refused while the window would close after the meeting, then done
    await page.goto(url("agenda", f"/staff/meetings/{MEETING}?lang=ar"))
    await page.fill("#start_date", "2031-01-04")
    await page.fill("#end_date", "2031-01-05")
    await page.click("form.meeting-form button[type=submit]")
    await page.locator("#registration_closes_at-error").wait_for()
    await page.fill("#start_date", "2031-01-04")
    await page.fill("#end_date", "2031-01-05")
    await page.fill("#registration_closes_at", "2031-01-02T18:00")
    await page.click("form.meeting-form button[type=submit]")
    await page.locator(".notice.ok").wait_for()

    async def told() -> bool:
        return any(
            ".ics" in str(m) or "تغيّر" in str(m.get("subject")) for m in await mails_to(email)
        )

    await eventually(told, within=90)
    moved = [m for m in await mails_to(email) if "تغيّر" in str(m.get("subject"))]
    assert moved, [m.get("subject") for m in await mails_to(email)]
    assert moved[0].get("language") == "ar"

    await page.goto(url("agenda", f"/staff/audit?lang=ar&meeting={MEETING}"))
    content = await page.content()
    assert "meeting.rescheduled" in content
    assert "programme.released" in content
    await check_page(page, "staff-audit")
