"""Building the MIME message and handing it to SMTP (aiosmtplib).

An internationalized address (`فاطمة@example.org`) is sent with SMTPUTF8 (RFC 6531):
its message headers are UTF-8. Failures are sorted into transient (connection
problems, timeouts, 4xx replies: retried with backoff) and permanent (5xx replies:
recorded, not retried).

The bytes of a mail are written by `mime.MimeWriter`, the same bytes as
`build_message` (Python's `EmailMessage`, which writes the rare mail the writer does
not handle) at a fraction of its cost. The sender keeps its SMTP connections open
between mails (`SMTP_REUSE_SECONDS`): a mail goes out on a connection that sent one
before (MAIL, RCPT, DATA: no new connection, greeting, EHLO, TLS handshake or login).
A connection is used by one send at a time, is not used again once it has been idle
that long or the relay closed it, and is closed after any failure; the next send
opens a new one."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import time
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8

import aiosmtplib

from pesnet.notifications.adapters.mime import MimeWriter
from pesnet.notifications.domain.deliveries import OutgoingMail, SendFailed
from pesnet.notifications.settings import Settings
from pesnet.shared.emails import needs_smtputf8

__all__ = [
    "OutgoingMail",
    "SendFailed",
    "SmtpSender",
    "build_message",
    "encode_subject",
    "message_bytes",
]

MESSAGE_ID_DOMAIN = "pesnet.sesric.org"


def build_message(
    mail: OutgoingMail, sender: str, *, date: str | None = None, message_id: str | None = None
) -> EmailMessage:
    """The mail as Python's `EmailMessage` (the reference `MimeWriter` is held to)."""
    # an internationalized address goes in the To header as it is (RFC 6532)
    msg = EmailMessage(policy=SMTPUTF8 if needs_smtputf8(mail.to) else SMTP)
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Date"] = date or email.utils.formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id or email.utils.make_msgid(domain=MESSAGE_ID_DOMAIN)
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers.items():
        msg[name] = value
    msg.set_content(mail.text, subtype="plain", charset="utf-8")
    msg.add_alternative(mail.html, subtype="html", charset="utf-8")
    for attachment in mail.attachments:
        maintype, _, subtype = str(attachment["content_type"]).partition("/")
        msg.add_attachment(
            str(attachment["content"]).encode(),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment["filename"],
        )
    # last: set_content drops Content-* headers set before it, and the first
    # attachment moves them into the multipart/alternative part
    msg["Content-Language"] = mail.language
    return msg


@functools.lru_cache(maxsize=256)
def encode_subject(subject: str) -> bytes:
    """The Subject header line (remembered: a meeting's mails of one kind and language
    share their subject). Python's modern header folder puts the space between
    two words outside the encoded words it splits an Arabic subject into, and RFC 2047
    readers drop such spaces ("لشبكة مؤسسات" arrives as "لشبكةمؤسسات"); the legacy
    `Header` encoder keeps spaces inside the encoded words."""
    encoded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    return f"Subject: {encoded}\r\n".encode("ascii")


def message_bytes(mail: OutgoingMail, sender: str, writer: MimeWriter) -> tuple[bytes, str]:
    """The bytes handed to SMTP (Subject first) and the mail's Message-ID."""
    message_id = email.utils.make_msgid(domain=MESSAGE_ID_DOMAIN)
    date = email.utils.format_datetime(datetime.now(UTC))
    raw = writer.write(
        to=mail.to,
        date=date,
        message_id=message_id,
        headers=mail.headers,
        text=mail.text,
        html=mail.html,
        attachments=mail.attachments,
        language=mail.language,
    )
    if raw is None:
        raw = build_message(mail, sender, date=date, message_id=message_id).as_bytes()
    return encode_subject(mail.subject) + raw, message_id


class SmtpSender:
    """The `MailSender` of the delivery worker; `close` ends its connections."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.writer = MimeWriter(settings.smtp_from)
        self.envelope_from = email.utils.parseaddr(settings.smtp_from)[1]
        # connections no send is using, each with when it was last used, newest last
        self._idle: list[tuple[float, aiosmtplib.SMTP]] = []

    async def send(self, mail: OutgoingMail) -> str:
        """Send one mail; returns its Message-ID. Raises `SendFailed`."""
        s = self.settings
        raw, message_id = message_bytes(mail, s.smtp_from, self.writer)
        # never longer than the mail's lease: no other worker takes it while this send lasts
        deadline = min(s.smtp_send_timeout_seconds, s.worker_lease_seconds * 0.8)
        try:
            async with asyncio.timeout(deadline):
                await self._transact(raw, mail.to)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            raise SendFailed(
                f"recipient refused: {detail}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise SendFailed(f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500) from exc
        except TimeoutError as exc:
            # one step's deadline, or the whole send's: retried, the worker's slot freed
            reason = str(exc) or f"the send took over {deadline:g} s"
            raise SendFailed(f"timed out: {reason}", permanent=False) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}", permanent=False) from exc
        return message_id

    async def _transact(self, raw: bytes, to: str) -> None:
        """One mail transaction on a connection of the sender's own, kept for the next
        send if it went through, closed if anything failed (even a refusal)."""
        client = await self._connection()
        try:
            await client.sendmail(
                self.envelope_from,
                [to],
                raw,
                mail_options=["SMTPUTF8"] if needs_smtputf8(to) else None,
            )
        except BaseException:
            client.close()
            raise
        if self.settings.smtp_reuse_seconds > 0:
            self._idle.append((time.monotonic(), client))
        else:
            await self._quit(client, self.settings.smtp_timeout_seconds)

    async def _connection(self) -> aiosmtplib.SMTP:
        """The connection used last, if it is still open and was idle less than
        `SMTP_REUSE_SECONDS`; else a new one (greeted, upgraded to TLS, logged in)."""
        now = time.monotonic()
        while self._idle:
            used, client = self._idle.pop()
            if client.is_connected and now - used < self.settings.smtp_reuse_seconds:
                return client
            client.close()
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            start_tls=s.smtp_starttls,
            use_tls=s.smtp_use_tls,
            timeout=s.smtp_timeout_seconds,
        )
        await client.connect()
        return client

    async def _quit(self, client: aiosmtplib.SMTP, within: float) -> None:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
            async with asyncio.timeout(within):
                await client.quit()
        client.close()

    async def close(self) -> None:
        """Say QUIT on every connection no send is using (on shutdown: briefly, a relay
        that does not answer is left)."""
        idle, self._idle = self._idle, []
        await asyncio.gather(*(self._quit(client, 2.0) for _, client in idle))
