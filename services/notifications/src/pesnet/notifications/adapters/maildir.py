"""Reading the dev SMTP sink's Maildir for `GET /dev/mailbox`."""

from __future__ import annotations

import mailbox
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any


def _part(msg: EmailMessage, subtype: str) -> str | None:
    body = msg.get_body(preferencelist=(subtype,))
    if body is None:
        return None
    content = body.get_content()
    return content if isinstance(content, str) else None


def _header(msg: EmailMessage, name: str) -> str | None:
    value = msg.get(name)
    return None if value is None else str(value)


_KEY = re.compile(r"^(\d+)\.M(\d+)P\d+Q(\d+)")


def _arrival(key: str) -> tuple[int, int, int, str]:
    """Python's Maildir names a mail `<seconds>.M<microseconds>P<pid>Q<n>.<host>`:
    the order the sink stored them (the Date header only has seconds)."""
    match = _KEY.match(key)
    if match is None:
        return (0, 0, 0, key)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3)), key)


def read_mailbox(directory: Path) -> list[dict[str, Any]]:
    """Every mail in the Maildir, oldest first."""
    if not directory.exists():
        return []
    box = mailbox.Maildir(str(directory), factory=None, create=False)
    parser = BytesParser(policy=policy.default)
    mails: list[dict[str, Any]] = []
    for key in box.iterkeys():
        try:
            raw = box.get_bytes(key)
        except KeyError:  # removed while we listed
            continue
        msg = parser.parsebytes(raw)
        assert isinstance(msg, EmailMessage)
        date = msg.get("Date")
        attachments = [
            {"filename": part.get_filename(), "content_type": part.get_content_type()}
            for part in msg.iter_attachments()
        ]
        mails.append(
            {
                "id": key,
                "subject": str(msg.get("Subject", "")),
                "from": str(msg.get("From", "")),
                "to": str(msg.get("To", "")),
                "date": parsedate_to_datetime(date).isoformat() if date else None,
                "language": _header(msg, "Content-Language"),
                "message_id": _header(msg, "Message-ID"),
                "event_id": _header(msg, "X-PESNET-Event-Id"),
                "delivery_ids": [d for d in str(msg.get("X-PESNET-Delivery-Id", "")).split() if d],
                "template": _header(msg, "X-PESNET-Template"),
                "html": _part(msg, "html"),
                "text": _part(msg, "plain"),
                "attachments": attachments,
            }
        )
    mails.sort(key=lambda m: _arrival(m["id"]))
    return mails
