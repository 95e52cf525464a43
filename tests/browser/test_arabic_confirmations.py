"""Two pages on their own, in Arabic, in a real browser (Chromium, the platform as
`make run` starts it): a registrant withdraws only after saying so twice (asking does
not withdraw, "no" keeps the registration, "yes" withdraws and the mail says so in
Arabic); the secretariat writes an announcement to one delegation side by side in the
three languages, previews its recipients per language and sends it: each person of the
delegation receives it once, in their language, nobody else does, and the audit counts
them. Every state of both pages is right-to-left and passes axe."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.browser.test_pages import (
    ADMIN,
    SCREENSHOTS,
    SECRETARIAT,
    _with_lang,
    mails_to,
    open_meeting_today,
    person,
    sign_in,
    url,
)
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


def arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


async def right_to_left_and_clean(page: Any, name: str) -> None:
    """The page as it stands (a posted form's answer too): Arabic, right-to-left, and
    no serious or critical axe violation."""
    from axe_playwright_python.async_playwright import Axe

    assert await page.get_attribute("html", "lang") == "ar"
    assert await page.get_attribute("html", "dir") == "rtl"
    await page.screenshot(path=str(SCREENSHOTS / f"{name}-ar.png"), full_page=True)
    results = await Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, f"{name}: {serious}"


async def register(meeting: str, email: str, **fields: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=60) as http:
        answer = await http.post(
            url("registration", f"/meetings/{meeting}/registrations"),
            json=person(email, **fields),
        )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def status_of(registration_id: str) -> str:
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.get(
            url("registration", f"/registrations/{registration_id}"), headers=SECRETARIAT
        )
    status: str = answer.json()["status"]
    return status


async def test_a_registrant_withdraws_in_arabic_only_after_confirming(page: Any) -> None:
    email = f"maryam.{uuid.uuid4().hex[:6]}@example.org"
    created = await register(
        "pesnet-demo", email, given_name="مريم", family_name="العلوي", language="ar"
    )
    await page.goto(_with_lang(created["manage_url"], "ar"))
    await page.locator("#status").wait_for()
    await right_to_left_and_clean(page, "manage")

    # asking is not withdrawing: the page asks again, in Arabic
    await page.click("button[value=withdraw]")
    confirm = page.locator("#confirm-withdraw")
    await confirm.wait_for()
    await right_to_left_and_clean(page, "withdraw-confirm")
    assert arabic(await page.locator("#confirm-withdraw-title").inner_text())
    assert arabic(await confirm.locator("button[value=withdraw_confirmed]").inner_text())
    assert await status_of(created["id"]) == "registered"

    # "no" keeps the registration
    await confirm.locator("a").click()
    await page.locator("button[value=withdraw]").wait_for()
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await status_of(created["id"]) == "registered"

    # "yes" withdraws it, says so in Arabic, and the mail follows in Arabic
    await page.click("button[value=withdraw]")
    await page.click("#confirm-withdraw button[value=withdraw_confirmed]")
    notice = page.locator(".notice.ok")
    await notice.wait_for()
    await right_to_left_and_clean(page, "withdrawn")
    assert arabic(await notice.inner_text())
    assert not await page.locator("button[value=withdraw]").count()
    assert await status_of(created["id"]) == "withdrawn"

    async def withdrawal_mailed() -> bool:
        return len(await mails_to(email)) >= 2  # received, then withdrawn

    await eventually(withdrawal_mailed, within=90)
    last = (await mails_to(email))[-1]
    assert last.get("language") == "ar"
    assert 'dir="rtl"' in str(last.get("html", ""))


async def test_the_secretariat_announces_to_one_delegation_in_arabic(
    page: Any, rabbit_url: str
) -> None:
    meeting = await open_meeting_today(rabbit_url)
    tag = uuid.uuid4().hex[:6]
    moroccans = [
        await register(meeting, f"ma.{lang}.{tag}@example.org", language=lang, country="MAR")
        for lang in ("ar", "en")
    ]
    turk = await register(meeting, f"tr.{tag}@example.org", language="fr", country="TUR")
    gone = await register(meeting, f"gone.{tag}@example.org", language="ar", country="MAR")
    async with httpx.AsyncClient(timeout=30) as http:
        withdrawn = await http.post(
            url("registration", f"/registrations/{gone['id']}/withdraw"), headers=SECRETARIAT
        )
    assert withdrawn.status_code == 200, withdrawn.text

    await page.goto(url("registration", f"/announcements?meeting={meeting}&lang=ar"))
    await sign_in(page, ADMIN["username"], ADMIN["password"])
    await page.locator("#write-title").wait_for()
    await right_to_left_and_clean(page, "announcement-form")
    assert arabic(await page.locator("#write-title").inner_text())
    # each language's text is written in its own direction, side by side
    assert await page.get_attribute("fieldset[lang=ar]", "dir") == "rtl"
    assert await page.get_attribute("fieldset[lang=fr]", "dir") == "ltr"

    titles = {"ar": "تغيير القاعة", "en": "Room change", "fr": "Changement de salle"}
    for lang, body in (
        ("ar", "تنعقد الجلسة في القاعة ب"),
        ("en", "The session is in room B"),
        ("fr", "La séance a lieu en salle B"),
    ):
        await page.fill(f"#title-{lang}", titles[lang])
        await page.fill(f"#body-{lang}", body)
    await page.select_option("#f-country", "MAR")
    await page.click("button[value=preview]")
    await page.locator("#preview").wait_for()
    await right_to_left_and_clean(page, "announcement-preview")
    counts = {
        lang: await page.locator(f"#preview-{lang}").inner_text() for lang in ("ar", "en", "fr")
    }
    assert counts == {"ar": "1", "en": "1", "fr": "0"}  # the one who withdrew is not counted
    # the preview keeps what was written and for whom
    assert await page.input_value("#title-ar") == titles["ar"]
    assert await page.input_value("#f-country") == "MAR"

    await page.click("button[value=send]")
    sent = page.locator("#announcement-notice")
    await sent.wait_for()
    await right_to_left_and_clean(page, "announcement-sent")
    assert arabic(await sent.inner_text())

    async def delivered() -> bool:
        for who, lang in zip(moroccans, ("ar", "en"), strict=True):
            mails = [m for m in await mails_to(who["email"]) if titles[lang] in m["subject"]]
            if len(mails) != 1:
                return False
        return True

    await eventually(delivered, within=120)
    arabic_mail = next(
        m for m in await mails_to(moroccans[0]["email"]) if titles["ar"] in m["subject"]
    )
    assert arabic_mail.get("language") == "ar"
    assert 'dir="rtl"' in str(arabic_mail.get("html", ""))
    for outsider in (turk, gone):
        assert not [
            m
            for m in await mails_to(outsider["email"])
            if any(t in m["subject"] for t in titles.values())
        ]
    async with httpx.AsyncClient(timeout=30) as http:
        audit = await http.get(
            url("registration", "/audit"), params={"meeting_id": meeting}, headers=SECRETARIAT
        )
    [entry] = [e for e in audit.json() if e["action"] == "announcement.made"]
    assert entry["count"] == 2
