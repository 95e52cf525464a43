"""Building the MIME message and handing it to SMTP (aiosmtplib).

An internationalized address (`فاطمة@example.org`) is sent with SMTPUTF8 (RFC 6531):
its message headers are UTF-8. Failures are sorted into transient (connection
problems, timeouts, 4xx replies: retried with backoff) and permanent (5xx replies:
recorded, not retried)."""

from __future__ import annotations

import asyncio
import email.utils
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8

import aiosmtplib

from pesnet.notifications.domain.deliveries import OutgoingMail, SendFailed
from pesnet.notifications.settings import Settings
from pesnet.shared.emails import needs_smtputf8

__all__ = ["OutgoingMail", "SendFailed", "SmtpSender", "build_message", "encode_subject"]


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    # an internationalized address goes in the To header as it is (RFC 6532)
    msg = EmailMessage(policy=SMTPUTF8 if needs_smtputf8(mail.to) else SMTP)
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = email.utils.make_msgid(domain="pesnet.sesric.org")
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


def encode_subject(subject: str) -> bytes:
    """The Subject header line. Python's modern header folder puts the space between
    two words outside the encoded words it splits an Arabic subject into, and RFC 2047
    readers drop such spaces ("لشبكة مؤسسات" arrives as "لشبكةمؤسسات"); the legacy
    `Header` encoder keeps spaces inside the encoded words."""
    encoded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    return f"Subject: {encoded}\r\n".encode("ascii")


class SmtpSender:
    """The `MailSender` of the delivery worker."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, mail: OutgoingMail) -> str:
        """Send one mail; returns its Message-ID. Raises `SendFailed`."""
        s = self.settings
        msg = build_message(mail, s.smtp_from)
        raw = encode_subject(mail.subject) + msg.as_bytes()
        # never longer than the mail's lease: no other worker takes it while this send lasts
        deadline = min(s.smtp_send_timeout_seconds, s.worker_lease_seconds * 0.8)
        try:
            async with asyncio.timeout(deadline):
                await aiosmtplib.send(
                    raw,
                    sender=email.utils.parseaddr(s.smtp_from)[1],
                    recipients=[mail.to],
                    mail_options=["SMTPUTF8"] if needs_smtputf8(mail.to) else None,
                    hostname=s.smtp_host,
                    port=s.smtp_port,
                    username=s.smtp_username,
                    password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                    start_tls=s.smtp_starttls,
                    use_tls=s.smtp_use_tls,
                    timeout=s.smtp_timeout_seconds,
                )
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
        return str(msg["Message-ID"])
