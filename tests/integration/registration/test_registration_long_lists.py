"""The secretariat's long lists in pages: the participants page shows 100 people a
page and the console 50 registrations waiting for a decision, each with the whole
count, "page 1 of 2" in the reader's language and links to the other page that keep
the filters and the language; a page past the end shows the last page."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.audit_walk import csrf_of
from tests.integration.registration.conftest import Register, Registration
from tests.integration.registration.test_registration_badges import meeting_today

pytestmark = pytest.mark.integration


def link(page: str, rel: str) -> tuple[str, dict[str, list[str]]]:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    assert found is not None, f"no {rel} link"
    address = html.unescape(found.group(1))
    return address, parse_qs(urlsplit(address).query)


def people_shown(page: str) -> int:
    table = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert table is not None
    return table.group(1).count('<th scope="row">')


async def test_the_participants_page_shows_a_hundred_a_page_with_the_filters_kept(
    registration: Registration, register: Register
) -> None:
    for n in range(105):
        await register(n, country=("MAR", "TUR", "IDN")[n % 3])
    http = registration.http
    http.cookies.set("pesnet_session", DEV_SECRETARIAT_TOKEN)

    first = await http.get(
        "/participants", params={"meeting": "pesnet-demo", "role": "delegate", "lang": "fr"}
    )
    assert first.status_code == 200
    assert "105 participants" in first.text
    assert people_shown(first.text) == 100
    assert "Page 1 sur 2" in first.text
    address, query = link(first.text, "next")
    assert query == {
        "meeting": ["pesnet-demo"], "role": ["delegate"], "lang": ["fr"], "page": ["2"]
    }  # fmt: skip
    assert 'rel="prev"' not in first.text

    second = await http.get(address)
    assert "105 participants" in second.text
    assert people_shown(second.text) == 5
    assert "Page 2 sur 2" in second.text
    assert 'rel="next"' not in second.text
    assert link(second.text, "prev")[1]["page"] == ["1"]
    # nobody twice, nobody left out
    names = set(re.findall(r"Benali\d+", first.text)) | set(re.findall(r"Benali\d+", second.text))
    assert len(names) == 105

    past = await http.get("/participants", params={"meeting": "pesnet-demo", "page": "9"})
    assert people_shown(past.text) == 5
    assert "Page 2 of 2" in past.text


async def test_the_console_shows_fifty_waiting_a_page_with_the_country_kept(
    registration: Registration, register: Register
) -> None:
    for n in range(53):
        await register(n, country="MAR")
    await register(60, country="TUR")
    http = registration.http
    http.cookies.set("pesnet_session", DEV_SECRETARIAT_TOKEN)

    first = await http.get(
        "/console", params={"meeting": "pesnet-demo", "country": "MAR", "lang": "ar"}
    )
    assert first.status_code == 200
    assert first.text.count('value="accredit"') == 50
    assert "الصفحة 1 من 2" in first.text
    address, query = link(first.text, "next")
    assert query == {"meeting": ["pesnet-demo"], "country": ["MAR"], "lang": ["ar"], "page": ["2"]}

    second = await http.get(address)
    assert second.text.count('value="accredit"') == 3
    assert "Benali60" not in second.text  # another country's: filtered out
    # a decision taken on the second page comes back to it
    assert '<input type="hidden" name="page" value="2">' in second.text


async def test_the_desk_lists_whom_a_name_matches_by_family_name(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    meeting = await meeting_today(registration)
    people = [("Amina", "Zahra"), ("Amina", "Alaoui"), ("Aminata", "Benali"), ("Karim", "Amine")]
    for n, (given, family) in enumerate(people):
        await register(n, meeting=meeting, given_name=given, family_name=family)
    await register(9, meeting=meeting, given_name="Omar", family_name="Idrissi")
    http = registration.http
    page = await http.get(f"/desk?meeting={meeting}&lang=en", headers=secretariat)

    async def search(typed: str) -> list[str]:
        found = await http.post(
            "/desk?lang=en",
            data={"csrf": csrf_of(page.text), "meeting": meeting, "badge_token": typed},
            headers=secretariat,
        )
        assert found.status_code == 200
        return re.findall(r"Amina Zahra|Amina Alaoui|Aminata Benali|Karim Amine|Omar", found.text)

    assert await search("ami") == [
        "Amina Alaoui", "Karim Amine", "Aminata Benali", "Amina Zahra"
    ]  # fmt: skip
    assert await search("AMINA al") == ["Amina Alaoui"]
    assert await search("zahra amina") == ["Amina Zahra"]
