"""Badge tokens: unguessable (a random nonce) and signed (HMAC-SHA256 with the
service's badge secret), so a scanner can tell a forged badge without a lookup,
and a re-issued badge (new nonce) invalidates the old one. Tokens are never
stored: a confirmed registration keeps its badge's nonce only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "b1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_badge_nonce() -> str:
    return _b64(secrets.token_bytes(12))


class BadgeKey:
    """Signs and reads badge tokens with the service's badge secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, registration_id: str, nonce: str) -> str:
        mac = hmac.new(self._secret, f"{PREFIX}.{registration_id}.{nonce}".encode(), hashlib.sha256)
        return _b64(mac.digest()[:20])

    def token_for(self, registration_id: str, nonce: str) -> str:
        """The token of the badge issued with `nonce`."""
        return f"{PREFIX}.{registration_id}.{nonce}.{self._sign(registration_id, nonce)}"

    def read(self, token: str) -> tuple[str, str] | None:
        """(registration id, nonce) of a genuine token, or None for a forged or malformed one."""
        parts = token.strip().split(".")
        if len(parts) != 4 or parts[0] != PREFIX:
            return None
        _, registration_id, nonce, signature = parts
        if not hmac.compare_digest(signature, self._sign(registration_id, nonce)):
            return None
        return registration_id, nonce
