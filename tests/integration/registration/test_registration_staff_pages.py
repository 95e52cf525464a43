"""What staff and registrants see of a meeting on registration's pages: its venue, city
and dates (on the registration form, the desk and the console); the meeting picker on
the staff pages, the picked meeting kept in the language links after a form is sent;
the audit page in Arabic, naming whom an entry concerns."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from pesnet.shared.i18n import Localized
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.audit_walk import csrf_of
from tests.integration.registration.conftest import Registration
from tests.integration.registration.test_registration_meetings import post_until, scheduled
from tests.support import eventually

pytestmark = pytest.mark.integration

VENUE = Localized(ar="قصر المؤتمرات", en="Congress Palace", fr="Palais des congrès")
CITY = Localized(ar="باكو", en="Baku", fr="Bakou")


async def test_staff_pages_show_the_meeting_and_keep_it_picked(
    registration: Registration, person: Callable[..., dict[str, Any]]
) -> None:
    await registration.publish(
        scheduled("pesnet-7", number=7, venue=VENUE, city=CITY, country="AZE")
    )
    await post_until(registration, "pesnet-7", person(1, given_name="Leyla"), 201)
    http = registration.http

    form = await http.get("/meetings/pesnet-7/register", params={"lang": "fr"})
    assert "Palais des congrès" in form.text
    assert "Bakou" in form.text

    http.cookies.set("pesnet_session", DEV_SECRETARIAT_TOKEN)
    desk = await http.get("/desk", params={"meeting": "pesnet-7", "lang": "ar"})
    assert desk.status_code == 200
    assert "قصر المؤتمرات" in desk.text
    picker = re.search(
        r'<select id="meeting-picker" name="meeting">(.*?)</select>', desk.text, re.S
    )
    assert picker is not None
    assert 'value="pesnet-7" selected' in picker.group(1)
    assert 'value="pesnet-demo"' in picker.group(1)

    # a form sent to /desk?lang=ar (no meeting= in its address): its answer keeps the meeting
    answer = await http.post(
        "/desk?lang=ar",
        data={"csrf": csrf_of(desk.text), "meeting": "pesnet-7", "badge_token": "nothing"},
    )
    english = re.search(r'<a href="([^"]+)" lang="en"', answer.text)
    assert english is not None
    assert "meeting=pesnet-7" in english.group(1)
    assert 'action="/desk?lang=ar&amp;meeting=pesnet-7"' in answer.text

    console = await http.get("/console", params={"meeting": "pesnet-7", "lang": "en"})
    assert "Congress Palace, Baku" in console.text

    async def audited() -> bool:
        page = await http.get("/staff/audit", params={"meeting": "pesnet-7", "lang": "ar"})
        return page.status_code == 200 and "Leyla" in page.text

    await eventually(audited, 10)
    page = await http.get("/staff/audit", params={"meeting": "pesnet-7", "lang": "ar"})
    assert 'dir="rtl"' in page.text
    assert "participant.registered" in page.text

    http.cookies.clear()
    signed_out = await http.get("/staff/audit", params={"lang": "ar"})
    assert signed_out.status_code == 401
    assert "participant." not in signed_out.text


def delegations_table(page: str) -> str:
    """The console's table of delegations (after its heading)."""
    return page.split('id="delegations-title"', 1)[1]


async def test_the_console_names_an_institution_s_delegation_in_the_reader_s_language(
    registration: Registration, register: Any, secretariat: dict[str, str]
) -> None:
    # one picked from the reference, registered in Arabic; one typed by its English name
    await register(30, country=None, role="observer", institution=None,
                   institution_id="sesric", language="ar", email="o30@sesric.example.org")  # fmt: skip
    await register(31, country=None, role="observer", institution="Expertise France",
                   email="o31@expertisefrance.example.org")  # fmt: skip
    await register(32, country=None, role="observer", institution="Banque islamique",
                   email="o32@isdb.example.org")  # fmt: skip
    pages = {
        lang: delegations_table(
            (
                await registration.http.get(
                    "/console", params={"meeting": "pesnet-demo", "lang": lang}, headers=secretariat
                )
            ).text
        )
        for lang in ("ar", "en", "fr")
    }
    assert "Statistical, Economic and Social Research and Training Centre" in pages["en"]
    assert "(SESRIC)" in pages["en"]
    assert "مركز الأبحاث الإحصائية" not in pages["en"]
    assert "Centre de recherches statistiques" in pages["fr"]
    assert "مركز الأبحاث الإحصائية والاقتصادية" in pages["ar"]
    assert "إكسبرتايز فرنسا" in pages["ar"]
    assert "Expertise France" not in pages["ar"]
    # a name the reference does not know stays as its registrant wrote it
    assert "Banque islamique" in pages["ar"]
