"""The secretariat's view of a meeting's participants: the export (CSV, XLSX) in the
reader's language, the printed badge sheet with its short codes, the desk finding a
person by name or short code, and an announcement to an audience (its event names the
recipients, its audit entry counts them)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import openpyxl
import pypdf
import pytest

from pesnet.shared.events.registration import AnnouncementMade
from tests.integration.registration.conftest import Register, Registration
from tests.integration.registration.test_registration_badges import meeting_today

pytestmark = pytest.mark.integration

COUNTRIES = ["SEN", "MAR", "TUR", "IDN"]


async def twelve(register: Register, meeting: str = "pesnet-demo") -> list[dict[str, str]]:
    return [
        await register(
            i,
            meeting=meeting,
            country=COUNTRIES[i % 4],
            given_name=f"Export{i}",
            email=f"export{i}@example.org",
            language=["ar", "en", "fr"][i % 3],
        )
        for i in range(12)
    ]


async def test_the_export_lists_everyone_in_the_reader_s_language(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    people = await twelve(register)
    await registration.http.post(f"/registrations/{people[0]['id']}/confirm", headers=secretariat)
    xlsx = await registration.http.get(
        "/meetings/pesnet-demo/participants.xlsx?lang=ar", headers=secretariat
    )
    assert xlsx.status_code == 200, xlsx.text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == (
        "اسم العائلة",
        "الاسم الشخصي",
        "الاسم بالحروف اللاتينية",
        "البريد الإلكتروني",
    )
    assert len(rows) == 13
    first = next(r for r in rows if r[1] == "Export0")
    assert first[3] == "export0@example.org"
    assert first[4] == "السنغال"
    assert first[7] == "مندوب"  # the kernel's term, not "delegate"
    assert first[8] == "مؤكَّد"
    assert re.fullmatch(r"[A-Z0-9]{6}", first[10])
    only_turkey = await registration.http.get(
        "/meetings/pesnet-demo/participants.csv?country=TUR&lang=fr", headers=secretariat
    )
    table = list(csv.reader(io.StringIO(only_turkey.text.lstrip("\ufeff"))))
    assert table[0][0] == "Nom de famille"
    assert len(table) == 4
    assert {row[4] for row in table[1:]} == {"Türkiye"}
    audit = await registration.http.get("/audit?meeting_id=pesnet-demo", headers=secretariat)
    exported = [e for e in audit.json() if e["action"] == "check_ins.exported"]
    assert len(exported) == 2


async def test_nobody_without_the_right_exports(registration: Registration) -> None:
    response = await registration.http.get("/meetings/pesnet-demo/participants.xlsx")
    assert response.status_code == 401


async def test_the_badge_sheet_prints_four_badges_a_page_with_their_short_codes(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    people = await twelve(register)
    for person in people[:6]:  # up to the quota: SEN, MAR, TUR, IDN, SEN, MAR
        answer = await registration.http.post(
            f"/registrations/{person['id']}/confirm", headers=secretariat
        )
        assert answer.json()["status"] == "confirmed"
    codes = {
        p["id"]: (await registration.http.get(f"/registrations/{p['id']}", headers=secretariat))
        .json()
        .get("short_code")
        for p in people[:6]
    }
    sheet = await registration.http.get("/meetings/pesnet-demo/badges.pdf", headers=secretariat)
    assert sheet.status_code == 200
    assert sheet.headers["content-type"] == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(sheet.content))
    assert len(pdf.pages) == 2  # six badges, four to a page
    text = "".join(page.extract_text() for page in pdf.pages)
    assert all(code and code in text for code in codes.values())
    senegal = await registration.http.get(
        "/meetings/pesnet-demo/badges.pdf?country=SEN", headers=secretariat
    )
    senegal_text = pypdf.PdfReader(io.BytesIO(senegal.content)).pages[0].extract_text()
    assert codes[people[0]["id"]] in senegal_text
    assert codes[people[1]["id"]] not in senegal_text


async def test_the_desk_finds_a_person_by_name_or_short_code(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    meeting = await meeting_today(registration)
    fatima = await register(1, meeting=meeting, given_name="فاطمة", family_name="الزهراء")
    gulsen = await register(2, meeting=meeting, given_name="Gülşen", family_name="Çelik")
    for person in (fatima, gulsen):
        await registration.http.post(f"/registrations/{person['id']}/confirm", headers=secretariat)
    http = registration.http
    page = await http.get(f"/desk?meeting={meeting}&lang=ar", headers=secretariat)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    found = await http.post(
        "/desk?lang=ar",
        data={"csrf": csrf.group(1), "meeting": meeting, "badge_token": "فاطمه زهراء"},
        headers=secretariat,
    )
    assert "فاطمة الزهراء" in found.text
    assert "Gülşen" not in found.text
    assert "شخص واحد يطابق" in found.text
    code = (await http.get(f"/registrations/{gulsen['id']}", headers=secretariat)).json()[
        "short_code"
    ]
    checked = await http.post(
        "/desk?lang=en",
        data={"csrf": csrf.group(1), "meeting": meeting, "badge_token": code.lower()},
        headers=secretariat,
    )
    assert "checked in at" in checked.text
    by_name = await http.post(
        "/desk?lang=en",
        data={"csrf": csrf.group(1), "meeting": meeting, "badge_token": "gulsen CELIK"},
        headers=secretariat,
    )
    assert "Gülşen Çelik" in by_name.text
    assert "already checked in" in by_name.text


async def test_an_announcement_names_its_recipients_and_its_audit_counts_them(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    people = await twelve(register)
    await registration.http.post(f"/registrations/{people[3]['id']}/withdraw", headers=secretariat)
    preview = await registration.http.get(
        "/meetings/pesnet-demo/announcements/recipients?country=MAR", headers=secretariat
    )
    assert preview.json() == {"recipients": 3, "by_language": {"ar": 1, "en": 1, "fr": 1}}
    body = {
        "title": {"ar": "إعلان", "en": "Notice", "fr": "Avis"},
        "body": {"ar": "تغيير القاعة", "en": "The room has changed", "fr": "La salle a changé"},
        "audience": "all",
        "critical": True,
    }
    made = await registration.http.post(
        "/meetings/pesnet-demo/announcements", json=body, headers=secretariat
    )
    assert made.status_code == 202, made.text
    assert made.json()["recipients"] == 11  # the one who withdrew hears nothing
    [event] = await registration.bus.wait_for(AnnouncementMade)
    assert len(event["data"]["registration_ids"]) == 11
    assert people[3]["id"] not in event["data"]["registration_ids"]
    audit = await registration.http.get("/audit?meeting_id=pesnet-demo", headers=secretariat)
    [entry] = [e for e in audit.json() if e["action"] == "announcement.made"]
    assert entry["count"] == 11
    incomplete = await registration.http.post(
        "/meetings/pesnet-demo/announcements",
        json={**body, "title": {"en": "Notice"}},
        headers={**secretariat, "Accept-Language": "ar"},
    )
    assert incomplete.status_code == 422
    assert "title" in incomplete.text


async def test_speakers_are_not_claimed_on_the_public_form(
    registration: Registration, person: Callable[..., dict[str, str]]
) -> None:
    response = await registration.http.post(
        "/meetings/pesnet-demo/registrations", json=person(1, role="speaker")
    )
    assert response.status_code == 403


async def test_a_short_code_another_person_drew_is_drawn_again(
    registration: Registration,
    register: Register,
    secretariat: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No look before each insert: the unique index refuses the second person's code,
    the registration's transaction runs again and draws another one."""
    from pesnet.registration.domain import registration as domain

    draws = iter(["AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr(domain, "new_short_code", lambda: next(draws))
    first = await register(0, given_name="Same0", email="same0@example.org")
    second = await register(1, given_name="Same1", email="same1@example.org")
    codes = [
        (await registration.http.get(f"/registrations/{p['id']}", headers=secretariat))
        .json()
        .get("short_code")
        for p in (first, second)
    ]
    assert codes == ["AAAAAA", "BBBBBB"]
