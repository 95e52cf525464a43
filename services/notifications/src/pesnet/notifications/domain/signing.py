"""Standard Webhooks signatures (https://www.standardwebhooks.com), standard library only.

A delivery carries three headers:

    webhook-id:        the CloudEvent id (the same on every retry of one delivery)
    webhook-timestamp: unix seconds when this attempt was signed
    webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">

The key is the secret's bytes: a secret looks like `whsec_<base64>`, and the HMAC key
is the base64-decoded part. While a rotated secret is still honoured, the header holds
one signature per secret, separated by spaces.

`verify_signature` is what a partner copies: this module imports nothing outside the
Python standard library on purpose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format prefix, not a secret
SIGNATURE_VERSION = "v1"
SECRET_BYTES = 32


class InvalidSignature(Exception):
    """The request was not signed with the secret, or too long ago."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise ValueError("a webhook secret is 'whsec_' followed by base64") from exc


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of `{msg_id}.{timestamp}.{body}`."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def signature_headers(
    secrets_: Iterable[str], msg_id: str, body: bytes, *, timestamp: int | None = None
) -> dict[str, str]:
    """The three headers of one attempt, signed with every secret given (rotation)."""
    ts = int(time.time()) if timestamp is None else timestamp
    signatures = " ".join(sign(secret, msg_id, ts, body) for secret in secrets_)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": signatures,
    }


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: int = 300,
    *,
    now: float | None = None,
) -> None:
    """Check a webhook request; raise `InvalidSignature` if it is not authentic.

    `headers` must be looked up case-insensitively by the caller's framework, or given
    with lower-case names. `body` is the raw request body, exactly as received (parse
    the JSON only after verifying). `tolerance` bounds the age of the timestamp in
    seconds, which stops an eavesdropper from replaying an old request; partners
    should also ignore a `webhook-id` they have already processed."""
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    header = lowered.get("webhook-signature")
    if not msg_id or not timestamp or not header:
        raise InvalidSignature("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        ts = int(timestamp)
    except ValueError:
        raise InvalidSignature("webhook-timestamp is not an integer") from None
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        raise InvalidSignature("webhook-timestamp is outside the tolerance")
    expected = sign(secret, msg_id, ts, body)
    for candidate in header.split(" "):
        if hmac.compare_digest(candidate.encode(), expected.encode()):
            return
    raise InvalidSignature("no signature matches")
