"""What the entrypoints hand to the use cases besides a command: built once by
`bootstrap` (the only place that knows the concrete adapters)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from pesnet.registration.domain.badges import BadgeKey
from pesnet.registration.domain.certificates import CertificateKey
from pesnet.registration.service_layer.certificates import CertificateRenderer
from pesnet.registration.service_layer.check_in import BadgeRenderer
from pesnet.registration.service_layer.participants import SheetRenderer
from pesnet.registration.service_layer.unit_of_work import RegistrationUnitOfWork
from pesnet.shared.delegation_links import DelegationLinks
from pesnet.shared.envelope import utcnow
from pesnet.shared.manage_links import ManageLinks


class Renderer(BadgeRenderer, SheetRenderer, Protocol):
    """A badge (PNG) and a sheet of badges (PDF)."""


@dataclass(frozen=True)
class Dependencies:
    unit_of_work: Callable[[], RegistrationUnitOfWork]
    badges: BadgeKey
    # the registrants' manage links (signed, never stored)
    manage_links: ManageLinks
    renderer: Renderer
    # this service's base URL as registrants reach it (manage and badge links)
    public_url: str
    # the per-country quota of a meeting the agenda announced without one
    default_quota: int | None
    # certificates of attendance: their signed links and their PDF
    certificates: CertificateKey
    certificate_renderer: CertificateRenderer
    # a confirmed head of delegation's link to the consultation on a draft action plan
    # (None where the deployment gives no keys or no address for it)
    consultation: Consultation | None = None


@dataclass(frozen=True)
class Consultation:
    links: DelegationLinks
    page: str

    def url(self, registration_id: str, country: str, meeting_id: str, language: str) -> str:
        token = self.links.token(registration_id, country, meeting_id, now=utcnow())
        return f"{self.page}?token={quote(token)}&lang={language}"
