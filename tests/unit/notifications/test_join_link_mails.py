"""An online or hybrid meeting's join link reaches its confirmed participants in every
mail about the meeting (programme releases, session changes, a move, announcements) and
in the calendar file attached to them, never anyone else: not a person still waiting for
a decision, and nobody at all for a meeting in person."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pesnet.notifications.service_layer import notices, recipients
from pesnet.shared.events.agenda import MeetingJoinLinkSet, MeetingRescheduled
from pesnet.shared.events.registration import AnnouncementMade
from pesnet.shared.i18n import Language, Localized
from tests.integration.notifications import notifications_factories as f
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork
from tests.unit.notifications.test_notifications_use_cases import MAILING, handle

LINK = "https://meet.example.org/j/pesnet-4-online?pwd=0123456789abcdef0123456789abcdef"
VEVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pesnet//agenda//EN\r\n"
    "BEGIN:VEVENT\r\nUID:s1@pesnet-4.pesnet\r\nSUMMARY:Session 1\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


async def _meeting(uow: FakeNotificationsUnitOfWork, mode: str) -> None:
    await recipients.meeting_scheduled(f.MEETING.model_copy(update={"attendance_mode": mode}), uow)
    link = None if mode == "in_person" else LINK
    set_link = MeetingJoinLinkSet(meeting_id="pesnet-4", attendance_mode=mode, join_url=link)
    await recipients.join_link_set(set_link, uow)


def unfolded(ics: str) -> str:
    """The calendar's content lines as a reader sees them (RFC 5545 folding undone)."""
    return ics.replace("\r\n ", "")


def _says_the_link(delivery: Any) -> bool:
    return LINK in (delivery.text or "") and LINK in (delivery.html or "").replace("&amp;", "&")


async def test_a_release_gives_confirmed_participants_the_link_in_the_mail_and_calendar() -> None:
    uow = FakeNotificationsUnitOfWork()
    await _meeting(uow, "hybrid")
    attendee = f.participant("confirmed", "fr")
    waiting = f.participant("registered", "ar")  # a speaker not confirmed yet
    for payload in (attendee, waiting):
        await handle(uow, payload)
    release = f.programme(2, {waiting.registration_id: ["s1"]}, ics=VEVENT)
    made = await notices.programme_released(release, uow.handling(release), MAILING)
    mails = {d.recipient: d for d in made}

    confirmed = mails[attendee.email]
    assert _says_the_link(confirmed)
    [calendar] = confirmed.attachments
    lines = unfolded(calendar["content"]).split("\r\n")
    assert f"URL:{LINK}" in lines
    assert f"CONFERENCE;VALUE=URI;FEATURE=VIDEO:{LINK}" in lines
    assert all(len(line.encode()) <= 75 for line in calendar["content"].split("\r\n"))

    pending = mails[waiting.email]
    assert LINK not in (pending.text or "")
    assert LINK not in pending.attachments[0]["content"].replace("\r\n ", "")


async def test_a_move_a_session_change_and_an_announcement_carry_the_link() -> None:
    uow = FakeNotificationsUnitOfWork()
    await _meeting(uow, "online")
    attendee = f.participant("confirmed", "ar")
    await handle(uow, attendee)
    moved = MeetingRescheduled(
        meeting_id="pesnet-4",
        changes=[],
        affected_registration_ids=[attendee.registration_id],
        ics_by_language={lang: VEVENT for lang in Language},
    )
    [move] = await notices.meeting_rescheduled(moved, uow.handling(moved), MAILING)
    assert _says_the_link(move)
    assert f"URL:{LINK}" in unfolded(move.attachments[0]["content"])

    change = f.session_changed([attendee.registration_id])
    [changed] = await notices.session_changed(change, uow.handling(change), MAILING)
    assert _says_the_link(changed)

    said = AnnouncementMade(
        announcement_id="a1",
        meeting_id="pesnet-4",
        title=Localized(ar="تذكير", en="Reminder", fr="Rappel"),
        body=Localized(ar="نبدأ غدا", en="We start tomorrow", fr="Nous commençons demain"),
        critical=False,
        registration_ids=[attendee.registration_id],
        announced_at=datetime(2025, 10, 13, 8, 0, tzinfo=UTC),
    )
    [announced] = await notices.announcement_made(said, uow.handling(said), MAILING)
    assert _says_the_link(announced)


async def test_a_meeting_in_person_has_no_link_anywhere() -> None:
    uow = FakeNotificationsUnitOfWork()
    await _meeting(uow, "in_person")
    attendee = f.participant("confirmed", "en")
    await handle(uow, attendee)
    release = f.programme(2, ics=VEVENT)
    [mail] = await notices.programme_released(release, uow.handling(release), MAILING)
    assert "URL:" not in mail.attachments[0]["content"]
    assert "meet.example.org" not in (mail.text or "")


async def test_a_hybrid_meetings_on_site_participant_gets_no_link() -> None:
    uow = FakeNotificationsUnitOfWork()
    await _meeting(uow, "hybrid")
    on_site = f.participant("confirmed", "en", attendance="on_site")
    online = f.participant("confirmed", "fr", attendance="online")
    for payload in (on_site, online):
        await handle(uow, payload)
    release = f.programme(2, ics=VEVENT)
    made = await notices.programme_released(release, uow.handling(release), MAILING)
    mails = {d.recipient: d for d in made}
    assert _says_the_link(mails[online.email])
    assert "URL:" not in mails[on_site.email].attachments[0]["content"]
    assert "meet.example.org" not in (mails[on_site.email].text or "")
