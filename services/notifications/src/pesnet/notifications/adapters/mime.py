"""The bytes of a mail, written directly: the same bytes as `email.message.EmailMessage`
under the `SMTP`/`SMTPUTF8` policies (`smtp.build_message`, the reference), at a sixth
of its CPU. Python's modern `email` parses every header it is given and folds it again
when it writes the message; ours are a handful of known shapes, so:

- a header whose value is short printable ASCII (what the mails carry: the
  address, the date, the Message-ID, the X-PESNET headers) is written as it is,
  which is what the policy writes for it; any other value goes through the policy
  (`policy.fold_binary`), exactly as `EmailMessage` would write it;
- the bodies choose their Content-Transfer-Encoding by the rule of
  `email.contentmanager` (7bit, 8bit, quoted-printable or base64) and are encoded by
  the same functions;
- the parts nest and are delimited as the generator does it (`multipart/mixed` with
  the attachments around `multipart/alternative`, text then HTML).

An attachment whose type or file name is not plain ASCII makes `write` return None:
the caller builds that mail with `EmailMessage` (no such attachment exists today).
`tests/unit/notifications/test_mime.py` holds both writers to the same bytes."""

from __future__ import annotations

import binascii
import random
import re
import sys
from collections.abc import Iterable
from email import quoprimime
from email.policy import SMTP, SMTPUTF8
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from email.message import EmailMessage
    from email.policy import EmailPolicy

    Policy = EmailPolicy[EmailMessage]

__all__ = ["MimeWriter", "encode_text", "folded"]

_MAX_LINE = 78
# printable ASCII words separated by single spaces: a value every header class of the
# policy writes back unchanged (no quoting, no encoded words, nothing to fold)
_PLAIN = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*\Z")
_ADDRESS = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\Z"
)
_TOKEN = re.compile(r"[A-Za-z0-9.+-]+\Z")
_FILENAME = re.compile(r"[A-Za-z0-9._-]+\Z")
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))


def folded(policy: Policy, name: str, value: str) -> bytes:
    """The header as `EmailMessage` writes it under `policy` (parsed, then folded)."""
    return policy.fold_binary(name, policy.header_store_parse(name, value)[1])


def _header(policy: Policy, name: str, value: str, plain: re.Pattern[str] = _PLAIN) -> bytes:
    line = f"{name}: {value}\r\n"
    if len(line) <= _MAX_LINE + 2 and plain.match(value) and "=?" not in value:
        return line.encode("ascii")
    return folded(policy, name, value)


def _base64(data: bytes) -> str:
    per_line = _MAX_LINE // 4 * 3
    return "".join(
        binascii.b2a_base64(data[i : i + per_line]).decode("ascii")
        for i in range(0, len(data), per_line)
    )


def encode_text(text: str) -> tuple[str, bytes]:
    """A text part's Content-Transfer-Encoding and body (LF line ends), as
    `email.contentmanager` chooses them for UTF-8 under a policy with 8-bit transfer
    and 78-character lines."""
    lines = text.encode("utf-8").splitlines()
    embedded = b"\r\n".join(lines[:10]) + b"\r\n"
    if max((len(x) for x in lines), default=0) <= _MAX_LINE:
        body = b"\n".join(lines) + b"\n"
        return ("7bit" if body.isascii() else "8bit"), body
    sniff_qp = quoprimime.body_encode(embedded.decode("latin-1"), _MAX_LINE)
    if len(sniff_qp) > len(binascii.b2a_base64(embedded)):
        return "base64", _base64(b"\r\n".join(lines) + b"\r\n").encode("ascii")
    if len(lines) <= 10:
        return "quoted-printable", sniff_qp.encode("ascii")
    latin = (b"\n".join(lines) + b"\n").decode("latin-1")
    return "quoted-printable", quoprimime.body_encode(latin, _MAX_LINE).encode("ascii")


def _crlf(body: bytes) -> bytes:
    return body.replace(b"\n", b"\r\n")


def _boundary(parts: Iterable[bytes]) -> str:
    """A boundary as the generator makes one, none of the parts' lines equal to it."""
    token = "=" * 15 + str(random.randrange(sys.maxsize)).zfill(_BOUNDARY_DIGITS) + "=="
    text = b"\r\n".join(parts)
    boundary, counter = token, 0
    while re.search(b"^--" + re.escape(boundary.encode()) + b"(--)?\r?$", text, re.MULTILINE):
        boundary, counter = f"{token}.{counter}", counter + 1
    return boundary


def _multipart(subtype: str, parts: list[bytes]) -> tuple[bytes, bytes]:
    """The Content-Type header line of a multipart and its body."""
    boundary = _boundary(parts)
    line = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n'
    if len(line) > _MAX_LINE + 2:
        line = f'Content-Type: multipart/{subtype};\r\n boundary="{boundary}"\r\n'
    delimiter = f"--{boundary}\r\n".encode("ascii")
    body = delimiter + (b"\r\n" + delimiter).join(parts) + f"\r\n--{boundary}--\r\n".encode()
    return line.encode("ascii"), body


def _text_part(subtype: str, text: str, mime_version: bool) -> bytes:
    cte, body = encode_text(text)
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}\r\n'
    if mime_version:
        head += "MIME-Version: 1.0\r\n"
    return head.encode("ascii") + b"\r\n" + _crlf(body)


def _attachment_part(attachment: dict[str, Any]) -> bytes | None:
    maintype, _, subtype = str(attachment["content_type"]).partition("/")
    subtype = subtype or "octet-stream"
    filename = attachment["filename"]
    if not (
        _TOKEN.match(maintype)
        and _TOKEN.match(subtype)
        and isinstance(filename, str)
        and _FILENAME.match(filename)
    ):
        return None
    disposition = f'Content-Disposition: attachment; filename="{filename}"'
    if len(disposition) > _MAX_LINE:
        return None
    head = (
        f"Content-Type: {maintype}/{subtype}\r\nContent-Transfer-Encoding: base64\r\n"
        f"{disposition}\r\nMIME-Version: 1.0\r\n\r\n"
    )
    return head.encode("ascii") + _crlf(_base64(str(attachment["content"]).encode()).encode())


class MimeWriter:
    """Writes the mails of one sender (`From`: its header written once per policy)."""

    def __init__(self, sender: str) -> None:
        self._from = {utf8: folded(SMTPUTF8 if utf8 else SMTP, "From", sender) for utf8 in (0, 1)}

    def write(
        self,
        *,
        to: str,
        date: str,
        message_id: str,
        headers: dict[str, str],
        text: str,
        html: str,
        attachments: list[dict[str, Any]],
        language: str,
    ) -> bytes | None:
        """The mail's bytes without its Subject (`smtp.encode_subject` writes it); None
        for a mail with an attachment this writer does not handle."""
        utf8 = not to.isascii()
        policy = SMTPUTF8 if utf8 else SMTP
        extra = [_attachment_part(a) for a in attachments]
        attached = [part for part in extra if part is not None]
        if len(attached) < len(extra):
            return None
        head = [
            self._from[utf8],
            _header(policy, "To", to, _ADDRESS),
            _header(policy, "Date", date),
            _header(policy, "Message-ID", message_id),
            b"Auto-Submitted: auto-generated\r\n",
            *(_header(policy, name, value) for name, value in headers.items()),
            b"MIME-Version: 1.0\r\n",
        ]
        content_type, body = _multipart(
            "alternative", [_text_part("plain", text, False), _text_part("html", html, True)]
        )
        if attached:
            content_type, body = _multipart("mixed", [content_type + b"\r\n" + body, *attached])
        head += [content_type, _header(policy, "Content-Language", language)]
        return b"".join(head) + b"\r\n" + body
