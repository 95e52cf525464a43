"""Badge tokens: unguessable (a random nonce) and signed (HMAC-SHA256 with the
service's badge secret), so a scanner can tell a forged badge without a lookup,
and a re-issued badge (new nonce) invalidates the old one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "b1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(secret: bytes, registration_id: str, nonce: str) -> str:
    mac = hmac.new(secret, f"{PREFIX}.{registration_id}.{nonce}".encode(), hashlib.sha256)
    return _b64(mac.digest()[:20])


def issue_badge_token(secret: bytes, registration_id: str) -> tuple[str, str]:
    """A new token for a registration; returns (token, nonce). The nonce is stored
    with the registration: only the latest badge is valid."""
    nonce = _b64(secrets.token_bytes(12))
    return badge_token_for(secret, registration_id, nonce), nonce


def badge_token_for(secret: bytes, registration_id: str, nonce: str) -> str:
    """The token of the badge issued with `nonce` (tokens are not stored, only nonces)."""
    return f"{PREFIX}.{registration_id}.{nonce}.{_sign(secret, registration_id, nonce)}"


def read_badge_token(secret: bytes, token: str) -> tuple[str, str] | None:
    """(registration id, nonce) of a genuine token, or None for a forged or malformed one."""
    parts = token.strip().split(".")
    if len(parts) != 4 or parts[0] != PREFIX:
        return None
    _, registration_id, nonce, signature = parts
    if not hmac.compare_digest(signature, _sign(secret, registration_id, nonce)):
        return None
    return registration_id, nonce


def hash_secret_token(token: str) -> str:
    """Manage and focal-point tokens are stored as SHA-256 digests: they are 256-bit
    random values, so a plain digest cannot be brute-forced, and a database leak
    does not hand out working tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"
