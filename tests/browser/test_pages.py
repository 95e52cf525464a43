"""Issue 15 in a real browser: Debian's Chromium, driven by Playwright, on the whole
platform started as `make run` starts it (on shifted ports, with the SMTP sink).

- a delegate registers in Arabic through the form, her institution picked from the
  network's list (narrowed to her country), and the Arabic mail arrives naming it; the
  manage page shows its Arabic name; she opens the manage link and withdraws;
- a check-in clerk signs in at the desk and checks a badge in twice ("already checked in");
- the secretariat accredits a pending registration in the console, and its mail goes out;
- a person opens the preferences link of a mail and changes the language.

Every page is photographed in ar, en and fr into `.run/screenshots/` (outside git) and
checked with axe-core: no serious or critical violation."""

from __future__ import annotations

import html
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest

from pesnet.devtools.run import service_ports
from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from pesnet.shared.topology import EVENTS_EXCHANGE
from tests.support import eventually

pytestmark = pytest.mark.integration

CHROMIUM = os.environ.get("PESNET_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".run" / "screenshots"
PORT_OFFSET = 1000 + os.getpid() % 500
PORTS = service_ports(PORT_OFFSET)
ADMIN = {"username": "admin", "password": "dev-admin-password"}
SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
LANGS = ("ar", "en", "fr")
ANAPEC_AR = "الوكالة الوطنية لإنعاش التشغيل والكفاءات"


def url(service: str, path: str) -> str:
    return f"http://127.0.0.1:{PORTS[service]}{path}"


async def check_page(page: Any, name: str) -> None:
    """Photograph the page in each language (`?lang=`) and check it with axe-core."""
    from axe_playwright_python.async_playwright import Axe

    here = page.url
    for lang in LANGS:
        target = _with_lang(here, lang)
        await page.goto(target)
        assert await page.get_attribute("html", "lang") == lang
        assert await page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}.png"), full_page=True)
        results = await Axe().run(page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']}"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        assert not serious, f"{name} [{lang}]: {serious}"
    await page.goto(here)


def _with_lang(address: str, lang: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(address)
    query = dict(parse_qsl(parts.query))
    query["lang"] = lang
    return urlunsplit(parts._replace(query=urlencode(query)))


async def mails_to(email: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(url("notifications", "/dev/mailbox"))
        response.raise_for_status()
        mails: list[dict[str, Any]] = response.json()
    return [m for m in mails if email.lower() in str(m.get("to", "")).lower()]


async def sign_in(page: Any, username: str, password: str) -> None:
    await page.fill("#f-username", username)
    await page.fill("#f-password", password)
    await page.click("button[type=submit]")


async def test_a_delegate_registers_in_arabic_gets_the_mail_and_withdraws(page: Any) -> None:
    form = url("registration", "/meetings/pesnet-demo/register?lang=ar")
    response = await page.goto(form)
    assert response.status == 200
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await page.locator("form").count() >= 1
    await check_page(page, "register")

    # an empty form: the problems are next to their fields, in Arabic
    await page.click("form button[type=submit]")
    error = page.locator("#e-given_name")
    await error.wait_for()
    assert await page.get_attribute("#f-given_name", "aria-invalid") == "true"
    assert any("\u0600" <= ch <= "\u06ff" for ch in await error.inner_text())
    await page.screenshot(path=str(SCREENSHOTS / "register-errors-ar.png"), full_page=True)

    email = f"fatima.{uuid.uuid4().hex[:6]}@example.org"
    await page.fill("#f-given_name", "فاطمة")
    await page.fill("#f-family_name", "الزهراء")
    await page.fill("#f-email", email)
    await page.select_option("#f-country", "MAR")
    # the list of institutions narrows to Morocco's (and those of no member state)
    offered = await page.eval_on_selector_all(
        "#f-institution_id option", "options => options.map(o => o.value)"
    )
    assert "anapec" in offered
    assert "expertise-france" in offered
    assert "iskur" not in offered
    assert await page.is_visible("#f-institution")  # nothing picked yet: a name may be written
    await page.select_option("#f-institution_id", "anapec")
    assert await page.is_hidden("#f-institution")
    await page.fill("#f-position", "مديرة")
    await page.select_option("#f-role", "delegate")
    await page.select_option("#f-language", "ar")
    await page.click("form button[type=submit]")
    manage = page.locator("#manage-link")
    await manage.wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "registered-ar.png"), full_page=True)
    manage_url = await manage.get_attribute("href")
    assert manage_url is not None
    assert "token=m1." in manage_url

    async def arrived() -> bool:
        return bool(await mails_to(email))

    await eventually(arrived, within=60)
    mail = (await mails_to(email))[0]
    assert mail.get("language") == "ar"
    assert 'dir="rtl"' in str(mail.get("html", ""))
    assert ANAPEC_AR in str(mail.get("text", "")) + str(mail.get("html", ""))

    # the manage page names the picked institution in Arabic
    await page.goto(manage_url)
    await page.locator("#institution").wait_for()
    assert await page.locator("#institution").inner_text() == ANAPEC_AR

    # the preferences link at the foot of the mail opens the preferences page
    found = re.search(r'href="([^"]*/preferences\?token=[^"]+)"', str(mail.get("html", "")))
    assert found is not None
    await page.goto(html.unescape(found.group(1)))
    await page.locator("#f-language").wait_for()
    await check_page(page, "preferences")
    await page.select_option("#f-language", "fr")
    await page.click("form button[type=submit]")
    await page.locator("#saved").wait_for()
    assert await page.get_attribute("html", "lang") == "fr"

    # the mail's link (without ?lang=) opens the page, in the browser's language
    await page.goto(manage_url.split("&lang=")[0])
    await page.locator("#status").wait_for()
    await check_page(page, "manage")
    await page.click("button[value=withdraw]")
    await page.locator("#confirm-withdraw").wait_for()  # asked again: it cannot be undone
    await page.click("button[value=withdraw_confirmed]")
    await page.locator(".notice.ok").wait_for()
    assert "withdrawn" in page.url
    assert not await page.locator("button[value=withdraw]").count()
    await page.screenshot(path=str(SCREENSHOTS / "manage-withdrawn.png"), full_page=True)

    # the same link is still the JSON API for API clients
    async with httpx.AsyncClient() as http:
        api = await http.get(manage_url, headers={"accept": "application/json"})
    assert api.json()["status"] == "withdrawn"


async def open_meeting_today(rabbit_url: str) -> str:
    """A meeting running today (check-in happens only on its days), announced on the bus
    as the agenda would."""
    meeting_id = f"pages-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    announcement = MeetingScheduled(
        meeting_id=meeting_id,
        number=99,
        title=Localized(ar="اجتماع اليوم", en="Today's meeting", fr="Réunion du jour"),
        city=Localized(ar="أنقرة", en="Ankara", fr="Ankara"),
        country="TUR",
        timezone="UTC",
        start_date=now.date(),
        end_date=now.date() + timedelta(days=1),
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


def person(email: str, **overrides: Any) -> dict[str, Any]:
    return {
        "given_name": "Amina",
        "family_name": "Benali",
        "email": email,
        "country": "MAR",
        "institution": "ANAPEC",
        "position": "Director",
        "role": "delegate",
        "language": "en",
        **overrides,
    }


async def clerk_account() -> dict[str, str]:
    account = {"username": f"clerk{uuid.uuid4().hex[:6]}", "password": "a long desk password"}
    async with httpx.AsyncClient(timeout=30) as http:
        token = (await http.post(url("identity", "/auth/token"), json=ADMIN)).json()
        response = await http.post(
            url("identity", "/accounts"),
            json={**account, "roles": ["check_in_clerk"]},
            headers={"Authorization": f"Bearer {token['access_token']}"},
        )
        assert response.status_code == 201, response.text
    return account


async def test_a_clerk_checks_a_badge_in_twice(page: Any, rabbit_url: str) -> None:
    meeting_id = await open_meeting_today(rabbit_url)
    async with httpx.AsyncClient(timeout=30) as http:
        registered = await http.post(
            url("registration", f"/meetings/{meeting_id}/registrations"),
            json=person(f"desk.{uuid.uuid4().hex[:6]}@example.org", given_name="Youssef"),
        )
        assert registered.status_code == 201, registered.text
        confirmed = await http.post(
            url("registration", f"/registrations/{registered.json()['id']}/confirm"),
            headers=SECRETARIAT,
        )
        assert confirmed.status_code == 200, confirmed.text
        badge = confirmed.json()["badge_token"]

    desk = url("registration", f"/desk?meeting={meeting_id}&lang=fr")
    response = await page.goto(desk)
    assert response.status == 401  # signed out: the sign-in page
    await check_page(page, "sign-in")
    account = await clerk_account()
    await sign_in(page, account["username"], account["password"])
    await page.locator("#f-badge").wait_for()
    await check_page(page, "desk")

    await page.fill("#f-badge", badge)
    await page.click("#desk-form button[type=submit]")
    message = page.locator("#check-in-message")
    await page.locator("#check-in-message, #check-in-error").first.wait_for()
    assert await message.count(), await page.locator("#result").inner_text()
    assert "Youssef" in await page.locator("#person").inner_text()
    first = await message.inner_text()
    assert "enregistré à" in first
    assert "déjà" not in first
    await page.screenshot(path=str(SCREENSHOTS / "desk-checked-in-fr.png"), full_page=True)

    await page.fill("#f-badge", badge)
    await page.click("#desk-form button[type=submit]")
    await message.wait_for()
    assert "déjà enregistré à" in await message.inner_text()
    await page.screenshot(path=str(SCREENSHOTS / "desk-already-fr.png"), full_page=True)

    # on a phone
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(_with_lang(page.url, "ar"))
    await page.screenshot(path=str(SCREENSHOTS / "desk-phone-ar.png"), full_page=True)


async def test_the_secretariat_accredits_in_the_console_and_the_mail_goes_out(
    page: Any,
) -> None:
    email = f"karim.{uuid.uuid4().hex[:6]}@example.org"
    async with httpx.AsyncClient(timeout=30) as http:
        registered = await http.post(
            url("registration", "/meetings/pesnet-demo/registrations"),
            json=person(email, given_name="Karim", family_name=f"Idrissi{uuid.uuid4().hex[:4]}"),
        )
        assert registered.status_code == 201, registered.text
    name = f"Karim {registered.json()['family_name']}"

    await page.goto(url("registration", "/console?lang=en"))
    await sign_in(page, ADMIN["username"], ADMIN["password"])
    await page.wait_for_load_state()
    assert await page.locator("#pending-title").count(), await page.content()
    await check_page(page, "console")
    await page.click(f"button[aria-label='Accredit {name}']")
    notice = page.locator("#console-notice")
    await notice.wait_for()
    assert name in await notice.inner_text()
    await page.screenshot(path=str(SCREENSHOTS / "console-accredited-en.png"), full_page=True)

    async def confirmation() -> bool:
        return len(await mails_to(email)) >= 2  # received, then confirmed

    await eventually(confirmation, within=60)
