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

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from pesnet.notifications.domain.webhooks import UnsealError


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
