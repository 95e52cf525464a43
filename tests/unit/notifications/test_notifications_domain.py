"""The notifications domain without I/O: addresses, delivery ids, backoff, language
and opt-out rules, signed links, and what a template needs from an event."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qs, urlsplit

import pytest

from pesnet.notifications.adapters.smtp import OutgoingMail, build_message, encode_subject
from pesnet.notifications.domain.model import (
    BADGE_LINK,
    MANAGE_LINK,
    PREFERENCES_LINK,
    Links,
    MissingData,
    delivery_id,
    effective_language,
    retry_delay,
    suppressed,
    valid_address,
)
from pesnet.notifications.domain.notices import (
    Meeting,
    Person,
    programme_notice,
    progress_notice,
    registration_notice,
)
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.manage_links import ManageLinks
from tests.integration.notifications import notifications_factories as f

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("nadia@anapec.org", True),
        ("first.last+tag@ministry.gov.tr", True),
        ("no-at-sign", False),
        ("two@@example.org", False),
        ("spaces in@example.org", False),
        ("nodot@localhost", False),
        ("a..b@example.org", False),
        ("", False),
    ],
)
def test_valid_address(address: str, ok: bool) -> None:
    assert valid_address(address) is ok


def test_delivery_id_is_one_per_event_recipient_and_channel() -> None:
    assert delivery_id("e1", "A@Example.org") == delivery_id("e1", "a@example.org ")
    assert delivery_id("e1", "a@example.org") != delivery_id("e2", "a@example.org")
    assert delivery_id("e1", "a@example.org", "email") != delivery_id("e1", "a@example.org", "sms")


def test_backoff_doubles_and_is_capped() -> None:
    assert [retry_delay(n, 2.0, 10.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 10.0]


def test_preferred_language_wins_over_the_event() -> None:
    assert effective_language("ar", None) == "ar"
    assert effective_language("ar", "fr") == "fr"
    assert effective_language("xx", None) == "en"


def test_opt_out_never_suppresses_critical_notices() -> None:
    assert suppressed("chairmanship_transferred", opted_out=True)
    assert suppressed("reminder_due", opted_out=True)
    assert not suppressed("registration_confirmed", opted_out=True)
    assert not suppressed("session_changed", opted_out=True)
    assert not suppressed("chairmanship_transferred", opted_out=False)


def test_signed_link_round_trip_and_forgery() -> None:
    links = Links((KEY,), "https://notify.example.org")
    token = parse_qs(urlsplit(links.preferences_url("Nadia@ANAPEC.org")).query)["token"][0]
    assert links.owner(token) == "nadia@anapec.org"
    assert Links((b"another key",), "").owner(token) is None
    purpose, _, mac = token.split(".")
    other = Links((KEY,), "").preferences_url("someone@else.org").split("token=")[1].split(".")[1]
    assert links.owner(f"{purpose}.{other}.{mac}") is None
    assert links.owner("garbage") is None
    assert links.owner("!!!.abc") is None


def test_missing_template_data_names_the_field() -> None:
    person = Person("x@example.org", "X", Language.en)
    meeting = Meeting("pesnet-4")
    with pytest.raises(MissingData, match=r"data\.ics"):
        programme_notice(f.programme(2, ics=None), meeting, person, None)
    with pytest.raises(MissingData, match=r"data\.comment"):
        progress_notice(f.progress(f.contact("en"), comment=None), person)
    with pytest.raises(MissingData, match=r"data\.given_name"):
        registration_notice(
            f.participant("registered", "en", given_name=" ", family_name=""),
            meeting,
            Language.en,
        )
    empty_title = f.programme(2).model_copy(
        update={"changes": [f.programme(2).changes[0].model_copy(update={"title": Localized()})]}
    )
    with pytest.raises(MissingData, match=r"data\.changes\.0\.title"):
        programme_notice(empty_title, meeting, person, None)


def test_message_has_both_parts_language_and_attachment() -> None:
    mail = OutgoingMail(
        to="x@example.org",
        subject="تم تأكيد التسجيل: الاجتماع الرابع لشبكة مؤسسات التوظيف العامة في مراكش",
        text="نص",
        html='<html lang="ar" dir="rtl"></html>',
        language="ar",
        attachments=[{"filename": "p.ics", "content_type": "text/calendar", "content": "BEGIN"}],
        headers={"X-PESNET-Event-Id": "e1"},
    )
    raw = encode_subject(mail.subject) + build_message(mail, "a@b.org").as_bytes()
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert str(parsed["Subject"]) == mail.subject  # no space lost in folding
    assert str(parsed["Content-Language"]) == "ar"
    assert parsed.get_body(("plain",)).get_content().strip() == "نص"  # type: ignore[union-attr]
    assert "rtl" in parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "p.ics"
    assert attachment.get_content_type() == "text/calendar"


def test_release_attaches_the_calendar_in_the_recipients_language() -> None:
    payload = f.programme(2, ics_by_language={"fr": "BEGIN:VCALENDAR FR"})
    fr = programme_notice(payload, Meeting("pesnet-4"), Person("x@e.org", "X", Language.fr), None)
    en = programme_notice(payload, Meeting("pesnet-4"), Person("y@e.org", "Y", Language.en), None)
    assert fr.attachments[0].content == "BEGIN:VCALENDAR FR"
    assert en.attachments[0].content == f.ICS


def test_only_a_web_link_is_offered_to_manage_a_registration() -> None:
    def link(page: str, verb: str = "registered", version: int | None = 1) -> object:
        notice = registration_notice(
            f.participant(verb, "en", manage_page=page, manage_link_version=version),
            Meeting("pesnet-4"),
            Language.en,
        )
        return notice.context["manage_url"]

    assert link("https://reg.example.org/registrations/abc") == MANAGE_LINK
    assert link("https://reg.example.org/registrations/abc", "confirmed") == MANAGE_LINK
    assert link("https://reg.example.org/registrations/abc", "waitlisted") == MANAGE_LINK
    # nothing left to manage, or no link to sign (purged)
    assert link("https://reg.example.org/registrations/abc", "withdrawn") is None
    assert link("https://reg.example.org/registrations/abc", version=None) is None
    assert link("javascript:alert(1)") is None


def test_a_stored_mail_gets_its_links_signed_in_when_it_is_sent() -> None:
    links = Links((b"k" * 32,), "https://notify.example.org", manage_keys=(b"m" * 32,))
    manage = {"page": "https://reg.example.org/registrations/r1", "registration_id": "r1",
              "version": 3}  # fmt: skip
    stored = f"<a href='{MANAGE_LINK}'>x</a> <a href='{BADGE_LINK}'>b</a> {PREFERENCES_LINK}"
    html = links.fill(stored, "a@example.org", "fr", manage, as_html=True)
    text = links.fill(stored, "a@example.org", "fr", manage, as_html=False)
    token = ManageLinks((b"m" * 32,)).token("r1", 3)
    assert f"https://reg.example.org/registrations/r1?token={token}&lang=fr" in text
    assert f"https://reg.example.org/registrations/r1?token={token}&amp;lang=fr" in html
    assert f"https://reg.example.org/registrations/r1/badge.png?token={token}" in text
    assert links.preferences_url("a@example.org") in text
    assert "PESNET-LINK" not in text + html
    # without a registration: no manage link to sign in
    assert MANAGE_LINK in links.fill(MANAGE_LINK, "a@example.org", "fr", None, as_html=False)
