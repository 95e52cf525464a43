"""The released programme in the caller's language (`?lang=` wins, then
`Accept-Language`) in every format, and the personal calendar of a delegate without
a role in the programme: the plenaries."""

from __future__ import annotations

import httpx
import pytest
from icalendar import Calendar

from tests.integration.agenda.conftest import (
    MEETING,
    SECRETARIAT,
    RegistrationEvents,
    wait_confirmed,
)
from tests.integration.agenda.test_programme_releases import confirm_everyone, seed

pytestmark = pytest.mark.integration

ARABIC = {"Accept-Language": "ar"}


async def test_accept_language_and_a_delegates_calendar(
    agenda: httpx.AsyncClient, registration_events: RegistrationEvents
) -> None:
    await seed(agenda)
    await confirm_everyone(agenda, registration_events)
    released = await agenda.post(f"/meetings/{MEETING}/programme/releases", headers=SECRETARIAT)
    assert released.status_code == 201, released.text
    programme = f"/meetings/{MEETING}/programme"

    as_json = await agenda.get(programme, headers=ARABIC)
    assert as_json.json()["language"] == "ar"
    assert as_json.json()["direction"] == "rtl"
    assert as_json.headers["content-language"] == "ar"
    page = await agenda.get(programme, params={"format": "html"}, headers=ARABIC)
    assert '<html lang="ar" dir="rtl">' in page.text
    ics = await agenda.get(programme, params={"format": "ics"}, headers=ARABIC)
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(ics.text).walk("VEVENT")]
    assert "التسجيل" in summaries[0]
    # ?lang= wins over the header
    french = await agenda.get(programme, params={"lang": "fr"}, headers=ARABIC)
    assert french.json()["language"] == "fr"
    # a confirmed delegate without a role: every plenary, no one else's panel
    delegate = await registration_events.confirm("nadia", role="delegate", language="ar")
    await wait_confirmed(agenda, {"nadia@example.org"})
    mine = await agenda.get(
        programme, params={"format": "ics", "registration_id": delegate}, headers=ARABIC
    )
    assert mine.status_code == 200, mine.text
    uids = {str(e["UID"]).split("@")[0] for e in Calendar.from_ical(mine.text).walk("VEVENT")}
    assert {"registration", "opening", "closing", "action-plan"} <= uids
    assert not uids & {"session-1", "session-2", "tea-break-day-1"}
    unknown = await agenda.get(programme, params={"registration_id": "reg-nobody"}, headers=ARABIC)
    assert unknown.status_code == 404
    assert unknown.headers["content-language"] == "ar"
