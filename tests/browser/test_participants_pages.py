"""The secretariat's side of a meeting in a real browser, in Arabic (the platform as
`make run` starts it, with the SMTP sink): 12 people from 4 countries register; the
console accredits one and rejects another with the keyboard alone (Enter in the reason
box rejects, never accredits); the participants list exports an XLSX that openpyxl
opens with the 12; the badge sheet prints their short codes; the desk checks two people
in, one by name and one by short code; an announcement reaches each person once, in
their language. Each page is checked with axe-core in ar, en and fr."""

from __future__ import annotations

import asyncio
import io
import uuid
from typing import Any

import httpx
import openpyxl
import pypdf
import pytest

from tests.browser.test_pages import (
    ADMIN,
    SECRETARIAT,
    check_page,
    mails_to,
    open_meeting_today,
    person,
    sign_in,
    url,
)
from tests.support import eventually

# each test walks several pages, each checked with axe in three languages: minutes on a
# busy 2-core machine, more than the suite's default 120 s per test
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]
COUNTRIES = ("SEN", "MAR", "TUR", "IDN")
LANGS = ("ar", "en", "fr")


async def register_twelve(tag: str, meeting: str = "pesnet-demo") -> list[dict[str, Any]]:
    people = []
    async with httpx.AsyncClient(timeout=60) as http:
        for i in range(12):
            body = person(
                f"p{i}.{tag}@example.org",
                given_name=f"Person{i}",
                family_name=f"T{tag}",
                country=COUNTRIES[i % 4],
                language=LANGS[i % 3],
            )
            answer = await http.post(
                url("registration", f"/meetings/{meeting}/registrations"), json=body
            )
            assert answer.status_code == 201, answer.text
            people.append({**body, **answer.json()})
    return people


async def status_of(registration_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.get(
            url("registration", f"/registrations/{registration_id}"), headers=SECRETARIAT
        )
        body: dict[str, Any] = answer.json()
        return body


async def test_the_secretariat_works_a_meeting_in_arabic(page: Any, rabbit_url: str) -> None:
    tag = uuid.uuid4().hex[:6]
    people = await register_twelve(tag)
    await page.goto(url("registration", "/console?lang=ar&country=SEN"))
    await sign_in(page, ADMIN["username"], ADMIN["password"])
    await page.locator("#pending-title").wait_for()
    await check_page(page, "console-filtered")

    # accredit with the keyboard: Tab to the row's button, Enter
    accredited, rejected = people[0], people[4]  # both of Senegal
    row = page.locator("tr", has=page.locator(f"th:text-is('Person0 T{tag}')"))
    await row.locator("form").first.locator("button").focus()
    await page.keyboard.press("Enter")
    await page.locator("#console-notice").wait_for()
    assert (await status_of(accredited["id"]))["status"] == "confirmed"
    # Enter in the reason box rejects (with the reason), never accredits
    row = page.locator("tr", has=page.locator(f"th:text-is('Person4 T{tag}')"))
    await row.locator("input[name=reason]").focus()
    await page.keyboard.type("خارج نطاق الاجتماع")
    await page.keyboard.press("Enter")
    await page.locator("#console-notice").wait_for()
    decided = await status_of(rejected["id"])
    assert decided["status"] == "rejected"
    assert decided.get("rejection_reason", "خارج نطاق الاجتماع") == "خارج نطاق الاجتماع"

    # the list and its XLSX export
    await page.goto(url("registration", "/participants?meeting=pesnet-demo&country=SEN&lang=ar"))
    await check_page(page, "participants")
    await page.goto(url("registration", "/participants?meeting=pesnet-demo&lang=ar"))
    async with page.expect_download() as download_info:
        await page.click("#export-xlsx")
    download = await download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    # a file-like object: openpyxl judges a path by its extension, and the download has none
    workbook = openpyxl.load_workbook(
        io.BytesIO(await asyncio.to_thread((await download.path()).read_bytes)), read_only=True
    )
    rows = [r for r in workbook.worksheets[0].iter_rows(values_only=True) if f"T{tag}" in r]
    assert len(rows) == 12
    assert workbook.worksheets[0].iter_rows(values_only=True).__next__()[0] == "اسم العائلة"

    # the badge sheet: the accredited person's short code is printed
    sheet = await page.request.get(
        url("registration", "/meetings/pesnet-demo/badges.pdf?country=SEN")
    )
    assert sheet.status == 200
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(await sheet.body())).pages)
    assert (await status_of(accredited["id"]))["short_code"] in text

    # an announcement to the 12 people's delegations, written side by side, previewed, sent
    await page.goto(url("registration", "/announcements?meeting=pesnet-demo&lang=ar"))
    await check_page(page, "announcements")
    for lang, title, body in (
        ("ar", "تغيير القاعة", "الاجتماع في القاعة ب"),
        ("en", "Room change", "The meeting is in room B"),
        ("fr", "Changement de salle", "La réunion a lieu en salle B"),
    ):
        await page.fill(f"#title-{lang}", title)
        await page.fill(f"#body-{lang}", body)
    await page.check("#critical")
    await page.click("button[value=preview]")
    await page.locator("#preview").wait_for()
    await page.click("button[value=send]")
    await page.locator("#announcement-notice").wait_for()

    subjects = {"ar": "تغيير القاعة", "en": "Room change", "fr": "Changement de salle"}

    async def announced() -> bool:
        for p in people:
            if p is rejected:
                continue
            mails = [
                m
                for m in await mails_to(p["email"])
                if m["subject"].startswith(subjects[p["language"]])
            ]
            if len(mails) != 1:
                return False
        return True

    await eventually(announced, within=120)
    assert not [m for m in await mails_to(rejected["email"]) if "تغيير القاعة" in m["subject"]]


async def test_the_desk_checks_in_by_name_and_by_short_code(page: Any, rabbit_url: str) -> None:
    meeting = await open_meeting_today(rabbit_url)
    tag = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(timeout=30) as http:
        ids: list[str] = []
        for given, family in (("فاطمة", f"الزهراء{tag}"), ("Gülşen", f"Çelik{tag}")):
            body = person(f"{tag}.{len(ids)}@example.org", given_name=given, family_name=family)
            answer = await http.post(
                url("registration", f"/meetings/{meeting}/registrations"), json=body
            )
            ids.append(answer.json()["id"])
            await http.post(
                url("registration", f"/registrations/{ids[-1]}/confirm"), headers=SECRETARIAT
            )
    code = (await status_of(ids[1]))["short_code"]

    await page.goto(url("registration", f"/desk?meeting={meeting}&lang=ar"))
    await sign_in(page, ADMIN["username"], ADMIN["password"])
    await page.locator("#f-badge").wait_for()
    await check_page(page, "desk-search")
    # by name, without the hamza or the ta marbuta, and Enter
    await page.fill("#f-badge", f"فاطمه الزهراء{tag}")
    await page.keyboard.press("Enter")
    await page.locator("#matches").wait_for()
    await page.locator("#matches button").first.focus()
    await page.keyboard.press("Enter")
    await page.locator("#check-in-message").wait_for()
    assert (await status_of(ids[0]))["checked_in_at"]
    # by the short code, typed in lower case, as a USB scanner would: text and Enter
    await page.locator("#f-badge").focus()
    await page.keyboard.type(code.lower())
    await page.keyboard.press("Enter")
    await page.locator("#check-in-message").wait_for()
    assert "Gülşen" in await page.locator("#person").inner_text()
    assert (await status_of(ids[1]))["checked_in_at"]
