"""A head of delegation's consultation link: the kernel's signed link (purpose `d2`) of
their registration, its member state, its meeting and the moment it expires,
`d2.<registration id>.<country>.<meeting id>.<expires, Unix seconds>.<signature>`.

A head of delegation speaks for their member state in the consultation on a draft action
plan without an account: registration signs the link on the registration's own manage
page (only for a confirmed head of delegation), the action plan reads it and takes the
comment as the member state's (`Actor` of kind registrant, its country, no institution).
Like a manage link it is never stored; its own keys (`PESNET_DELEGATION_LINK_KEYS`,
shared by registration and actionplan only) keep the action plan from ever signing a
manage link. Without the setting outside dev mode, no link is offered or accepted.

A link lives `PESNET_DELEGATION_LINK_DAYS` (registration's setting, 30 days by default):
the manage page signs a fresh one each time it is opened, so a link forwarded or
forgotten stops on its own. What ends it sooner is the registration itself: the action
plan follows registration's events and refuses the link of a registration withdrawn,
refused or no longer its delegation's confirmed head. Links of the first form (`d1`,
without an expiry) are not links any more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from pesnet.shared.credentials import Actor, ActorKind
from pesnet.shared.signed_links import VALUE, LinkSigner

PURPOSE = "d2"
LIFETIME_DAYS = 30
# Only ever used in dev/test mode.
DEV_DELEGATION_LINK_KEY = "dev-delegation-link-key-not-for-production"


def delegation_link_keys(setting: SecretStr | None, *, dev_mode: bool) -> tuple[bytes, ...]:
    """The keys of `PESNET_DELEGATION_LINK_KEYS` (comma-separated, the first signs); in
    dev mode, without the setting, the fixed development key; else none (no links)."""
    text = setting.get_secret_value() if setting is not None else ""
    keys = tuple(k.strip().encode() for k in text.split(",") if k.strip())
    if not keys and dev_mode:
        return (DEV_DELEGATION_LINK_KEY.encode(),)
    return keys


@dataclass(frozen=True)
class DelegationLink:
    """What a genuine link says: whose it is, for which member state and meeting, and
    until when it may be used."""

    registration_id: str
    country: str
    meeting_id: str
    expires_at: datetime

    @property
    def actor(self) -> Actor:
        return Actor(
            kind=ActorKind.registrant, country=self.country, registration_id=self.registration_id
        )

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class DelegationLinks:
    """Signs and reads consultation links with the deployment's keys; a link signed
    now expires `lifetime` later."""

    def __init__(
        self, keys: Sequence[bytes], *, lifetime: timedelta = timedelta(days=LIFETIME_DAYS)
    ) -> None:
        if lifetime <= timedelta(0):
            raise ValueError("a consultation link lives for some time")
        self._signer = LinkSigner(PURPOSE, keys)
        self.lifetime = lifetime

    def token(self, registration_id: str, country: str, meeting_id: str, *, now: datetime) -> str:
        expires = int((now + self.lifetime).timestamp())
        return self._signer.sign(registration_id, country, meeting_id, str(expires))

    def read(self, token: str) -> DelegationLink | None:
        """What a genuine link says (expired or not: `DelegationLink.expired`), else None
        (forged, tampered, another purpose's, or of the first form, without an expiry)."""
        values = self._signer.read(token) if token.startswith(f"{PURPOSE}.") else None
        if values is None or len(values) != 4 or not all(VALUE.fullmatch(v) for v in values):
            return None
        registration_id, country, meeting_id, expires = values
        if not expires.isdigit() or len(expires) > 12:
            return None
        return DelegationLink(
            registration_id, country, meeting_id, datetime.fromtimestamp(int(expires), UTC)
        )


__all__ = [
    "DEV_DELEGATION_LINK_KEY",
    "LIFETIME_DAYS",
    "DelegationLink",
    "DelegationLinks",
    "delegation_link_keys",
]
