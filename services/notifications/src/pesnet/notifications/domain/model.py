"""The notifications domain: kinds of notification, deliveries, recipients'
preferences, signed links. Pure: no I/O."""

from __future__ import annotations

import hashlib
import hmac
import html
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from pesnet.shared.emails import InvalidEmail, email_key, normalize_email
from pesnet.shared.i18n import LANGUAGES, Language
from pesnet.shared.manage_links import ManageLinks
from pesnet.shared.signed_links import LinkSigner, decode_value, encode_value

CHANNEL_EMAIL = "email"

DeliveryStatus = Literal["pending", "sent", "failed", "suppressed"]


@dataclass(frozen=True)
class Kind:
    name: str
    # Critical notices concern the person's own registration or own session: an
    # opt-out never suppresses them.
    critical: bool
    # Programme notices wait for the digest window and go out together.
    digest: bool = False


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("registration_received", critical=True),
        Kind("registration_confirmed", critical=True),
        Kind("registration_waitlisted", critical=True),
        Kind("registration_rejected", critical=True),
        Kind("registration_withdrawn", critical=True),
        Kind("checked_in", critical=True),
        # the dates, venue or zone of a meeting the person is confirmed for changed
        Kind("meeting_rescheduled", critical=True),
        Kind("programme_released", critical=False, digest=True),
        Kind("session_changed", critical=True, digest=True),
        Kind("programme_digest", critical=True),
        Kind("chairmanship_transferred", critical=False),
        Kind("reminder_due", critical=False),
        Kind("progress_reviewed", critical=True),
        Kind("cooperation_proposed", critical=False),
        # the secretariat's announcements: an ordinary one respects the preferences
        Kind("announcement", critical=False),
        Kind("announcement_critical", critical=True),
    )
}


class MissingData(ValueError):
    """The event lacks something a template needs: the notice cannot be written."""

    def __init__(self, field: str) -> None:
        super().__init__(f"the event lacks {field}, which the notification needs")
        self.field = field


@dataclass
class Notice:
    """One notification for one person, before it is rendered."""

    kind: str
    recipient: str  # e-mail address as the event gave it
    language: Language
    context: dict[str, Any]
    meeting_id: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    # One line for the digest: what changed, in the recipient's language.
    digest_item: dict[str, Any] | None = None
    # the registration whose manage link (and badge link) the mail carries:
    # {page, registration_id, version, badge}; the link is signed when the mail is sent
    manage_link: dict[str, Any] | None = None

    @property
    def critical(self) -> bool:
        return KINDS[self.kind].critical

    @property
    def digest_key(self) -> str | None:
        if not KINDS[self.kind].digest:
            return None
        return f"{normalize_address(self.recipient)}|programme|{self.meeting_id or '-'}"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    content: str


def normalize_address(address: str) -> str:
    """The key a person is known by: the platform's comparison key of the address
    (internationalized addresses included); an address that is not one keeps a
    lower-cased key, so that its failed delivery can still be looked up."""
    try:
        return email_key(address)
    except InvalidEmail:
        return address.strip().lower()


def valid_address(address: str) -> bool:
    """The address comes from another service's event, so it may be anything."""
    try:
        normalize_email(address)
    except InvalidEmail:
        return False
    return True


def delivery_id(event_id: str, recipient: str, channel: str = CHANNEL_EMAIL) -> str:
    """Deterministic: the same (event, recipient, channel) always names the same delivery."""
    return str(
        uuid.uuid5(
            uuid.NAMESPACE_URL, f"pesnet:{event_id}:{normalize_address(recipient)}:{channel}"
        )
    )


def retry_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff: base, 2·base, 4·base, ... capped."""
    return float(min(cap, base * 2 ** max(0, attempt - 1)))


def effective_language(event_language: str, preferred: str | None) -> Language:
    """A language chosen in the preferences wins over the one the event carries."""
    for candidate in (preferred, event_language):
        if candidate in LANGUAGES:
            return Language(candidate)
    return Language.en


def suppressed(kind: str, opted_out: bool) -> bool:
    return opted_out and not KINDS[kind].critical


# the purpose of a preferences link's token
PREFERENCES = "p1"

# What a stored mail holds where its links go: the links carry tokens that act for
# their recipient, so they are signed into the mail only when it is sent (`Links.fill`),
# never stored (plain ASCII words: HTML escaping leaves them as they are).
PREFERENCES_LINK = "PESNET-LINK-PREFERENCES"
MANAGE_LINK = "PESNET-LINK-MANAGE"
BADGE_LINK = "PESNET-LINK-BADGE"


@dataclass(frozen=True)
class Links:
    """The signed links of this deployment: every mail carries one to the preferences
    page of its recipient, and the link is how that person proves who they are. Its
    token is the kernel's signed link (`pesnet.shared.signed_links`, purpose `p1`) of
    the address; it does not expire (a preferences link in a mail from last year
    should still work). `keys`: the link secret first, then any previous one still
    honoured; dropping a key revokes every link it signed."""

    keys: tuple[bytes, ...]
    public_url: str
    # the registrants' manage links' keys (`pesnet.shared.manage_links`); none: no links
    manage_keys: tuple[bytes, ...] = ()

    @property
    def _signer(self) -> LinkSigner:
        return LinkSigner(PREFERENCES, self.keys)

    def preferences_url(self, address: str) -> str:
        token = self._signer.sign(encode_value(normalize_address(address)))
        return f"{self.public_url.rstrip('/')}/preferences?token={quote(token)}"

    def fill(
        self,
        text: str,
        recipient: str,
        language: str,
        manage: dict[str, Any] | None,
        *,
        as_html: bool,
    ) -> str:
        """A stored mail's text (or HTML) with its links signed in where their
        placeholders stand."""
        found = {PREFERENCES_LINK: self.preferences_url(recipient)}
        if manage and self.manage_keys:
            signer = ManageLinks(self.manage_keys)
            page, registration_id = manage["page"], manage["registration_id"]
            version = int(manage["version"])
            found[MANAGE_LINK] = signer.url(page, registration_id, version, language=language)
            found[BADGE_LINK] = signer.badge_url(page, registration_id, version)
        for placeholder, url in found.items():
            text = text.replace(placeholder, html.escape(url) if as_html else url)
        return text

    def owner(self, token: str | None) -> str | None:
        """The address a link's token stands for (None: no token, or a forged one)."""
        if not token:
            return None
        values = self._signer.read(token)
        if values is None:
            return _owner_of_older_link(token, self.keys)
        return decode_value(values[0]) if len(values) == 1 else None


def _owner_of_older_link(token: str, keys: tuple[bytes, ...]) -> str | None:
    """The address of a link mailed before the kernel's scheme (`<base64url(address)>.
    <hex HMAC-SHA256, 128 bits>`): those links do not expire either, so they are still
    read, never issued."""
    body, dot, mac = token.partition(".")
    address = decode_value(body) if dot and body else None
    if address is None:
        return None
    for key in keys:
        expected = hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]
        if hmac.compare_digest(expected, mac):
            return address
    return None
