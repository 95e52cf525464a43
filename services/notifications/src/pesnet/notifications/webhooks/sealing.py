"""Webhook signing secrets encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

A subscription stores only the sealed form of its secrets; the delivery worker unseals
them just before it signs. The keys come from `PESNET_WEBHOOK_SECRET_KEYS`, a comma-
separated list of Fernet keys: the first one seals, every one of them unseals, so a key
is rotated by putting a new one first and dropping the old one once every subscription's
secret has been sealed again (by rotating the subscription's secret).

Generate a key with:
    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# The development key: derived from a fixed, public phrase, so it protects nothing. It is
# used only in dev/test mode when no key is configured (WebhookSettings refuses to build a
# sealer without PESNET_WEBHOOK_SECRET_KEYS outside dev/test mode): never in production.
DEV_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"pesnet webhook secrets: development key, never production").digest()
).decode()


class UnsealError(Exception):
    """A sealed secret that the configured keys cannot open (a wrong or removed key, or a
    damaged value)."""


def parse_keys(value: str) -> list[str]:
    """The Fernet keys of a comma-separated list; ValueError naming the bad one."""
    keys = [k.strip() for k in value.split(",") if k.strip()]
    if not keys:
        raise ValueError("no key given")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ValueError(
                f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
    return keys


class SecretSealer:
    """Seals with the first key, unseals with any of them."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is required")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def unseal(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise UnsealError(
                "the stored signing secret cannot be decrypted with the configured "
                "PESNET_WEBHOOK_SECRET_KEYS (was its key removed?); add the key back, or "
                "rotate the subscription's secret"
            ) from None
