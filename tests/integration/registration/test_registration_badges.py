"""Badges and check-in: a signed badge token as a QR code, a printable trilingual
badge with the name shaped in its own script, idempotent check-in (by id or by
scanning the badge), and the check-in list with its CSV export."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.registration import ParticipantCheckedIn
from pesnet.shared.i18n import Localized
from tests.integration.registration.conftest import Register, Registration
from tests.qr_codes import qr_texts_in_image
from tests.support import eventually

pytestmark = pytest.mark.integration


TODAY = "pesnet-today"


async def meeting_today(registration: Registration) -> str:
    """A meeting under way (check-in happens only on a meeting's days), announced by
    agenda's event as any meeting is."""
    today = datetime.now(UTC).date()
    await registration.publish(
        MeetingScheduled(
            meeting_id=TODAY,
            number=9,
            title=Localized(ar="اجتماع اليوم", en="Today's meeting", fr="Réunion du jour"),
            timezone="UTC",
            status="registration_open",
            start_date=today,
            end_date=today + timedelta(days=1),
        )
    )

    async def announced() -> bool:
        return (await registration.http.get(f"/meetings/{TODAY}/delegations")).status_code == 200

    await eventually(announced)
    return TODAY


async def confirmed(
    registration: Registration,
    register: Register,
    secretariat: dict[str, str],
    n: int,
    **fields: str,
) -> dict[str, str]:
    created = await register(n, **fields)
    response = await registration.http.post(
        f"/registrations/{created['id']}/confirm", headers=secretariat
    )
    assert response.json()["status"] == "confirmed"
    return {**response.json(), "manage_token": created["manage_token"]}


async def test_badge_png_and_qr_for_a_confirmed_participant(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    participant = await confirmed(
        registration,
        register,
        secretariat,
        1,
        given_name="يونس",
        family_name="السكوري",
        name_latin="Younes Sekkouri",
    )
    mine = {"Authorization": f"Bearer {participant['manage_token']}"}
    badge = await registration.http.get(
        f"/registrations/{participant['id']}/badge.png", headers=mine
    )
    assert badge.status_code == 200
    assert badge.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(badge.content))
    assert image.size == (827, 1165)
    qr = await registration.http.get(
        f"/registrations/{participant['id']}/badge/qr.png", headers=secretariat
    )
    assert qr.status_code == 200
    assert Image.open(io.BytesIO(qr.content)).format == "PNG"
    # the badge's own QR code, as the desk's scanner reads it, is the QR code's token
    [token] = qr_texts_in_image(qr.content)
    assert token.startswith("b1.")
    assert qr_texts_in_image(badge.content) == [token]

    # no badge before confirmation, nor for anyone else's registration
    pending = await register(2)
    response = await registration.http.get(
        f"/registrations/{pending['id']}/badge.png", headers=secretariat
    )
    assert response.status_code == 409
    response = await registration.http.get(
        f"/registrations/{pending['id']}/badge.png",
        headers={"Authorization": f"Bearer {participant['manage_token']}"},
    )
    assert response.status_code == 403


async def test_check_in_is_idempotent_and_says_when(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    meeting = await meeting_today(registration)
    participant = await confirmed(
        registration, register, secretariat, 1, language="ar", meeting=meeting
    )
    first = await registration.http.post(
        f"/registrations/{participant['id']}/check-in", headers=secretariat
    )
    assert first.status_code == 200
    assert first.json()["already_checked_in"] is False
    checked_in_at = first.json()["checked_in_at"]

    second = await registration.http.post(
        f"/registrations/{participant['id']}/check-in", headers=secretariat
    )
    assert second.status_code == 200
    assert second.json()["already_checked_in"] is True
    assert second.json()["checked_in_at"] == checked_in_at
    assert second.json()["message"].startswith("already checked in at ")
    assert second.json()["messages"]["fr"].startswith("déjà enregistré à ")
    assert "سُجّل الحضور مسبقًا" in second.json()["messages"]["ar"]

    # scanning the badge: the same participant, still checked in once
    scan = await registration.http.post(
        f"/meetings/{meeting}/check-ins",
        json={"badge_token": participant["badge_token"]},
        headers=secretariat,
    )
    assert scan.json()["already_checked_in"] is True
    await asyncio.sleep(0.5)
    events = registration.bus.of(ParticipantCheckedIn, registration_id=participant["id"])
    assert len(events) == 1


async def test_check_in_by_badge_refuses_forged_and_stale_badges(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    meeting = await meeting_today(registration)
    participant = await confirmed(registration, register, secretariat, 1, meeting=meeting)
    token = participant["badge_token"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = await registration.http.post(
        f"/meetings/{meeting}/check-ins", json={"badge_token": forged}, headers=secretariat
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "badge_token"

    # after a withdrawal the badge no longer opens the door
    await registration.http.post(
        f"/registrations/{participant['id']}/withdraw", headers=secretariat
    )
    response = await registration.http.post(
        f"/meetings/{meeting}/check-ins", json={"badge_token": token}, headers=secretariat
    )
    assert response.status_code == 409

    # only confirmed participants check in; only the secretariat's desk checks in
    pending = await register(2, meeting=meeting)
    response = await registration.http.post(
        f"/registrations/{pending['id']}/check-in", headers=secretariat
    )
    assert response.status_code == 409
    other = await confirmed(registration, register, secretariat, 3)
    response = await registration.http.post(
        f"/registrations/{other['id']}/check-in",
        headers={"Authorization": f"Bearer {other['manage_token']}"},
    )
    assert response.status_code == 403


async def test_check_in_list_and_csv_export(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    meeting = await meeting_today(registration)
    arrived = await confirmed(
        registration,
        register,
        secretariat,
        1,
        given_name="زهرة",
        family_name="سلجوق",
        country="TUR",
        meeting=meeting,
    )
    await confirmed(
        registration,
        register,
        secretariat,
        2,
        family_name="=HYPERLINK(1)",
        country="TUR",
        meeting=meeting,
    )
    await registration.http.post(f"/registrations/{arrived['id']}/check-in", headers=secretariat)

    listing = await registration.http.get(f"/meetings/{meeting}/check-ins", headers=secretariat)
    assert listing.json()["confirmed"] == 2
    assert listing.json()["checked_in"] == 1

    export = await registration.http.get(
        f"/meetings/{meeting}/check-ins", params={"format": "csv"}, headers=secretariat
    )
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    by_name = {row["family_name"]: row for row in rows}
    assert by_name["سلجوق"]["checked_in"] == "yes"
    assert by_name["سلجوق"]["checked_in_local"]
    # a formula in a name stays text in a spreadsheet
    assert "'=HYPERLINK(1)" in by_name
    assert by_name["'=HYPERLINK(1)"]["checked_in"] == "no"

    assert (await registration.http.get(f"/meetings/{meeting}/check-ins")).status_code == 401
