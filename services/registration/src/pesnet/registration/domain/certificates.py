"""Certificates of attendance: a participant who was checked in (or attended online)
receives, from the meeting's last day on, a certificate in their language, verifiable
by a QR code that points at the platform's public verification page.

The QR code carries a signed link of the kernel's scheme (`pesnet.shared.signed_links`,
purpose `c1`, signed with the badge secret): `c1.<registration id>.<signature>`. It is
never stored; the verification page reads it, finds the registration and says who
attended which meeting, for as long as the person's data exists (a purged or unknown
registration is not verifiable any more)."""

from __future__ import annotations

from datetime import datetime

from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.registration import Registration
from pesnet.shared.errors import Conflict
from pesnet.shared.signed_links import LinkSigner
from pesnet.shared.translation import _

PURPOSE = "c1"


class CertificateKey:
    """Signs and reads the tokens of certificates (the badge secret, another purpose)."""

    def __init__(self, secret: bytes, *previous: bytes) -> None:
        self._signer = LinkSigner(PURPOSE, (secret, *previous))

    def token_for(self, registration_id: str) -> str:
        return self._signer.sign(registration_id)

    def read(self, token: str) -> str | None:
        """The registration id of a genuine token, else None."""
        values = self._signer.read(token)
        if values is None or len(values) != 1:
            return None
        return values[0]


def attended(registration: Registration) -> datetime | None:
    """When the participant's attendance was recorded (checked in on site, or attended
    online by the meeting tool's list), if it was."""
    return registration.checked_in_at or registration.attended_online_at


def check_certificate(registration: Registration, meeting: Meeting, now: datetime) -> None:
    """A certificate exists for a participant who attended, from the meeting's last day
    (in the meeting's zone) on, while their data exists."""
    registration.check_not_purged()
    if attended(registration) is None:
        raise Conflict(_("no certificate: attendance at the meeting is not recorded"))
    last_day = meeting.end_date or meeting.start_date
    today = now.astimezone(meeting.zone).date()
    if last_day is not None and today < last_day:
        raise Conflict(
            _("the certificate is available from the meeting's last day, {day}"),
            params={"day": last_day.isoformat()},
        )
