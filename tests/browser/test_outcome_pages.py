"""A meeting's outcome in a real browser (Debian's Chromium driven by Playwright, the whole
platform as `make run` starts it), in French and in Arabic: the secretariat drafts the
final communiqué, records a delegation's amendment and accepts it, adopts and publishes
the communiqué (page and PDF); the action-plan officer links one of its decisions to the
activity that carries it out, and the implementation report shows that activity's state
against the decision; a checked-in delegate downloads their certificate of attendance
from the manage page, and the link its QR code carries opens the verification page. Every page is checked with axe-core (no serious or critical
violation) and photographed into `.run/screenshots/`."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import anyio
import httpx
import pytest

from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from pesnet.shared.topology import EVENTS_EXCHANGE
from tests.browser.test_pages import (  # the platform, the browser and the page checks
    ADMIN,
    SCREENSHOTS,
    SECRETARIAT,
    check_page,
    sign_in,
    url,
)
from tests.qr_codes import qr_texts_in_pdf
from tests.support import eventually

# the first test also waits for the whole platform to start (module-scoped fixture): on a
# busy machine that alone can pass the suite's 120 s
pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

PARAGRAPH = {
    "fr": "La réunion adopte le plan d'action 2024-2026.",
    "ar": "يعتمد الاجتماع خطة العمل 2024-2026.",
    "en": "The Meeting adopts the Action Plan 2024-2026.",
}
AMENDED = {
    "fr": "La réunion adopte le plan d'action 2024-2026 tel qu'amendé.",
    "ar": "يعتمد الاجتماع خطة العمل 2024-2026 بصيغتها المعدلة.",
    "en": "The Meeting adopts the Action Plan 2024-2026 as amended.",
}
ONGOING = {"fr": "En cours", "ar": "جارٍ"}


UNUSED_PERIOD_STARTS = itertools.count(2050, 3)


async def a_meeting_and_a_plan(lang: str) -> tuple[str, str, str]:
    """(meeting id, plan period, activity id): a meeting scheduled at the agenda, and a
    plan with one activity at the action plan, through their APIs."""
    suffix = uuid.uuid4().hex[:6]
    meeting_id = f"outcome-{lang}-{suffix}"
    number = 200 + int(suffix, 16) % 800
    # periods of their own in the run's platform: after the plan pages' 2040-2045, one
    # each (drawn at random they met those, and each other, about once in fifteen runs)
    period_start = next(UNUSED_PERIOD_STARTS)
    period = f"{period_start}-{period_start + 2}"
    async with httpx.AsyncClient(timeout=60) as http:
        scheduled = await http.post(
            url("agenda", "/meetings"),
            json={
                "id": meeting_id,
                "number": number,
                "title": {"ar": "اجتماع تجريبي", "en": "Trial meeting", "fr": "Réunion d'essai"},
                "timezone": "Africa/Casablanca",
                "start_date": "2030-03-04",
                "end_date": "2030-03-05",
            },
            headers=SECRETARIAT,
        )
        assert scheduled.status_code == 201, scheduled.text
        area = {"id": "youth", "title": {"ar": "الشباب", "en": "Youth", "fr": "Jeunesse"}}
        plan = await http.post(
            url("actionplan", "/plans"),
            json={"period": period, "thematic_areas": [area]},
            headers=SECRETARIAT,
        )
        assert plan.status_code == 201, plan.text
        activity = await http.post(
            url("actionplan", f"/plans/{period}/activities"),
            json={
                "thematic_area": "youth",
                "activity_type": "study_visit",
                "title": {
                    "ar": "زيارة دراسية حول مهارات الشباب",
                    "en": "Study visit on youth skills",
                    "fr": "Visite d'étude sur les compétences des jeunes",
                },
                "lead_institutions": ["anapec"],
            },
            headers=SECRETARIAT,
        )
        assert activity.status_code == 201, activity.text
    return meeting_id, period, activity.json()["id"]


async def fill_texts(page: Any, prefix: str, texts: dict[str, str]) -> None:
    for code, value in texts.items():
        await page.fill(f"#{prefix}{code}", value)


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_the_communique_is_amended_adopted_published_and_followed(
    page: Any, lang: str
) -> None:
    meeting_id, period, activity_id = await a_meeting_and_a_plan(lang)
    staff = url("agenda", f"/staff/meetings/{meeting_id}/communique?lang={lang}")
    # staff sign in once on the platform (the session cookie serves every service's pages)
    await page.goto(url("registration", f"/sign-in?lang={lang}"))
    await sign_in(page, ADMIN["username"], ADMIN["password"])
    await page.goto(staff)
    assert await page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")

    # the secretariat drafts a decision, saves; a delegation proposes an amendment
    await page.select_option("#kind-0", "decision")
    await fill_texts(page, "text-0-", PARAGRAPH)
    await page.click("#draft-form button[type=submit]")
    await page.locator("#communique-notice").wait_for()
    await check_page(page, f"communique-staff-{lang}")
    await page.select_option("#proposed_by", "SEN")
    await page.select_option("#paragraph_id", "p1")
    await fill_texts(page, "text-", AMENDED)
    await page.click("#amendment-form button[type=submit]")
    await page.locator("#amendment-a1").wait_for()
    # the closing session accepts it, adopts the communiqué, the secretariat publishes
    await page.click("#amendment-a1 button[value=accept]")
    await page.locator("#communique-notice").wait_for()
    await page.click("button[value=adopt]")
    await page.locator("button[value=publish]").wait_for()
    await page.click("button[value=publish]")
    await page.locator("#communique-notice").wait_for()
    await page.screenshot(
        path=str(SCREENSHOTS / f"communique-published-{lang}.png"), full_page=True
    )

    public = url("agenda", f"/meetings/{meeting_id}/communique?lang={lang}&format=html")
    await page.goto(public)
    assert AMENDED[lang] in await page.locator("#paragraph-1").inner_text()
    await check_page(page, f"communique-{lang}")
    async with httpx.AsyncClient(timeout=60) as http:
        pdf = await http.get(
            url("agenda", f"/meetings/{meeting_id}/communique"),
            params={"lang": lang, "format": "pdf"},
        )
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")

    # the action plan hears of the communiqué; the officer links its decision
    decisions = url("actionplan", f"/staff/decisions/{meeting_id}?lang={lang}")

    async def known() -> bool:
        return (await page.goto(decisions)).status == 200  # type: ignore[no-any-return]

    await eventually(known, within=60)
    await page.select_option("#activity-p1", f"{period}/{activity_id}")
    await page.click("#decision-p1 button[value=link]")
    await page.locator("#decision-p1 button[value=unlink]").wait_for()
    await check_page(page, f"decisions-{lang}")
    async with httpx.AsyncClient(timeout=60) as http:
        moved = await http.post(
            url("actionplan", f"/plans/{period}/activities/{activity_id}/status"),
            json={"status": "ongoing"},
            headers=SECRETARIAT,
        )
        assert moved.status_code == 200, moved.text

    await page.goto(url("actionplan", f"/plans/{period}/report?lang={lang}"))
    section = page.locator("table.decisions")
    await section.wait_for()
    shown = await section.inner_text()
    assert AMENDED[lang] in shown
    assert ONGOING[lang] in shown
    await page.screenshot(path=str(SCREENSHOTS / f"report-decisions-{lang}.png"), full_page=True)


async def meeting_closing_today(rabbit_url: str) -> str:
    """A meeting whose last day is today, announced on the bus as the agenda would."""
    meeting_id = f"closing-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    announcement = MeetingScheduled(
        meeting_id=meeting_id,
        number=98,
        title=Localized(ar="اجتماع الختام", en="Closing meeting", fr="Réunion de clôture"),
        city=Localized(ar="مراكش", en="Marrakech", fr="Marrakech"),
        country="MAR",
        timezone="UTC",
        start_date=now.date(),
        end_date=now.date(),
        status="registration_open",
        registration_opens_at=now - timedelta(hours=1),
        delegation_quota=3,
    )
    connection = await aio_pika.connect_robust(rabbit_url)
    try:
        channel = await connection.channel()
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        event = CATALOG.envelope(announcement, source="/pesnet/agenda")
        await exchange.publish(
            aio_pika.Message(event.to_json(), message_id=event.id, content_type="application/json"),
            routing_key=event.type,
        )
    finally:
        await connection.close()

    async def known() -> bool:
        async with httpx.AsyncClient() as http:
            response = await http.get(url("registration", f"/meetings/{meeting_id}/delegations"))
            return response.status_code == 200

    await eventually(known, within=30)
    return meeting_id


def embedded_link(pdf: bytes) -> str:
    """The verification link the certificate's QR code carries (also in its metadata)."""
    found = re.search(rb"/Subject \((.*?)\)\n", pdf, re.DOTALL)
    assert found is not None
    raw = found.group(1)
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode()


NAMES = {"fr": ("Awa", "Ndiaye"), "ar": ("يونس", "السكوري")}


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_a_checked_in_delegate_downloads_a_certificate_that_verifies(
    page: Any, rabbit_url: str, lang: str
) -> None:
    meeting_id = await meeting_closing_today(rabbit_url)
    given, family = NAMES[lang]
    async with httpx.AsyncClient(timeout=60) as http:
        registered = await http.post(
            url("registration", f"/meetings/{meeting_id}/registrations"),
            json={
                "given_name": given,
                "family_name": family,
                "email": f"delegate.{uuid.uuid4().hex[:6]}@example.org",
                "country": "SEN" if lang == "fr" else "MAR",
                "institution": "PES",
                "position": "Director",
                "role": "delegate",
                "language": lang,
            },
        )
        assert registered.status_code == 201, registered.text
        created = registered.json()
        for step in ("confirm", "check-in"):
            done = await http.post(
                url("registration", f"/registrations/{created['id']}/{step}"),
                headers=SECRETARIAT,
            )
            assert done.status_code == 200, done.text

    manage = url("registration", f"/registrations/{created['id']}?token={created['manage_token']}")
    await page.goto(manage + f"&lang={lang}")
    link = page.locator("#certificate-link")
    await link.wait_for()
    async with page.expect_download() as downloading:
        await link.click()
    download = await downloading.value
    pdf = await anyio.Path(await download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    # the link a phone reads from the printed QR code (the metadata says the same)
    [verification] = qr_texts_in_pdf(pdf)
    assert verification == embedded_link(pdf)
    assert verification.startswith(url("registration", "/certificates/c1."))

    await page.goto(verification + f"?lang={lang}")
    await page.locator("#verified").wait_for()
    assert f"{given} {family}" in await page.locator("#certificate-name").inner_text()
    await check_page(page, f"certificate-{lang}")
