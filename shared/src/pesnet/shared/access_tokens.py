"""Access tokens verified locally: no call to the identity service per request.

An access token is a JWT signed with an asymmetric key (EdDSA or ECDSA/RSA): the
identity service signs with its newest private key and publishes the public keys
as a JWKS; every service verifies with those. Guarantees of `TokenVerifier`:

- only asymmetric algorithms are accepted: an HMAC token (`HS256`, which anyone who
  knows a public key could forge) or `alg: none` is refused before any key is looked at;
- the issuer (`iss`), the audience (`aud`), the issue time (`iat`) and the expiry
  (`exp`) must match and be present; a token of another issuer is refused even if a
  trusted key signed it; a token that lives longer than `MAX_LIFETIME_SECONDS` (a day:
  identity's own live 15 minutes) or says it was issued in the future is refused, so a
  leaked signing key cannot mint tokens for years, nor a provider's misconfiguration;
- an external OpenID Connect provider's subject is qualified by its issuer
  (`<issuer>#<sub>`), so a provider whose user may choose `sub=acc_…` never becomes
  that identity account, whose tokens say `sub` alone;
- keys are found by the token's `kid`. A remote JWKS is fetched on first need and
  cached; an unknown `kid` (the issuer rotated its key) triggers a refetch, at most
  once every `refetch_seconds`, so forged kids cannot make us hammer the issuer.

Several issuers may be trusted at once: the identity service and an organisation's own
OpenID Connect provider, each with its claims (which one carries the roles, ...).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import jwt
from jwt.exceptions import InvalidTokenError, PyJWKError, PyJWTError

from pesnet.shared.credentials import Actor, StaffRole, account_actor
from pesnet.shared.logging import get_logger
from pesnet.shared.settings import ServiceSettings

log = get_logger(__name__)

ASYMMETRIC_ALGORITHMS = frozenset(
    {
        "EdDSA",
        "ES256",
        "ES384",
        "ES512",
        "RS256",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
    }
)
# clocks of two machines differ a little
LEEWAY_SECONDS = 30
# the longest an access token may live (`exp - iat`)
MAX_LIFETIME_SECONDS = 24 * 3600


class KeySource(Protocol):
    """Where an issuer's public keys come from: `{kid: key}`; `refresh` asks for a
    fresh copy (the source decides whether it is allowed to fetch again yet)."""

    async def keys(self, *, refresh: bool = False) -> Mapping[str, jwt.PyJWK]: ...


def parse_jwks(document: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    """A JWKS document → `{kid: key}`; keys without a `kid`, private or symmetric
    keys and keys PyJWT cannot read are left out."""
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []):
        if not isinstance(entry, dict) or not entry.get("kid") or entry.get("kty") == "oct":
            continue
        if "d" in entry:  # a private key has no business in a JWKS
            continue
        try:
            key = jwt.PyJWK(entry)
        except (PyJWKError, ValueError, TypeError):
            log.warning("unusable key in JWKS skipped", kid=entry.get("kid"))
            continue
        if key.algorithm_name in ASYMMETRIC_ALGORITHMS:
            keys[str(entry["kid"])] = key
    return keys


class StaticKeys:
    """Keys given inline (`PESNET_JWKS`), or held by the issuer itself."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._keys = parse_jwks(document)

    async def keys(self, *, refresh: bool = False) -> Mapping[str, jwt.PyJWK]:
        return self._keys


def _fetch_json(url: str, timeout: float) -> Any:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"a JWKS URL must be http(s): {url!r}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read(1_000_000))


class RemoteKeys:
    """A JWKS URL, fetched on first need and cached; fetched again on `refresh` only
    if the last attempt is older than `refetch_seconds`."""

    def __init__(self, url: str, *, refetch_seconds: float = 30.0, timeout: float = 5.0) -> None:
        self.url = url
        self.refetch_seconds = refetch_seconds
        self.timeout = timeout
        self.fetches = 0
        self._keys: dict[str, jwt.PyJWK] = {}
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()

    async def keys(self, *, refresh: bool = False) -> Mapping[str, jwt.PyJWK]:
        if self._last_attempt is not None and not refresh:
            return self._keys
        async with self._lock:
            now = time.monotonic()
            if self._last_attempt is not None and now - self._last_attempt < self.refetch_seconds:
                return self._keys
            self._last_attempt = now
            self.fetches += 1
            try:
                document = await asyncio.to_thread(_fetch_json, self.url, self.timeout)
                self._keys = parse_jwks(document)
                log.info("JWKS fetched", url=self.url, kids=sorted(self._keys))
            except Exception as exc:  # keep the keys we had; the next refresh retries
                log.warning("JWKS fetch failed", url=self.url, error=f"{type(exc).__name__}: {exc}")
            return self._keys


def _family(algorithm: str) -> str:
    """The key type an algorithm needs (RS* and PS* both use RSA keys)."""
    return "RSA" if algorithm[:2] in ("RS", "PS") else algorithm[:2]


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True)
class TrustedIssuer:
    """One issuer we accept tokens from, and how its claims map onto an `Actor`."""

    issuer: str
    audience: str
    keys: KeySource
    roles_claim: str = "roles"
    username_claim: str = "preferred_username"
    country_claim: str = "country"
    institution_claim: str = "institution"
    # an organisation's provider: its subjects are qualified by its issuer
    qualify_subject: bool = False

    def account_id(self, claims: Mapping[str, Any]) -> str:
        subject = str(claims["sub"])
        return f"{self.issuer}#{subject}" if self.qualify_subject else subject

    def actor(self, claims: Mapping[str, Any]) -> Actor:
        raw_roles = _claim(claims, self.roles_claim)
        if isinstance(raw_roles, str):
            raw_roles = raw_roles.split()
        known = {role.value for role in StaffRole}
        roles = frozenset(
            StaffRole(r) for r in raw_roles or () if isinstance(r, str) and r in known
        )
        country = _claim(claims, self.country_claim)
        institution = _claim(claims, self.institution_claim)
        username = _claim(claims, self.username_claim)
        return account_actor(
            self.account_id(claims),
            str(username) if username else str(claims["sub"]),
            roles,
            country=country if isinstance(country, str) else None,
            institution=institution if isinstance(institution, str) else None,
        )


@dataclass
class TokenVerifier:
    """Verifies access tokens of the trusted issuers (an `AccessTokenVerifier`)."""

    issuers: list[TrustedIssuer] = field(default_factory=list)

    async def actor_for(self, token: str) -> Actor | None:
        claims = await self.verify(token)
        if claims is None:
            return None
        issuer = self._issuer(claims.get("iss"))
        return issuer.actor(claims) if issuer else None

    def _issuer(self, iss: object) -> TrustedIssuer | None:
        return next((i for i in self.issuers if i.issuer == iss), None)

    async def verify(self, token: str) -> dict[str, Any] | None:
        """The token's claims if it is valid, else None (the reason is logged)."""
        try:
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            if algorithm not in ASYMMETRIC_ALGORITHMS:
                raise InvalidTokenError(f"algorithm not accepted: {algorithm!r}")
            kid = header.get("kid")
            if not isinstance(kid, str) or not kid:
                raise InvalidTokenError("no key id (kid)")
            # which issuer's keys to use: the unverified `iss` only chooses, the
            # signature and the `iss` check below decide
            unverified = jwt.decode(token, options={"verify_signature": False})
            issuer = self._issuer(unverified.get("iss"))
            if issuer is None:
                raise InvalidTokenError("issuer not trusted")
            keys = await issuer.keys.keys()
            if kid not in keys:
                keys = await issuer.keys.keys(refresh=True)
            key = keys.get(kid)
            if key is None:
                raise InvalidTokenError("unknown key id")
            if _family(key.algorithm_name) != _family(algorithm):
                raise InvalidTokenError("algorithm does not match the key")
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[algorithm],
                audience=issuer.audience,
                issuer=issuer.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
            _check_lifetime(claims)
            return claims
        except (PyJWTError, ValueError, TypeError) as exc:
            log.info("access token refused", reason=str(exc))
            return None


def _check_lifetime(claims: Mapping[str, Any]) -> None:
    issued, expires = claims["iat"], claims["exp"]
    if not isinstance(issued, int | float) or not isinstance(expires, int | float):
        raise InvalidTokenError("iat and exp must be numbers")
    if expires - issued > MAX_LIFETIME_SECONDS:
        raise InvalidTokenError(f"lives longer than {MAX_LIFETIME_SECONDS} s")
    if issued > time.time() + LEEWAY_SECONDS:
        raise InvalidTokenError("issued in the future")


def verifier_from_settings(settings: ServiceSettings) -> TokenVerifier | None:
    """The verifier a service's settings ask for; None if they trust no issuer."""
    issuers: list[TrustedIssuer] = []
    if settings.jwks is not None:
        keys: KeySource = StaticKeys(json.loads(settings.jwks))
    elif settings.jwks_url is not None:
        keys = RemoteKeys(settings.jwks_url, refetch_seconds=settings.jwks_refetch_seconds)
    else:
        keys = StaticKeys({})
    if settings.jwks is not None or settings.jwks_url is not None:
        issuers.append(TrustedIssuer(settings.token_issuer, settings.token_audience, keys))
    if settings.oidc_issuer is not None and settings.oidc_jwks_url is not None:
        issuers.append(
            TrustedIssuer(
                settings.oidc_issuer,
                settings.oidc_audience or settings.token_audience,
                RemoteKeys(settings.oidc_jwks_url, refetch_seconds=settings.jwks_refetch_seconds),
                roles_claim=settings.oidc_roles_claim,
                username_claim=settings.oidc_username_claim,
                country_claim=settings.oidc_country_claim,
                qualify_subject=True,
            )
        )
    return TokenVerifier(issuers) if issuers else None


__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "MAX_LIFETIME_SECONDS",
    "KeySource",
    "RemoteKeys",
    "StaticKeys",
    "TokenVerifier",
    "TrustedIssuer",
    "parse_jwks",
    "verifier_from_settings",
]
