"""A head of delegation's consultation link: the kernel's signed link (purpose `d1`) of
their registration, its member state and its meeting,
`d1.<registration id>.<country>.<meeting id>.<signature>`.

A head of delegation speaks for their member state in the consultation on a draft action
plan without an account: registration signs the link on the registration's own manage
page (only for a confirmed head of delegation), the action plan reads it and takes the
comment as the member state's (`Actor` of kind registrant, its country, no institution).
Like a manage link it is never stored; its own keys (`PESNET_DELEGATION_LINK_KEYS`,
shared by registration and actionplan only) keep the action plan from ever signing a
manage link. Without the setting outside dev mode, no link is offered or accepted.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import SecretStr

from pesnet.shared.credentials import Actor, ActorKind
from pesnet.shared.signed_links import VALUE, LinkSigner

PURPOSE = "d1"
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


class DelegationLinks:
    """Signs and reads consultation links with the deployment's keys."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        self._signer = LinkSigner(PURPOSE, keys)

    def token(self, registration_id: str, country: str, meeting_id: str) -> str:
        return self._signer.sign(registration_id, country, meeting_id)

    def read(self, token: str) -> Actor | None:
        """The delegation a genuine link speaks for, else None."""
        values = self._signer.read(token) if token.startswith(f"{PURPOSE}.") else None
        if values is None or len(values) != 3 or not all(VALUE.fullmatch(v) for v in values):
            return None
        registration_id, country, _meeting = values
        return Actor(kind=ActorKind.registrant, country=country, registration_id=registration_id)


__all__ = ["DEV_DELEGATION_LINK_KEY", "DelegationLinks", "delegation_link_keys"]
