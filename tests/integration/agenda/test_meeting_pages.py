"""The secretariat runs a meeting from agenda's pages, signed in with its identity
account (the `pesnet_session` cookie), in Arabic: the list of meetings, the next meeting
decided from pesnet-4's closing session, completed, opened for registration, three
sessions written in the editor (an out-of-day and an overlapping one refused at their
field), the release preview, publishing, a refused move of the dates, the audit page
and its CSV."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pesnet.agenda.bootstrap import build_app
from pesnet.agenda.settings import Settings
from pesnet.shared.credentials import StaffRole
from pesnet.shared.events import CATALOG
from pesnet.shared.events.identity import AccountNamed
from pesnet.shared.events.registration import ParticipantConfirmed
from tests.integration.agenda.conftest import RegistrationEvents
from tests.integration.audit_walk import csrf_of
from tests.integration.roles import TRUST, bearer, role_token, token
from tests.support import bus_tap, eventually

pytestmark = pytest.mark.integration

ADMIN_TOKEN = token(StaffRole.administrator, sub="acc_admin")


@pytest.fixture
async def pages(
    make_settings: Callable[..., Settings], start_service: Callable[..., Any], unique: str
) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(make_settings(f"agenda-{unique}", Settings, **TRUST))
    async with start_service(app) as svc:
        seeded = await svc.http.post("/dev/seed", headers=bearer(ADMIN_TOKEN))
        assert seeded.status_code == 200, seeded.text
        yield svc.http


def field_error(page: str, field: str) -> str:
    found = re.search(rf'id="{re.escape(field)}-error"[^>]*>([^<]+)<', page)
    assert found is not None, f"no error at {field}: {page[-3000:]}"
    return found.group(1)


async def post(http: httpx.AsyncClient, url: str, data: dict[str, str]) -> httpx.Response:
    """Post a page's form as a browser does: the page first (its CSRF cookie and token)."""
    page = await http.get(url)
    return await http.post(url, data={"csrf": csrf_of(page.text), **data})


async def test_signed_out_the_pages_show_no_meeting(pages: httpx.AsyncClient) -> None:
    for path in ("/staff/meetings", "/staff/meetings/pesnet-4", "/staff/audit",
                 "/staff/meetings/pesnet-demo/programme"):  # fmt: skip
        page = await pages.get(path, params={"lang": "ar"})
        assert page.status_code == 401, (path, page.status_code)
        assert 'dir="rtl"' in page.text
        assert 'action="/sign-in?' in page.text  # agenda's own sign-in form
        # nothing of the meetings but the address asked for, where signing in leads
        shown = page.text.replace(f'name="next" value="{path}?lang=ar"', "")
        assert "pesnet-4" not in shown
        assert "pesnet-demo" not in shown
    pages.cookies.set("pesnet_session", role_token(StaffRole.programme_editor))
    refused = await pages.get("/staff/meetings")
    assert refused.status_code == 403
    assert "pesnet-4" not in refused.text


async def confirmed(http: httpx.AsyncClient, meeting_id: str) -> bool:
    found = await http.get(
        f"/meetings/{meeting_id}/participants",
        params={"status": "confirmed"},
        headers=bearer(ADMIN_TOKEN),
    )
    return bool(found.json())


async def test_the_secretariat_runs_the_next_meeting_from_the_pages(
    pages: httpx.AsyncClient, registration_events: RegistrationEvents, rabbit_url: str
) -> None:
    pages.cookies.set("pesnet_session", ADMIN_TOKEN)
    # identity names the administrator's account: the audit page says who acted by it
    await registration_events.publisher.publish(
        CATALOG.envelope(
            AccountNamed(account_id="acc_admin", display_name="Amina Benali"),
            source="/pesnet/identity",
        )
    )
    listing = await pages.get("/staff/meetings", params={"lang": "ar"})
    assert listing.status_code == 200, listing.text
    assert 'dir="rtl"' in listing.text
    assert "pesnet-4" in listing.text
    assert "pesnet-demo" in listing.text
    assert "عُقد" in listing.text

    # the closing session of pesnet-4 decides the 5th meeting
    decided = await post(
        pages,
        "/staff/meetings/pesnet-4?lang=ar",
        {"action": "next", "tentative_month": "2031-01"},
    )
    assert decided.status_code == 303, decided.text
    assert decided.headers["location"].startswith("/staff/meetings/pesnet-5?lang=ar")

    # completed: a window closing after the meeting is refused at its field, in Arabic
    details = {
        "action": "save", "start_date": "2031-01-18", "end_date": "2031-01-19",
        "city_ar": "إسطنبول", "city_en": "Istanbul", "city_fr": "Istanbul",
        "venue_ar": "مركز المؤتمرات", "venue_en": "Congress centre", "venue_fr": "Centre des congrès",
        "country": "TUR", "timezone": "Europe/Istanbul", "host_institution": "anapec",
        "delegation_quota": "3", "registration_opens_at": "2030-12-01T09:00",
        "registration_closes_at": "2031-01-25T18:00",
    }  # fmt: skip
    refused = await post(pages, "/staff/meetings/pesnet-5?lang=ar", details)
    assert refused.status_code == 422
    assert re.search(r"[\u0600-\u06FF]", field_error(refused.text, "registration_closes_at"))
    assert 'value="2031-01-18"' in refused.text  # what was typed stays in the form
    details["registration_closes_at"] = "2031-01-11T18:00"
    saved = await post(pages, "/staff/meetings/pesnet-5?lang=ar", details)
    assert saved.status_code == 200, field_error(saved.text, "form")
    opened = await post(
        pages,
        "/staff/meetings/pesnet-5?lang=ar",
        {"action": "status", "status": "registration_open"},
    )
    assert opened.status_code == 200, opened.text
    meeting = (await pages.get("/meetings/pesnet-5")).json()
    assert meeting["status"] == "registration_open"
    assert meeting["venue"]["en"] == "Congress centre"
    assert meeting["host_institution"] == "anapec"

    # three sessions; out of the meeting's days, or in a taken room, refused at the field
    editor = "/staff/meetings/pesnet-5/programme?lang=ar"
    session = {"action": "add", "kind": "panel", "day": "2031-01-18", "start": "10:00",
               "end": "11:00", "room": "A", "title_ar": "ندوة", "title_en": "Panel", "title_fr": "Panel"}  # fmt: skip
    for day, start, title in (("2031-01-18", "09:00", "Opening"), ("2031-01-18", "10:00", "Panel"),
                              ("2031-01-19", "15:00", "Closing")):  # fmt: skip
        added = await post(pages, editor, {**session, "day": day, "start": start,
                                           "end": f"{int(start[:2]) + 1:02d}:00", "title_en": title})  # fmt: skip
        assert added.status_code == 200, added.text
    outside = await post(pages, editor, {**session, "day": "2031-01-20"})
    assert outside.status_code == 422
    field_error(outside.text, "day")
    overlapping = await post(pages, editor, {**session, "start": "10:30", "end": "11:30"})
    assert overlapping.status_code == 422
    field_error(overlapping.text, "start")
    no_french = await post(pages, editor, {**session, "day": "2031-01-19", "title_fr": ""})
    assert no_french.status_code == 200
    assert "missing" in no_french.text or "ناقص" in no_french.text

    preview = await pages.get("/staff/meetings/pesnet-5/programme/preview?lang=ar")
    assert preview.status_code == 200
    assert 'dir="rtl"' in preview.text
    assert preview.text.count("<li><strong>") == 4  # the changelog: four sessions added
    # a title missing in French is refused at publishing, named; removed, it publishes
    refused_release = await post(pages, "/staff/meetings/pesnet-5/programme/preview?lang=ar", {})
    assert refused_release.status_code in (409, 422)
    untitled = re.search(r'id="publish-error">[^<]*(s-[0-9a-f]+)', refused_release.text)
    assert untitled is not None, refused_release.text[-2000:]
    removed = await post(pages, editor, {"action": "remove", "session_id": untitled.group(1)})
    assert removed.status_code == 200
    published = await post(pages, "/staff/meetings/pesnet-5/programme/preview?lang=ar", {})
    assert published.status_code == 303, published.text
    html = await pages.get("/meetings/pesnet-5/programme", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "Closing" in html.text

    # a meeting taking registrations does not move into the past
    past = await post(pages, "/staff/meetings/pesnet-5?lang=ar",
                      {"action": "save", "start_date": "2020-01-18", "end_date": "2020-01-19"})  # fmt: skip
    assert past.status_code == 409
    field_error(past.text, "start_date")

    # a confirmed delegate holds the dates: moving them is refused while the window
    # would close after the meeting, then done with it, and she is told
    registration_id = await registration_events.send(
        ParticipantConfirmed, "amina@example.org", "confirmed", meeting_id="pesnet-5",
        language="ar", role="delegate",
    )  # fmt: skip
    await eventually(lambda: confirmed(pages, "pesnet-5"), 15)
    async with bus_tap(rabbit_url, "agenda.meeting.rescheduled") as tap:
        earlier = {"action": "save", "start_date": "2031-01-04", "end_date": "2031-01-05"}
        refused_move = await post(pages, "/staff/meetings/pesnet-5?lang=ar", earlier)
        assert refused_move.status_code == 422
        field_error(refused_move.text, "registration_closes_at")
        moved = await post(pages, "/staff/meetings/pesnet-5?lang=ar",
                           {**earlier, "registration_closes_at": "2031-01-02T18:00"})  # fmt: skip
        assert moved.status_code == 200, moved.text[-2000:]
        told = (await tap.wait_for("agenda.meeting.rescheduled"))[0]["data"]
    assert told["affected_registration_ids"] == [registration_id]
    assert [(c["field"], c["was"]["en"], c["now"]["en"]) for c in told["changes"]] == [
        ("start_date", "18 January 2031", "4 January 2031"),
        ("end_date", "19 January 2031", "5 January 2031"),
    ]
    assert "BEGIN:VCALENDAR" in told["ics_by_language"]["ar"]
    draft = await pages.get("/meetings/pesnet-5/draft", headers=bearer(ADMIN_TOKEN))
    assert sorted({s["day"] for s in draft.json()["sessions"]}) == ["2031-01-04", "2031-01-05"]

    audit = await pages.get("/staff/audit", params={"lang": "ar", "meeting": "pesnet-5"})
    assert audit.status_code == 200
    assert 'dir="rtl"' in audit.text
    assert "meeting.scheduled" in audit.text
    assert "Amina Benali" in audit.text
    in_english = await pages.get("/staff/audit", params={"lang": "en", "action": "meeting.resch"})
    assert "First day: 18 January 2031 → 4 January 2031" in in_english.text
    assert "acc_admin" not in audit.text
    by_name = await pages.get("/staff/audit", params={"person": "amina", "action": "programme."})
    assert "programme.released" in by_name.text
    assert "meeting.scheduled" not in by_name.text
    assert "programme.released" in audit.text
    exported = await pages.get("/staff/audit", params={"meeting": "pesnet-5", "format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[0] == "at,who,roles,action,meeting,subject"
    # the picker keeps the meeting across language links
    english = re.search(r'<a href="([^"]+)" lang="en"', audit.text)
    assert english is not None
    assert "meeting=pesnet-5" in english.group(1)
