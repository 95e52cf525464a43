"""Signed links: one scheme for every token the platform hands a person to carry a
few values it must be able to trust later without a lookup (a badge's registration
and nonce, the address a mail's preferences link stands for).

A token is `<purpose>.<value>.<value>….<signature>`: the purpose keeps the tokens of
one use from passing for another's (`b1` badges, `p1` preference links), the values
are URL-safe text without dots (`encode_value` makes one of any text), and the
signature is HMAC-SHA256 of everything before it, cut to 160 bits and base64url
encoded. Tokens do not expire and are never stored: what revokes one is its use's own
state (a re-issued badge has a new nonce) or the key.

Keys rotate: `LinkSigner(purpose, [current, *previous])` signs with the first and
reads tokens of any of them, so links issued before a rotation keep working while
the previous key is listed; dropping a key revokes every token it signed.

Standard library only (hmac, base64): a service's domain uses it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Sequence

# a value of a token, and a purpose: URL-safe base64's alphabet (no dot, the separator)
VALUE = re.compile(r"[A-Za-z0-9_-]+")
SIGNATURE_BYTES = 20


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def encode_value(text: str) -> str:
    """Any text as a token's value (base64url of its UTF-8, without padding)."""
    return _b64(text.encode())


def decode_value(value: str) -> str | None:
    """The text `encode_value` made `value` of, or None if it is not one."""
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


class LinkSigner:
    """Makes and reads the tokens of one purpose with the deployment's keys (the
    first signs, every one reads)."""

    def __init__(self, purpose: str, keys: Sequence[bytes]) -> None:
        if not VALUE.fullmatch(purpose):
            raise ValueError("a purpose is letters, digits, '-' and '_'")
        if not keys or not all(keys):
            raise ValueError("a signer needs at least one non-empty key")
        self.purpose = purpose
        self._keys = tuple(keys)

    def _signature(self, key: bytes, signed: str) -> str:
        # the one-shot HMAC (OpenSSL's, no Python object per token): a list of 2,000
        # registrations signs a badge token for each confirmed one
        return _b64(hmac.digest(key, signed.encode(), "sha256")[:SIGNATURE_BYTES])

    def sign(self, *values: str) -> str:
        """The token of `values` (each URL-safe without dots: see `encode_value`)."""
        for value in values:
            if not VALUE.fullmatch(value):
                raise ValueError(f"not a token value (use encode_value): {value!r}")
        signed = ".".join((self.purpose, *values))
        return f"{signed}.{self._signature(self._keys[0], signed)}"

    def read(self, token: str) -> tuple[str, ...] | None:
        """The values of a genuine token of this purpose, or None for a forged,
        tampered, malformed or other-purpose one (or one signed by a dropped key)."""
        signed, dot, signature = token.strip().rpartition(".")
        purpose, *values = signed.split(".")
        if not dot or purpose != self.purpose or not all(VALUE.fullmatch(v) for v in values):
            return None
        genuine = [
            hmac.compare_digest(signature, self._signature(key, signed)) for key in self._keys
        ]
        return tuple(values) if any(genuine) else None


__all__ = ["LinkSigner", "decode_value", "encode_value"]
