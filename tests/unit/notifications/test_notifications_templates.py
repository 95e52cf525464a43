"""Templates: complete in ar, en and fr; every kind renders in every language;
values are text, never template code or HTML; the fallback chain."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from jinja2 import DictLoader

from pesnet.notifications.domain.model import KINDS
from pesnet.notifications.domain.notices import (
    Meeting,
    Person,
    announcement_notice,
    chairmanship_notice,
    cooperation_notice,
    programme_notice,
    progress_notice,
    registration_notice,
    reminder_notice,
    rescheduled_notice,
    session_changed_notice,
)
from pesnet.notifications.templates import missing_translations, render
from pesnet.shared.events.actionplan import CooperationParty
from pesnet.shared.events.agenda import MeetingDetailChange, MeetingRescheduled
from pesnet.shared.events.registration import AnnouncementMade
from pesnet.shared.i18n import Language, Localized
from tests.integration.notifications import notifications_factories as f

MEETING = Meeting(
    "pesnet-4",
    "Africa/Casablanca",
    title=f.MEETING.title,
    city=f.MEETING.city,
    start_date=date(2025, 10, 14),
    end_date=date(2025, 10, 15),
)


def test_every_kind_exists_in_every_language() -> None:
    assert missing_translations() == []


def test_the_check_names_a_missing_template_block_or_translation() -> None:
    complete = {
        f"{kind}.j2": "{% block subject %}{% endblock %}{% block text %}{% endblock %}"
        "{% block html %}{% endblock %}"
        for kind in [*KINDS, "_footer"]
    }
    assert missing_translations(DictLoader(complete)) == []
    del complete["reminder_due.j2"]
    complete["checked_in.j2"] = (
        "{% block subject %}{{ _('Welcome to {meeting}', meeting='m') }}{% endblock %}"
        "{% block text %}{{ _('A sentence no translator has seen') }}{% endblock %}"
    )
    assert missing_translations(DictLoader(complete)) == [
        "checked_in.j2: no html block",
        "reminder_due.j2: missing",
        "ar: not translated: 'A sentence no translator has seen'",
        "fr: not translated: 'A sentence no translator has seen'",
    ]


def test_one_template_per_kind_for_the_three_languages() -> None:
    """A layout change is made once: no template per language any more."""
    from importlib.resources import files

    templates = files("pesnet.notifications").joinpath("templates")
    names = {entry.name for entry in templates.iterdir() if entry.name.endswith(".j2")}
    assert names == {f"{kind}.j2" for kind in [*KINDS, "_footer"]} | {"_layout.html.j2"}
    assert not any(templates.joinpath(lang).is_dir() for lang in ("ar", "en", "fr"))


def notices_for(lang: str) -> list[Any]:
    person = Person(f"{lang}@example.org", "Nom", lang)  # type: ignore[arg-type]
    reg = f.participant("registered", lang)
    return [
        *(
            registration_notice(f.participant(verb, lang), MEETING, lang)  # type: ignore[arg-type]
            for verb in (
                "registered",
                "confirmed",
                "waitlisted",
                "rejected",
                "withdrawn",
                "checked_in",
            )
        ),
        programme_notice(f.programme(2), MEETING, person, None),
        programme_notice(f.programme(2, {reg.registration_id: ["s1"]}), MEETING, person, ["s1"]),
        session_changed_notice(f.session_changed([reg.registration_id]), MEETING, person),
        chairmanship_notice(f.chairmanship(), person, date(2025, 10, 15)),
        reminder_notice(f.reminder([f.contact(lang)]), person),
        progress_notice(f.progress(f.contact(lang)), person),
        cooperation_notice(f.cooperation([f.contact(lang)], []), person, "ANAPEC", "offer"),
        rescheduled_notice(RESCHEDULED, MEETING, person),
        *(
            announcement_notice(announcement(critical), MEETING, person)
            for critical in (False, True)
        ),
    ]


RESCHEDULED = MeetingRescheduled(
    meeting_id="pesnet-4",
    changes=[
        MeetingDetailChange(
            field="start_date",
            was=Localized(ar="14 أكتوبر 2025", en="14 October 2025", fr="14 octobre 2025"),
            now=Localized(ar="21 أكتوبر 2025", en="21 October 2025", fr="21 octobre 2025"),
        )
    ],
    affected_registration_ids=["reg-1"],
    ics_by_language={lang: f"BEGIN:VCALENDAR {lang.value}" for lang in Language},
)


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_a_moved_meeting_says_what_changed_from_what_with_the_new_calendar(lang: str) -> None:
    notice = rescheduled_notice(RESCHEDULED, MEETING, Person(f"{lang}@x.org", "Nom", lang))  # type: ignore[arg-type]
    assert notice.critical
    assert [a.filename for a in notice.attachments] == ["pesnet-4.ics"]
    assert lang in notice.attachments[0].content
    mail = render(notice.kind, lang, notice.context, preferences_url="u")
    change = RESCHEDULED.changes[0]
    assert change.now.get(lang) in mail.text
    assert change.was.get(lang) in mail.text


def announcement(critical: bool) -> AnnouncementMade:
    return AnnouncementMade(
        announcement_id="a1",
        meeting_id="pesnet-4",
        title=Localized(ar="تغيير القاعة", en="Room change", fr="Changement de salle"),
        body=Localized(ar="القاعة ب\n\nالطابق الأول", en="Room B\n\nFirst floor", fr="Salle B"),
        critical=critical,
        registration_ids=["r1"],
        announced_at=datetime(2025, 3, 10, 8, 15, tzinfo=UTC),
    )


def test_an_announcement_says_the_secretariat_s_message_in_the_reader_s_language() -> None:
    person = Person("ar@example.org", "فاطمة", "ar")  # type: ignore[arg-type]
    notice = announcement_notice(announcement(True), MEETING, person)
    mail = render(notice.kind, "ar", notice.context, preferences_url="https://x/p")
    assert notice.critical
    assert not announcement_notice(announcement(False), MEETING, person).critical
    assert mail.subject.startswith("تغيير القاعة")
    assert "رسالة من الأمانة" in mail.text
    assert "الطابق الأول" in mail.text
    assert "<p>القاعة ب</p>" in mail.html
    assert "Room" not in mail.text


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_every_notice_renders_in_its_language(lang: str) -> None:
    notices = notices_for(lang)
    assert {n.kind for n in notices} == set(KINDS) - {"programme_digest"}
    for notice in notices:
        mail = render(notice.kind, lang, notice.context, preferences_url="https://x/p?token=t")
        assert mail.language == lang
        assert mail.subject
        assert "https://x/p?token=t" in mail.text
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in mail.html
    digest = render(
        "programme_digest",
        lang,
        {
            "name": "Nom",
            "meeting": MEETING.context(lang),
            "items": [n.digest_item for n in notices if n.digest_item],
        },
        preferences_url="u",
    )
    assert digest.subject.startswith({"ar": "تحديثات البرنامج (3)", "en": "3 ", "fr": "3 "}[lang])


def test_dates_are_in_the_meeting_time_zone_with_local_month_names() -> None:
    # Morocco is UTC+1, except during Ramadan (UTC+0): 2025-03-10 falls in Ramadan
    notice = registration_notice(
        f.participant("checked_in", "ar", checked_in_at=datetime(2025, 3, 10, 8, 15, tzinfo=UTC)),
        MEETING,
        Language.ar,
    )
    ar = render(notice.kind, "ar", notice.context, preferences_url="u")
    assert "مارس" in ar.text
    en_notice = registration_notice(
        f.participant("checked_in", "en", checked_in_at=datetime(2025, 3, 10, 8, 15, tzinfo=UTC)),
        MEETING,
        Language.en,
    )
    en = render(en_notice.kind, "en", en_notice.context, preferences_url="u")
    assert "10 March 2025, 08:15" in en.text  # Ramadan: Casablanca on UTC


def test_values_are_text_not_code() -> None:
    payload = f.participant(
        "registered",
        "en",
        given_name="{{ config }}{% for x in range(3) %}",
        family_name='"><img src=x onerror=alert(1)>',
    )
    notice = registration_notice(payload, MEETING, Language.en)
    mail = render(notice.kind, "en", notice.context, preferences_url="u")
    assert "{{ config }}{% for x in range(3) %}" in mail.html
    assert "<img" not in mail.html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in mail.html
    assert '"><img src=x onerror=alert(1)>' in mail.text


def test_unknown_language_falls_back_to_english() -> None:
    notice = chairmanship_notice(
        f.chairmanship(), Person("x@example.org", "X", Language.en), date(2025, 10, 15)
    )
    mail = render(notice.kind, "de", notice.context, preferences_url="u")
    assert mail.language == "en"


def test_localized_value_falls_back_along_the_chain() -> None:
    title = Localized(fr="Seulement en français")
    meeting = Meeting("m", title=title)
    assert meeting.context("ar")["title"] == "Seulement en français"


@pytest.mark.parametrize(
    ("lang", "before", "after"),
    [
        ("en", "will take office", "took over"),
        ("fr", "prendra la présidence", "a pris la présidence"),
        ("ar", "ستتولى", "تولت"),
    ],
)
def test_a_handover_mailed_before_its_date_says_it_will_take_effect(
    lang: str, before: str, after: str
) -> None:
    person = Person(f"{lang}@example.org", "Nom", lang)  # type: ignore[arg-type]
    news = f.chairmanship().model_copy(update={"effective_date": date(2027, 3, 1)})

    early = chairmanship_notice(news, person, date(2026, 7, 1))
    mail = render(early.kind, lang, early.context, preferences_url="u")
    assert before in mail.text
    assert before in mail.html
    assert after not in mail.text
    on_the_day = chairmanship_notice(news, person, date(2027, 3, 1))
    mail = render(on_the_day.kind, lang, on_the_day.context, preferences_url="u")
    assert after in mail.text
    assert before not in mail.text


def test_arabic_joins_li_to_the_article() -> None:
    person = Person("ar@example.org", "نوال", Language.ar)
    news = f.chairmanship().model_copy(
        update={
            "outgoing": f.chairmanship().incoming.model_copy(
                update={"name": Localized(ar="الوكالة التركية", en="x", fr="x")}
            )
        }
    )
    notice = chairmanship_notice(news, person, date(2025, 10, 15))
    mail = render(notice.kind, "ar", notice.context, preferences_url="u")
    assert "خلفًا للوكالة التركية" in mail.text
    assert "لـال" not in mail.text
    assert "لـال" not in mail.html


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_a_session_change_names_the_session_once_and_its_time_without_seconds(lang: str) -> None:
    reg = f.participant("registered", lang)
    person = Person(f"{lang}@example.org", "Nom", lang)  # type: ignore[arg-type]
    payload = f.programme(2, {reg.registration_id: ["s1"]})
    notice = programme_notice(payload, MEETING, person, ["s1"])

    mail = render(notice.kind, lang, notice.context, preferences_url="u")

    title = notice.context["sessions"][0]["title"]
    assert mail.text.count(title) == 1
    assert mail.html.count(title) == 1
    assert ":00:00" not in mail.text
    assert ":00:00" not in mail.html


def test_english_says_the_meeting_and_french_the_first_of_the_month() -> None:
    en = registration_notice(f.participant("confirmed", "en"), MEETING, Language.en)
    assert "registration for the 4th" in render(en.kind, "en", en.context, preferences_url="u").text
    march = Meeting("pesnet-4", title=f.MEETING.title, start_date=date(2024, 3, 1))
    fr = registration_notice(f.participant("registered", "fr"), march, Language.fr)
    text = render(fr.kind, "fr", fr.context, preferences_url="u").text
    assert "1er mars 2024" in text


def test_a_cooperation_mail_names_the_institutions_in_the_readers_language() -> None:
    """The action plan sends each party's names from the reference: the mail reads them,
    never the institutions' ids ("sesric (احتياج)")."""
    sesric = Localized(
        ar="مركز الأبحاث الإحصائية والاقتصادية والاجتماعية والتدريب للدول الإسلامية (سيسرك)",
        en="Statistical, Economic and Social Research and Training Centre for Islamic "
        "Countries (SESRIC)",
        fr="Centre de recherches statistiques, économiques et sociales et de formation pour "
        "les pays islamiques (SESRIC)",
    )
    iskur = Localized(
        ar="وكالة التوظيف التركية",
        en="Turkish Employment Agency (İŞKUR)",
        fr="Agence turque pour l'emploi (İŞKUR)",
    )
    base = f.cooperation([f.contact("ar")], [])
    payload = base.model_copy(
        update={
            "parties": [
                CooperationParty(institution="iskur", side="offer", institution_name=iskur),
                CooperationParty(institution="sesric", side="need", institution_name=sesric),
            ]
        }
    )
    for lang in (Language.ar, Language.fr):
        person = Person(f"{lang}@example.org", "Nom", lang)
        notice = cooperation_notice(payload, person, "sesric", "need")
        mail = render(notice.kind, lang, notice.context, preferences_url="https://x/p?token=t")
        assert f"{sesric.get(lang)} (" in mail.text
        assert iskur.get(lang) in mail.text
        assert "sesric" not in mail.text
        assert "iskur" not in mail.text


@pytest.mark.parametrize(
    ("lang", "at", "quoted"),
    [("ar", "، ", "«T»"), ("en", ", ", "“T”"), ("fr", " à ", "« T »")],
)
def test_a_date_joins_its_time_and_a_title_is_quoted_as_each_language_does(
    lang: str, at: str, quoted: str
) -> None:
    from pesnet.notifications.templates import _Helpers

    helpers = _Helpers(lang, "Africa/Casablanca", html=False)
    moment = datetime(2025, 10, 14, 8, 15, tzinfo=UTC)
    day = helpers.fmt_date(moment.date())
    assert helpers.fmt_datetime(moment) == f"{day}{at}{helpers.fmt_time(moment)}"
    assert helpers.quoted("T") == quoted
    assert _Helpers(lang, "UTC", html=True).quoted("T") == "<strong>T</strong>"
