"""A hybrid meeting's participant chooses to take part on site or online when
registering (a choice they must make), changes it from their registration's page, and
the secretariat's participants list says it; an in-person meeting offers no choice."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from tests.integration.audit_walk import csrf_of
from tests.integration.registration.conftest import Register, Registration
from tests.support import eventually

pytestmark = pytest.mark.integration
HYBRID = "hybrid-meeting"


async def hybrid_meeting(registration: Registration) -> str:
    start = datetime.now(UTC).date() + timedelta(days=30)
    await registration.publish(
        MeetingScheduled(
            meeting_id=HYBRID,
            number=9,
            title=Localized(ar="اجتماع هجين", en="Hybrid meeting", fr="Réunion hybride"),
            city=Localized(ar="أنقرة", en="Ankara", fr="Ankara"),
            country="TUR",
            timezone="Europe/Istanbul",
            status="registration_open",
            start_date=start,
            end_date=start + timedelta(days=1),
            attendance_mode="hybrid",
        )
    )

    async def announced() -> bool:
        return (await registration.http.get(f"/meetings/{HYBRID}/delegations")).status_code == 200

    await eventually(announced)
    return HYBRID


async def test_a_hybrid_participant_chooses_and_changes_how_they_take_part(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    meeting = await hybrid_meeting(registration)
    http = registration.http
    form = await http.get(f"/meetings/{meeting}/register?lang=fr", headers={"Accept": "text/html"})
    assert 'name="attendance"' in form.text
    assert "En ligne" in form.text

    unchosen = await http.post(
        f"/meetings/{meeting}/registrations",
        json={
            "given_name": "Awa", "family_name": "Ndiaye", "email": "awa@anpej.example.sn",
            "country": "SEN", "institution": "ANPEJ", "position": "Director",
            "role": "delegate", "language": "fr",
        },
        headers={"Accept-Language": "fr"},
    )  # fmt: skip
    assert unchosen.status_code == 422
    assert unchosen.json()["errors"][0]["field"] == "attendance"

    created = await register(1, meeting=meeting, attendance="online")
    mine = {"Authorization": f"Bearer {created['manage_token']}"}
    read = await http.get(f"/registrations/{created['id']}", headers=mine)
    assert read.json()["attendance"] == "online"

    # from the registration's page: on site after all
    path = f"/registrations/{created['id']}/manage?token={created['manage_token']}&lang=fr"
    page = await http.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    assert 'name="attendance"' in page.text
    changed = await http.post(
        path,
        data={
            "csrf": csrf_of(page.text),
            "token": created["manage_token"],
            "attendance": "on_site",
        },
        headers={"Cookie": f"pesnet_csrf={page.cookies.get('pesnet_csrf')}", "Accept": "text/html"},
    )
    assert changed.status_code == 303, changed.text
    read = await http.get(f"/registrations/{created['id']}", headers=mine)
    assert read.json()["attendance"] == "on_site"

    other = await register(2, meeting=meeting, attendance="online")
    listed = await http.get(f"/meetings/{meeting}/participants.csv?lang=fr", headers=secretariat)
    assert listed.status_code == 200
    rows = list(csv.DictReader(io.StringIO(listed.text.lstrip("\ufeff"))))
    taking_part = {row["Nom de famille"]: row["Participation"] for row in rows}
    assert taking_part == {"Benali1": "Sur place", "Benali2": "En ligne"}
    assert other["id"]

    # a meeting held in person only: no choice to make, none to change
    in_person = await register(3)
    assert (await http.get(f"/registrations/{in_person['id']}", headers=secretariat)).json()[
        "attendance"
    ] == "on_site"
    refused = await http.patch(
        f"/registrations/{in_person['id']}",
        json={"attendance": "online"},
        headers={"Authorization": f"Bearer {in_person['manage_token']}"},
    )
    assert refused.status_code == 422
