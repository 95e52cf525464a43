"""In a hybrid meeting the join link goes only to the participants who take part
online: an on-site participant's confirmation and the calendar file of their programme
mail carry none, an online participant's carry it (mail text, html and the .ics's
`URL` and `CONFERENCE`)."""

from __future__ import annotations

import mailbox
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest

from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.notifications.bootstrap import build_app
from pesnet.shared.events.agenda import MeetingJoinLinkSet
from pesnet.shared.mongo import Client
from tests.integration.notifications.notifications_factories import (
    MEETING,
    participant,
    programme,
)
from tests.integration.notifications.notifications_support import (
    Bus,
    by_template,
    mail_when_settled,
)
from tests.support import eventually

pytestmark = pytest.mark.integration

LINK = "https://meet.example.org/j/pesnet-4-hybrid?pwd=0123456789abcdef"
VEVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pesnet//agenda//EN\r\n"
    "BEGIN:VEVENT\r\nUID:s1@pesnet-4.pesnet\r\nSUMMARY:Session 1\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def calendar_of(sink: SmtpSink, mail: dict[str, Any]) -> str:
    """The .ics a mail of the sink carries, as a calendar application reads it
    (folded lines joined)."""
    raw = mailbox.Maildir(str(sink.directory), factory=None, create=False).get_bytes(mail["id"])
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    content = part.get_content()
    text = content.decode() if isinstance(content, bytes) else content
    return text.replace("\r\n ", "")


def says_the_link(mail: dict[str, Any]) -> bool:
    return LINK in (mail["text"] or "") or LINK in (mail["html"] or "").replace("&amp;", "&")


async def test_in_a_hybrid_meeting_only_online_participants_get_the_join_link(
    notifications_settings: Any,
    start_service: Any,
    bus: Bus,
    smtp_sink: SmtpSink,
    mongo_client: Client,
) -> None:
    settings = notifications_settings(NOTIFICATIONS_DIGEST_WINDOW_SECONDS=0.3)
    db = mongo_client[settings.database]
    async with start_service(build_app(settings)) as svc:
        await bus.send(MEETING.model_copy(update={"attendance_mode": "hybrid"}))
        await bus.send(
            MeetingJoinLinkSet(meeting_id="pesnet-4", attendance_mode="hybrid", join_url=LINK)
        )

        async def linked() -> bool:
            found = await db["meetings"].find_one({"_id": "pesnet-4", "join_url": LINK})
            return found is not None

        await eventually(linked)
        online = participant("confirmed", "fr", attendance="online")
        on_site = participant("confirmed", "ar", attendance="on_site")
        await bus.send(online)
        await bus.send(on_site)
        consumer = svc.app.state.runtime.consumer.name
        await mail_when_settled(smtp_sink, bus, db, consumer)
        await bus.send(programme(2, ics=VEVENT))
        mails = await mail_when_settled(smtp_sink, bus, db, consumer)

    confirmations = by_template(mails, "registration_confirmed")
    assert confirmations["fr"]["to"] == online.email
    assert confirmations["ar"]["to"] == on_site.email
    assert says_the_link(confirmations["fr"])
    assert not says_the_link(confirmations["ar"])
    assert "meet.example.org" not in confirmations["ar"]["text"]

    releases = by_template(mails, "programme_released")
    online_calendar = calendar_of(smtp_sink, releases["fr"])
    assert f"URL:{LINK}" in online_calendar.split("\r\n")
    assert f"CONFERENCE;VALUE=URI;FEATURE=VIDEO:{LINK}" in online_calendar.split("\r\n")
    assert says_the_link(releases["fr"])
    on_site_calendar = calendar_of(smtp_sink, releases["ar"])
    assert "URL:" not in on_site_calendar
    assert "CONFERENCE" not in on_site_calendar
    assert not says_the_link(releases["ar"])
