"""Badge tokens: unguessable (a random nonce) and signed by the kernel's signed-link
scheme (`pesnet.shared.signed_links`, purpose `b1`) with the service's badge secret,
so a scanner can tell a forged badge without a lookup, and a re-issued badge (new
nonce) invalidates the old one. Tokens are never stored: a confirmed registration
keeps its badge's nonce only. A token reads `b1.<registration id>.<nonce>.<signature>`,
as badges printed before the kernel had the scheme do: those stay valid."""

from __future__ import annotations

import secrets

from pesnet.shared.signed_links import LinkSigner

PURPOSE = "b1"


def new_badge_nonce() -> str:
    """96 random bits, URL-safe (16 characters)."""
    return secrets.token_urlsafe(12)


class BadgeKey:
    """Signs and reads badge tokens with the service's badge secret (and, while a
    rotation lasts, reads those of the previous secrets)."""

    def __init__(self, secret: bytes, *previous: bytes) -> None:
        self._signer = LinkSigner(PURPOSE, (secret, *previous))

    def token_for(self, registration_id: str, nonce: str) -> str:
        """The token of the badge issued with `nonce`."""
        return self._signer.sign(registration_id, nonce)

    def read(self, token: str) -> tuple[str, str] | None:
        """(registration id, nonce) of a genuine token, or None for a forged or malformed one."""
        values = self._signer.read(token)
        if values is None or len(values) != 2:
            return None
        registration_id, nonce = values
        return registration_id, nonce


# The short code printed under a badge's QR code, for the desk to type when the QR
# code cannot be read: no 0/O, 1/I/L, 5/S or 2/Z to mistake for one another.
SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
SHORT_CODE_LENGTH = 6


def new_short_code() -> str:
    """Six characters of the unambiguous alphabet (27^6: about 387 million codes)."""
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def normalized_short_code(typed: str) -> str | None:
    """What the desk typed, as a short code (any case, spaces and dashes ignored), or
    None when it cannot be one."""
    code = "".join(c for c in typed.upper() if c not in " -")
    if len(code) == SHORT_CODE_LENGTH and all(c in SHORT_CODE_ALPHABET for c in code):
        return code
    return None
