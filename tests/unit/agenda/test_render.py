"""Rendering a programme version: HTML in ar/en/fr, JSON, iCalendar."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
from icalendar import Calendar

from pesnet.agenda.adapters.labels import KIND_LABELS, LABELS
from pesnet.agenda.adapters.render import programme_html, programme_ics, programme_json
from pesnet.agenda.domain.programme import Draft
from pesnet.agenda.domain.release import ProgrammeView, Release, release
from pesnet.agenda.service_layer.seed import seed_meeting, seed_sessions
from pesnet.shared.i18n import Localized

RELEASED = datetime(2024, 2, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def first() -> Release:
    meeting = seed_meeting()
    draft = Draft(meeting_id=meeting.id)
    for session in seed_sessions():
        draft = draft.add(meeting, session)
    return release(meeting, None, draft.sessions, set(meeting.people), RELEASED)


def test_every_fixed_label_exists_in_the_three_languages() -> None:
    for key, value in {**LABELS, **KIND_LABELS}.items():
        assert value.complete, key


def test_the_arabic_programme_is_right_to_left_with_arabic_dates(first: Release) -> None:
    html = programme_html(ProgrammeView.of_release(first), "ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert "الخميس، 29 فبراير 2024" in html  # Thursday 29 February
    assert "الجمعة، 1 مارس 2024" in html  # Friday 1 March
    assert "برنامج الاجتماع" in html
    assert "المتحدثون" in html
    text = re.sub(r"<[^>]+>", " ", html)
    assert text.index("09:00") < text.index("التسجيل") < text.index("زيارة ثقافية")
    assert text.index("17:30") < text.index("زيارة ثقافية")
    assert 'datetime="2024-02-29T09:00:00+01:00"' in html
    assert "UTC+01:00" in html
    assert "وكالة التوظيف التركية" in html  # institutions by their Arabic name


@pytest.mark.parametrize(
    ("lang", "day", "first_title"),
    [
        ("en", "Thursday, 29 February 2024", "Registration"),
        ("fr", "jeudi 29 février 2024", "Inscription"),
    ],
)
def test_latin_script_programmes_are_left_to_right(
    first: Release, lang: str, day: str, first_title: str
) -> None:
    html = programme_html(ProgrammeView.of_release(first), lang)
    assert f'<html lang="{lang}" dir="ltr">' in html
    assert day in html
    assert first_title in html


@pytest.mark.parametrize(
    ("lang", "languages"),
    [("ar", "العربية، الإنجليزية، الفرنسية"), ("en", "Arabic, English, French"),
     ("fr", "arabe, anglais, français")],
)  # fmt: skip
def test_interpretation_languages_are_named_in_the_page_language(
    first: Release, lang: str, languages: str
) -> None:
    text = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", programme_html(ProgrammeView.of_release(first), lang))
    )
    assert languages in text


def test_html_escapes_what_the_secretariat_typed(first: Release) -> None:
    meeting = first.meeting
    session = first.sessions[0].model_copy(
        update={"title": Localized(ar="<b>x</b>", en="<script>alert(1)</script>", fr="a & b")}
    )
    html = programme_html(ProgrammeView(meeting=meeting, sessions=[session]), "en")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_json_gives_local_times_with_the_offset_of_the_day(first: Release) -> None:
    doc = programme_json(ProgrammeView.of_release(first), "fr")
    assert doc["version"] == 1
    session_2 = next(s for s in doc["sessions"] if s["id"] == "session-2")
    assert session_2["starts_at"] == "2024-02-29T15:45:00+01:00"
    assert session_2["utc_offset"] == "+01:00"
    assert session_2["text"]["title"].startswith("Session 2 :")
    dinner = next(s for s in doc["sessions"] if s["id"] == "dinner")
    assert dinner["end"] is None
    assert dinner["ends_at"] is None


def test_the_calendar_has_every_session_in_the_meetings_zone(first: Release) -> None:
    text = programme_ics(ProgrammeView.of_release(first), "en")
    calendar = Calendar.from_ical(text)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 16
    assert "DTSTART;TZID=Africa/Casablanca:20240229T090000" in text
    assert any(c.name == "VTIMEZONE" for c in calendar.walk())
    dinner = next(e for e in events if str(e["UID"]).startswith("dinner@"))
    assert "DTEND" not in dinner
    registration = events[0]
    assert registration.decoded("DTSTART").astimezone(UTC).time() == time(8, 0)


def test_a_persons_calendar_has_their_sessions_and_the_plenaries(first: Release) -> None:
    view = ProgrammeView.of_release(first).for_person("dur")
    calendar = Calendar.from_ical(programme_ics(view, "fr"))
    uids = {str(e["UID"]).split("@")[0] for e in calendar.walk("VEVENT")}
    assert {"opening", "session-1", "closing", "exchange-of-views"} <= uids
    assert not uids & {"overview", "session-2", "family-photo", "lunch-day-1"}


def test_the_language_check_finds_every_label_of_the_programme_template() -> None:
    from pesnet.agenda.translations import missing_translations

    assert missing_translations() == []
