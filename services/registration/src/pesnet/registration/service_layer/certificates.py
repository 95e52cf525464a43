"""Certificates of attendance: the participant's own PDF (from the manage page, in their
language) with the QR code of its verification link, and the public verification of
that link (who attended which meeting, while their data exists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pesnet.registration.domain.certificates import CertificateKey, attended, check_certificate
from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.registration import Registration
from pesnet.registration.service_layer.meetings import require_meeting
from pesnet.registration.service_layer.registering import require_registration
from pesnet.registration.service_layer.unit_of_work import Clock, RegistrationUnitOfWork, now_ms
from pesnet.shared.credentials import Actor
from pesnet.shared.errors import NotFound
from pesnet.shared.translation import _


@dataclass(frozen=True)
class Certificate:
    registration: Registration
    meeting: Meeting
    attended_at: datetime
    token: str


class CertificateRenderer(Protocol):
    def certificate_pdf(
        self, *, language: str, lines: list[tuple[str, str]], qr_data: str
    ) -> bytes:
        """A one-page PDF of `lines` (text, style), the QR code of `qr_data` below."""


async def certificate(
    registration_id: str,
    actor: Actor,
    uow: RegistrationUnitOfWork,
    *,
    key: CertificateKey,
    clock: Clock = now_ms,
) -> Certificate:
    """The certificate of a participant who attended, for them (or the secretariat)."""
    registration = await require_registration(uow, registration_id)
    registration.check_readable_by(actor)
    meeting = await require_meeting(uow, registration.meeting_id)
    check_certificate(registration, meeting, clock())
    at = attended(registration)
    assert at is not None
    return Certificate(registration, meeting, at, key.token_for(registration.id))


async def verify(token: str, uow: RegistrationUnitOfWork, *, key: CertificateKey) -> Certificate:
    """What a certificate's QR code stands for, if it is genuine and its holder's data
    still exists (else NotFound, saying nothing more)."""
    registration_id = key.read(token)
    gone = NotFound(_("this certificate cannot be verified (any more)"))
    if registration_id is None:
        raise gone
    registration = await uow.registrations.get(registration_id)
    if registration is None or registration.purged or attended(registration) is None:
        raise gone
    meeting = await require_meeting(uow, registration.meeting_id)
    at = attended(registration)
    assert at is not None
    return Certificate(registration, meeting, at, token)
