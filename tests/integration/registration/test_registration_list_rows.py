"""The lists read as rows (only what a list shows of each registration): the export
has each person's own values in its columns, one row each, in registration order, the
same in CSV and XLSX; the check-in list is by country (none first), family name and
given name; the participants page counts them all and pages them in registration
order; the console lists a delegation's registered people, then its waiting list in
its order, with one audited read per view."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.integration.registration.conftest import Register, Registration
from tests.integration.registration.test_registration_badges import meeting_today
from tests.integration.registration.test_registration_long_lists import people_shown

pytestmark = pytest.mark.integration

COLUMNS = [
    "Family name", "Given name", "Name in Latin letters", "E-mail", "Member state",
    "Institution", "Position", "Role", "Status", "Registered at", "Badge code",
    "Checked in at", "Takes part",
]  # fmt: skip


async def test_the_export_has_each_person_s_values_in_registration_order(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    meeting = await meeting_today(registration)
    made = [
        await register(1, meeting=meeting, given_name="زهرة", family_name="سلجوق",
                       name_latin="Zahra Seljuk", country="TUR", position="Head of unit"),
        await register(2, meeting=meeting, given_name="Omar", family_name="Diop",
                       country="SEN", role="observer"),
        await register(3, meeting=meeting, given_name="Ana", family_name="=SUM(1)",
                       country=None, role="observer", institution="SESRIC"),
    ]  # fmt: skip
    http = registration.http
    await http.post(f"/registrations/{made[0]['id']}/confirm", headers=secretariat)
    await http.post(f"/registrations/{made[0]['id']}/check-in", headers=secretariat)
    records = [(await http.get(f"/registrations/{r['id']}", headers=secretariat)).json()
               for r in made]  # fmt: skip

    answer = await http.get(f"/meetings/{meeting}/participants.csv?lang=en", headers=secretariat)
    assert answer.status_code == 200, answer.text
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0] == COLUMNS
    assert len(table) == 1 + 3
    for row, record in zip(table[1:], records, strict=True):
        assert len(row) == len(COLUMNS)
        family = record["family_name"]
        assert row[0] == ("'" + family if family.startswith("=") else family)
        assert row[1:4] == [record["given_name"], record["name_latin"] or "", record["email"]]
        assert row[6] == record["position"]
        assert row[10] == record["short_code"]
        assert re.fullmatch(r"\d\d/\d\d/\d{4}, \d\d:\d\d", row[9]), row[9]
        assert row[12] == "On site"  # an on-site meeting
    assert [row[4] for row in table[1:]] == ["Türkiye", "Senegal", ""]
    assert [row[7:9] for row in table[1:]] == [
        ["Delegate", "Confirmed"], ["Observer", "Registered"], ["Observer", "Registered"]
    ]  # fmt: skip
    assert [bool(row[11]) for row in table[1:]] == [True, False, False]

    workbook = await http.get(f"/meetings/{meeting}/participants.xlsx?lang=en", headers=secretariat)
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True).worksheets[0]
    assert [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)] == table


async def test_the_check_in_list_is_by_country_then_family_then_given_name(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    people = [  # (country, family name, given name), registered in this order
        ("TUR", "Yilmaz", "Can"), ("MAR", "Benali", "Omar"), (None, "Zayed", "Ali"),
        ("MAR", "Alaoui", "Sara"), ("MAR", "Benali", "Amina"), ("SEN", "Diop", "Awa"),
    ]  # fmt: skip
    for n, (country, family, given) in enumerate(people):
        made = await register(n, country=country, family_name=family, given_name=given,
                              **({"role": "observer", "institution": "SESRIC"}
                                 if country is None else {}))  # fmt: skip
        answer = await registration.http.post(
            f"/registrations/{made['id']}/confirm", headers=secretariat
        )
        assert answer.json()["status"] == "confirmed"
    await register(9, given_name="Pending")

    listing = await registration.http.get("/meetings/pesnet-demo/check-ins", headers=secretariat)
    shown = [(p["country"], p["family_name"], p["given_name"])
             for p in listing.json()["participants"]]  # fmt: skip
    assert shown == [
        (None, "Zayed", "Ali"), ("MAR", "Alaoui", "Sara"), ("MAR", "Benali", "Amina"),
        ("MAR", "Benali", "Omar"), ("SEN", "Diop", "Awa"), ("TUR", "Yilmaz", "Can"),
    ]  # fmt: skip
    assert listing.json()["confirmed"] == 6


async def test_the_participants_page_counts_all_and_pages_them_in_registration_order(
    registration: Registration, register: Register
) -> None:
    for n in range(103):
        await register(n, given_name=f"P{n:03d}", country=("MAR", "TUR", "IDN")[n % 3])
    http = registration.http
    http.cookies.set("pesnet_session", DEV_SECRETARIAT_TOKEN)
    names = []
    for page in (1, 2):
        answer = await http.get(
            "/participants", params={"meeting": "pesnet-demo", "lang": "en", "page": page}
        )
        assert "103 participants" in answer.text
        names += re.findall(r'<th scope="row">(P\d{3}) ', answer.text)
        assert people_shown(answer.text) == (100 if page == 1 else 3)
    assert names == [f"P{n:03d}" for n in range(103)]


async def test_the_console_lists_the_registered_then_the_waiting_list_in_its_order(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    made = [await register(n, given_name=f"W{n}", country="MAR") for n in range(5)]
    for person in made:  # a quota of 3: the last two wait, in the order they were accredited
        await registration.http.post(f"/registrations/{person['id']}/confirm", headers=secretariat)
    await register(5, given_name="W5", country="MAR")
    await register(6, given_name="W6", country="TUR")
    http = registration.http
    http.cookies.set("pesnet_session", DEV_SECRETARIAT_TOKEN)

    page = await http.get("/console", params={"meeting": "pesnet-demo", "lang": "en"})
    assert page.status_code == 200
    shown = re.findall(r'<th scope="row">(W\d) ', page.text)
    assert shown == ["W5", "W3", "W4", "W6"]  # Morocco (registered, then its waitlist), Türkiye
    assert "Waiting list: place 1" in page.text
    assert "Waiting list: place 2" in page.text
    assert "W0 " not in page.text  # confirmed: not waiting for a decision
    audit = await http.get("/audit?meeting_id=pesnet-demo", headers=secretariat)
    assert [e["action"] for e in audit.json()].count("personal_data.read") == 1
