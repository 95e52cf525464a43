"""The mail writer (`adapters/mime.py`) writes the bytes Python's `EmailMessage` writes
for the same mail (`smtp.build_message`): every kind of notice in every language, with
its calendar, to an internationalized address, with long or unusual headers. Only the
random MIME boundaries differ; they are numbered in order before comparing."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

import pytest

from pesnet.notifications.adapters.mime import MimeWriter
from pesnet.notifications.adapters.smtp import build_message, encode_subject, message_bytes
from pesnet.notifications.domain.deliveries import OutgoingMail
from pesnet.notifications.templates import render
from tests.unit.notifications.test_notifications_templates import notices_for

SENDER = "OIC-PESNET <no-reply@pesnet.sesric.org>"
DATE = email.utils.format_datetime(datetime(2026, 3, 1, 9, 5, 7, tzinfo=UTC))
MESSAGE_ID = "<177.1.42@pesnet.sesric.org>"
HEADERS = {"X-PESNET-Event-Id": "e1", "X-PESNET-Delivery-Id": "d1", "X-PESNET-Template": "k"}


def numbered(raw: bytes) -> bytes:
    found: dict[bytes, bytes] = {}

    def number(match: re.Match[bytes]) -> bytes:
        return found.setdefault(match.group(0), b"BOUNDARY-%d" % len(found))

    return re.sub(rb"={15}\d{19}==(?:\.\d+)?", number, raw)


def outgoing(**changes: Any) -> OutgoingMail:
    mail = {
        "to": "amina@example.org",
        "subject": "s",
        "text": "Dear Amina,\n\nWelcome.\n",
        "html": "<p>Dear Amina,</p>",
        "language": "en",
        "attachments": [],
        "headers": HEADERS,
        **changes,
    }
    return OutgoingMail(**mail)


def both(mail: OutgoingMail, sender: str = SENDER) -> tuple[bytes, bytes]:
    reference = build_message(mail, sender, date=DATE, message_id=MESSAGE_ID).as_bytes()
    written = MimeWriter(sender).write(
        to=mail.to,
        date=DATE,
        message_id=MESSAGE_ID,
        headers=mail.headers,
        text=mail.text,
        html=mail.html,
        attachments=mail.attachments,
        language=mail.language,
    )
    assert written is not None
    return numbered(written), numbered(reference)


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_every_notice_is_written_as_email_message_writes_it(lang: str) -> None:
    for notice in notices_for(lang):
        rendered = render(notice.kind, lang, notice.context, preferences_url="https://x/p?t=1")
        attachments = [
            {"filename": a.filename, "content_type": a.content_type, "content": a.content}
            for a in notice.attachments
        ]
        for to in (f"{lang}@example.org", "فاطمة@example.org"):
            mail = outgoing(
                to=to,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                language=lang,
                attachments=attachments,
            )
            written, reference = both(mail)
            assert written == reference, (notice.kind, to)


@pytest.mark.parametrize(
    "text",
    [
        "",  # no text at all
        "short ascii\n",
        "é court\n",  # 8bit
        "a long ascii line " * 10 + "\n",  # quoted-printable, a few lines
        ("a long ascii line " * 10 + "\n") * 12,  # quoted-printable past the sniffed lines
        "سطر عربي طويل جدا " * 12 + "\n",  # base64
        "line\r\nwith\rodd\x0bbreaks\x85and = signs \n",
    ],
)
def test_each_transfer_encoding_is_chosen_and_written_as_email_message_does(text: str) -> None:
    written, reference = both(outgoing(text=text, html=text))
    assert written == reference


def test_headers_that_need_folding_or_encoding_are_written_as_the_policy_writes_them() -> None:
    digest = {
        "X-PESNET-Event-Id": " ".join(f"{n:032x}" for n in range(5)),  # folded
        "X-PESNET-Delivery-Id": "dé",  # encoded
        "X-PESNET-Template": "a  b",  # two spaces
    }
    written, reference = both(outgoing(headers=digest, to="Amina.O+x@Example.ORG"))
    assert written == reference
    written, reference = both(outgoing(), sender="Secrétariat PESNET <no-reply@pesnet.org>")
    assert written == reference
    written, reference = both(outgoing(), sender="S.E.S.R.I.C <no-reply@pesnet.org>")
    assert written == reference


def test_an_unusual_attachment_is_left_to_email_message() -> None:
    attachment = {"filename": "réunion.ics", "content_type": "text/calendar", "content": "X"}
    assert (
        MimeWriter(SENDER).write(
            to="a@example.org",
            date=DATE,
            message_id=MESSAGE_ID,
            headers={},
            text="t",
            html="h",
            attachments=[attachment],
            language="fr",
        )
        is None
    )
    raw, message_id = message_bytes(outgoing(attachments=[attachment]), SENDER, MimeWriter(SENDER))
    msg = message_from_bytes(raw, policy=policy.default)
    [part] = list(msg.iter_attachments())
    assert part.get_filename() == "réunion.ics"
    assert msg["Message-ID"] == message_id


def test_what_is_sent_reads_back_as_the_mail() -> None:
    mail = outgoing(
        to="فاطمة@example.org",
        subject="تأكيد التسجيل في الاجتماع الرابع لشبكة مؤسسات التوظيف العامة",
        text="عزيزتي فاطمة،\n" * 3,
        html="<p>عزيزتي فاطمة</p>",
        language="ar",
        attachments=[{"filename": "m.ics", "content_type": "text/calendar", "content": "BEGIN"}],
    )
    raw, message_id = message_bytes(mail, SENDER, MimeWriter(SENDER))
    assert raw.startswith(encode_subject(mail.subject))
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == mail.subject
    assert msg["To"] == mail.to
    assert msg["Message-ID"] == message_id
    assert msg["Content-Language"] == "ar"
    # (a parsed 8-bit part keeps the CRLF line ends of the wire)
    plain, marked = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None
    assert marked is not None
    text, html = plain.get_content(), marked.get_content()
    assert text.replace("\r\n", "\n") == mail.text
    assert html.replace("\r\n", "\n") == mail.html + "\n"
    [part] = list(msg.iter_attachments())
    assert part.get_content() == "BEGIN"
