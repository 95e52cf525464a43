"""The signing keys of access tokens.

Private keys are Ed25519 (EdDSA) or P-256 (ES256). A key's id (`kid`) is its RFC 7638
JWK thumbprint, the same on every replica. Every key is published in the JWKS; the
newest (the last one given) signs, so rotating is: add a new key at the end, and remove
the old one once the tokens it signed have expired (the access-token lifetime).

Outside dev/test mode the keys come from `PESNET_IDENTITY_SIGNING_KEYS` (PEMs, one
after the other). In dev/test mode without it, a key is generated at first start and
kept in the identity database (`signing_keys`), so that restarts keep tokens valid.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from pesnet.shared.access_tokens import parse_jwks
from pesnet.shared.envelope import utcnow
from pesnet.shared.mongo import Database

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.DOTALL)
DEV_KEY_ID = "dev-signing-key"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private_key: PrivateKey

    @classmethod
    def from_private_key(cls, key: Any) -> SigningKey:
        if isinstance(key, ed25519.Ed25519PrivateKey):
            algorithm = "EdDSA"
        elif isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
            algorithm = "ES256"
        else:
            raise ValueError("a signing key is Ed25519 or EC P-256")
        public = _public_jwk(key, algorithm)
        members = {k: public[k] for k in ("crv", "kty", "x", "y") if k in public}
        digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
        return cls(_b64(digest.digest()), algorithm, key)

    @classmethod
    def from_pem(cls, pem: str) -> SigningKey:
        return cls.from_private_key(serialization.load_pem_private_key(pem.encode(), password=None))

    def public_jwk(self) -> dict[str, Any]:
        return {**_public_jwk(self.private_key, self.algorithm), "kid": self.kid}

    def pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()


def _public_jwk(key: PrivateKey, algorithm: str) -> dict[str, Any]:
    jwk: dict[str, Any]
    if isinstance(key, ed25519.Ed25519PrivateKey):
        jwk = dict(OKPAlgorithm.to_jwk(key.public_key(), as_dict=True))
    else:
        jwk = dict(ECAlgorithm.to_jwk(key.public_key(), as_dict=True))
    return {**jwk, "use": "sig", "alg": algorithm}


def generate_key() -> SigningKey:
    return SigningKey.from_private_key(ed25519.Ed25519PrivateKey.generate())


def keys_from_pems(text: str) -> list[SigningKey]:
    blocks = PEM_BLOCK.findall(text)
    if not blocks:
        raise ValueError("PESNET_IDENTITY_SIGNING_KEYS holds no PEM private key")
    return [SigningKey.from_pem(block) for block in blocks]


class KeyRing:
    """The keys, the newest last: it signs; all are published. Also an
    `AccessTokenSigner` and `PublicKeys` of the service layer, and a `KeySource` of
    the kernel's verifier (identity verifies its own tokens without a fetch)."""

    def __init__(
        self, *, issuer: str, audience: str, lifetime: timedelta, keys: Iterable[SigningKey] = ()
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self.signing_keys: list[SigningKey] = list(keys)

    @property
    def lifetime_seconds(self) -> int:
        return int(self.lifetime.total_seconds())

    def sign(self, claims: dict[str, Any]) -> str:
        if not self.signing_keys:
            raise RuntimeError("no signing key loaded (the service has not started)")
        key = self.signing_keys[-1]
        now = utcnow()
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(
            payload, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid}
        )

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.signing_keys]}

    async def keys(self, *, refresh: bool = False) -> Mapping[str, jwt.PyJWK]:
        return parse_jwks(self.jwks())

    async def load(self, db: Database, configured: str | None, *, dev_mode: bool) -> None:
        """The configured keys, else (dev/test mode) the database's development key,
        generated on first start (every replica reads back the same one)."""
        if configured:
            self.signing_keys = keys_from_pems(configured)
            return
        if not dev_mode:
            raise RuntimeError("outside dev mode PESNET_IDENTITY_SIGNING_KEYS must be set")
        fresh = generate_key()
        collection = db["signing_keys"]
        await collection.update_one(
            {"_id": DEV_KEY_ID},
            {"$setOnInsert": {"pem": fresh.pem(), "created_at": utcnow()}},
            upsert=True,
        )
        doc = await collection.find_one({"_id": DEV_KEY_ID})
        assert doc is not None
        self.signing_keys = [SigningKey.from_pem(doc["pem"])]
