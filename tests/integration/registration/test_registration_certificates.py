"""Certificates of attendance: a checked-in participant downloads theirs on the meeting's
last day, in their language, and its QR code's link opens the public verification page,
which names them and the meeting while their data exists."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from pesnet.shared.events.agenda import MeetingJoinLinkSet, MeetingScheduled
from pesnet.shared.i18n import Localized
from tests.integration.registration.conftest import Register, Registration
from tests.integration.registration.test_registration_badges import confirmed
from tests.qr_codes import qr_texts_in_pdf
from tests.support import eventually

pytestmark = pytest.mark.integration

CLOSING = "closing-day"


async def meeting_closing_today(registration: Registration) -> str:
    """A meeting whose last day is today (its certificates are due)."""
    today = datetime.now(UTC).date()
    await registration.publish(
        MeetingScheduled(
            meeting_id=CLOSING,
            number=8,
            title=Localized(ar="اجتماع الختام", en="Closing meeting", fr="Réunion de clôture"),
            city=Localized(ar="مراكش", en="Marrakech", fr="Marrakech"),
            country="MAR",
            timezone="UTC",
            status="registration_open",
            start_date=today,
            end_date=today,
        )
    )

    async def announced() -> bool:
        response = await registration.http.get(f"/meetings/{CLOSING}/delegations")
        return response.status_code == 200

    await eventually(announced)
    return CLOSING


def embedded_link(pdf: bytes) -> str:
    """The verification link the certificate carries (its QR code's, also in the PDF's
    metadata: a PDF text string, UTF-16 with a byte-order mark)."""
    found = re.search(rb"/Subject \((.*?)\)\n", pdf, re.DOTALL)
    assert found is not None
    raw = found.group(1)
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode()


async def test_a_checked_in_participant_gets_a_verifiable_certificate(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    meeting = await meeting_closing_today(registration)
    participant = await confirmed(
        registration,
        register,
        secretariat,
        1,
        language="ar",
        given_name="يونس",
        family_name="السكوري",
        meeting=meeting,
    )
    mine = {"Authorization": f"Bearer {participant['manage_token']}"}
    path = f"/registrations/{participant['id']}/certificate.pdf"
    not_yet = await registration.http.get(path, headers=mine)
    assert not_yet.status_code == 409  # not checked in: no attendance recorded
    checked = await registration.http.post(
        f"/registrations/{participant['id']}/check-in", headers=secretariat
    )
    assert checked.status_code == 200, checked.text

    pdf = await registration.http.get(path, headers=mine)
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-language"] == "ar"  # the participant's language
    # what a phone reads from the printed QR code, and the same link in the metadata
    [link] = qr_texts_in_pdf(pdf.content)
    assert link == embedded_link(pdf.content)
    assert "/certificates/c1." in link
    token = link.rsplit("/", 1)[1]

    page = await registration.http.get(
        f"/certificates/{token}", headers={"Accept": "text/html", "Accept-Language": "ar"}
    )
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    assert "يونس السكوري" in page.text
    assert "اجتماع الختام" in page.text
    verified = (await registration.http.get(f"/certificates/{token}")).json()
    assert verified["valid"] is True
    assert verified["meeting_id"] == meeting
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert (await registration.http.get(f"/certificates/{forged}")).status_code == 404
    # someone else's manage link opens no one else's certificate
    other = await confirmed(registration, register, secretariat, 2, meeting=meeting)
    theirs = {"Authorization": f"Bearer {other['manage_token']}"}
    assert (await registration.http.get(path, headers=theirs)).status_code == 403


async def test_online_attendance_is_imported_from_the_meeting_tools_list(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    meeting = await meeting_closing_today(registration)
    online = await confirmed(registration, register, secretariat, 3, meeting=meeting)
    pending = await register(4, meeting=meeting)
    email = (
        await registration.http.get(f"/registrations/{online['id']}", headers=secretariat)
    ).json()["email"]
    pending_email = (
        await registration.http.get(f"/registrations/{pending['id']}", headers=secretariat)
    ).json()["email"]
    listed = (
        "Name;E-mail;Minutes\n"
        f"Participant;{email.upper()};50\n"
        "Guest;guest@nowhere.example;12\n"
        "Phone caller;;30\n"
        f"Pending;{pending_email};20\n"
    )
    imported = await registration.http.post(
        f"/meetings/{meeting}/attendance",
        json={"csv": listed},
        headers={**secretariat, "Accept-Language": "fr"},
    )
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert body["recorded"] == 1
    assert [(line["line"], line["outcome"]) for line in body["lines"]] == [
        (2, "recorded"),
        (3, "unknown"),
        (4, "no_address"),
        (5, "not_confirmed"),
    ]
    assert body["lines"][1]["message"] == "aucune inscription à cette réunion n'a cette adresse"
    again = await registration.http.post(
        f"/meetings/{meeting}/attendance", json={"csv": f"{email}\n"}, headers=secretariat
    )
    assert again.json()["lines"][0]["outcome"] == "already_recorded"
    # who attended online gets a certificate too
    mine = {"Authorization": f"Bearer {online['manage_token']}"}
    pdf = await registration.http.get(
        f"/registrations/{online['id']}/certificate.pdf", headers=mine
    )
    assert pdf.status_code == 200, pdf.text


async def meeting_with_join_link(
    registration: Registration, meeting_id: str, number: int, title: Localized, mode: str
) -> str:
    """A meeting of today held `mode` (online, hybrid) with its join link, as agenda
    announces them, once registration knows it; the link."""
    today = datetime.now(UTC).date()
    link = f"https://meet.example.org/{meeting_id}"
    await registration.publish(
        MeetingScheduled(
            meeting_id=meeting_id,
            number=number,
            title=title,
            timezone="UTC",
            status="registration_open",
            start_date=today,
            end_date=today,
            attendance_mode=mode,
        )
    )
    await registration.publish(
        MeetingJoinLinkSet(meeting_id=meeting_id, attendance_mode=mode, join_url=link)
    )

    async def known() -> bool:
        response = await registration.http.get(f"/meetings/{meeting_id}/delegations")
        return response.status_code == 200

    await eventually(known)
    return link


async def test_an_online_participant_gets_the_join_link_and_no_badge(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    title = Localized(ar="اجتماع عن بعد", en="Online meeting", fr="Réunion en ligne")
    link = await meeting_with_join_link(registration, "online-nfp", 11, title, "online")
    participant = await confirmed(registration, register, secretariat, 5, meeting="online-nfp")

    async def page() -> str:
        shown = await registration.http.get(
            f"/registrations/{participant['id']}/manage",
            params={"token": participant["manage_token"], "lang": "fr"},
            headers={"Accept": "text/html"},
        )
        return shown.text

    await eventually(lambda: _has(page, link))
    text = await page()
    assert "badge.png" not in text  # online: no badge to collect
    # the link is not on any public answer about the meeting
    public = await registration.http.get("/meetings/online-nfp/delegations")
    assert link not in public.text


async def _has(page: Any, link: str) -> bool:
    return link in await page()


async def test_in_a_hybrid_meeting_only_the_online_participants_get_the_join_link(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    title = Localized(ar="اجتماع مختلط", en="Hybrid meeting", fr="Réunion hybride")
    link = await meeting_with_join_link(registration, "hybrid-nfp", 12, title, "hybrid")
    online = await confirmed(
        registration, register, secretariat, 6, meeting="hybrid-nfp", attendance="online"
    )
    on_site = await confirmed(
        registration, register, secretariat, 7, meeting="hybrid-nfp", attendance="on_site"
    )

    def page_of(participant: dict[str, str]) -> Any:
        async def page() -> str:
            shown = await registration.http.get(
                f"/registrations/{participant['id']}/manage",
                params={"token": participant["manage_token"], "lang": "ar"},
                headers={"Accept": "text/html"},
            )
            return shown.text

        return page

    await eventually(lambda: _has(page_of(online), link))
    on_site_page = await page_of(on_site)()
    assert 'id="join-link"' not in on_site_page
    assert link not in on_site_page
    assert "badge.png" in on_site_page  # who comes on site collects a badge instead
