"""A registrant's manage link: the kernel's signed link (`pesnet.shared.signed_links`,
purpose `m1`) of the registration's id and its link version,
`m1.<registration id>.<version>.<signature>`.

Never stored, never carried: registration answers it to whoever registered and
notifications signs it again when it writes a mail (both hold the deployment's
`PESNET_MANAGE_LINK_KEYS`), so no outbox, idempotency record, event, queue message or
stored mail holds a usable token. The registration keeps its link version: rotating
the link bumps it, which revokes every older link; the purge erases it, which revokes
them all. Keys rotate as every signed link's do (the first signs, all read).

Manage tokens issued before (`mt_…`, random, only their digest stored) still work
through that digest until their registration's purge.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from pydantic import SecretStr

from pesnet.shared.credentials import MANAGE_LINK_PREFIX
from pesnet.shared.signed_links import LinkSigner

PURPOSE = MANAGE_LINK_PREFIX.rstrip(".")
# Only ever used in dev/test mode; outside it PESNET_MANAGE_LINK_KEYS is required.
DEV_MANAGE_LINK_KEY = "dev-manage-link-key-not-for-production"


def manage_link_keys(setting: SecretStr | None, *, dev_mode: bool) -> tuple[bytes, ...]:
    """The keys of `PESNET_MANAGE_LINK_KEYS` (comma-separated, the first signs); in dev
    mode, without the setting, the fixed development key. Outside dev mode a missing
    setting is the caller's error to name."""
    text = setting.get_secret_value() if setting is not None else ""
    keys = tuple(k.strip().encode() for k in text.split(",") if k.strip())
    if not keys and dev_mode:
        return (DEV_MANAGE_LINK_KEY.encode(),)
    return keys


class ManageLinks:
    """Signs and reads manage links with the deployment's keys."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        self._signer = LinkSigner(PURPOSE, keys)

    def token(self, registration_id: str, version: int) -> str:
        return self._signer.sign(registration_id, str(version))

    def read(self, token: str) -> tuple[str, int] | None:
        """(registration id, link version) of a genuine link's token, else None."""
        values = self._signer.read(token)
        if values is None or len(values) != 2 or not values[1].isdigit():
            return None
        return values[0], int(values[1])

    def url(self, page: str, registration_id: str, version: int, *, language: str = "") -> str:
        """The link to the registration's manage `page` (its address without token)."""
        link = f"{page}?token={quote(self.token(registration_id, version))}"
        return f"{link}&lang={language}" if language else link

    def badge_url(self, page: str, registration_id: str, version: int) -> str:
        """The registrant's own link to their printable badge."""
        return f"{page}/badge.png?token={quote(self.token(registration_id, version))}"


__all__ = [
    "DEV_MANAGE_LINK_KEY",
    "ManageLinks",
    "manage_link_keys",
]
