"""Who is acting, and the bearer credentials that say so, once for every service.

- The secretariat: `PESNET_SECRETARIAT_TOKEN` (until accounts replace it).
- A national focal point: a `fp_…` token the secretariat issued, bound to a country
  (and, in the action plan, to an institution).
- A registrant: the `mt_…` manage token of one registration, from their mail.

Issued tokens are 256-bit random values stored only as SHA-256 digests: a plain digest
cannot be brute-forced, and a leaked database hands out no working token. Each service
keeps the tokens it issued (a `TokenStore`); which actor may do what is the service's
own domain rule. This module does no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from pydantic import SecretStr


class ActorKind(StrEnum):
    secretariat = "secretariat"
    focal_point = "focal_point"
    registrant = "registrant"
    anonymous = "anonymous"


class TokenPrefix(StrEnum):
    focal_point = "fp"
    manage = "mt"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    country: str | None = None
    institution: str | None = None
    registration_id: str | None = None
    focal_point_id: str | None = None

    @property
    def is_secretariat(self) -> bool:
        return self.kind is ActorKind.secretariat

    @property
    def is_anonymous(self) -> bool:
        return self.kind is ActorKind.anonymous


ANONYMOUS = Actor(ActorKind.anonymous)
SECRETARIAT = Actor(ActorKind.secretariat)


def new_secret_token(prefix: TokenPrefix) -> str:
    return f"{prefix.value}_{secrets.token_urlsafe(32)}"


def hash_secret_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prefix_of(token: str) -> TokenPrefix | None:
    head, sep, _ = token.partition("_")
    if not sep:
        return None
    try:
        return TokenPrefix(head)
    except ValueError:
        return None


def is_secretariat_token(presented: str, expected: SecretStr | None) -> bool:
    """Constant-time comparison with the configured secretariat token (none: never)."""
    return expected is not None and hmac.compare_digest(
        presented.encode(), expected.get_secret_value().encode()
    )


class TokenStore(Protocol):
    """A service's issued tokens: the actor a token's digest stands for, if any."""

    async def actor_for(self, prefix: TokenPrefix, token_hash: str) -> Actor | None: ...


async def resolve_actor(
    token: str | None, *, secretariat_token: SecretStr | None, store: TokenStore | None
) -> Actor | None:
    """The actor a bearer token stands for; `ANONYMOUS` without a token, None for a
    token that is unknown, revoked or of a kind this service does not issue."""
    if token is None:
        return ANONYMOUS
    if is_secretariat_token(token, secretariat_token):
        return SECRETARIAT
    prefix = prefix_of(token)
    if prefix is None or store is None:
        return None
    return await store.actor_for(prefix, hash_secret_token(token))


__all__ = [
    "ANONYMOUS",
    "SECRETARIAT",
    "Actor",
    "ActorKind",
    "TokenPrefix",
    "TokenStore",
    "hash_secret_token",
    "is_secretariat_token",
    "new_secret_token",
    "prefix_of",
    "resolve_actor",
]
