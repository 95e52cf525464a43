"""Who is acting, and the bearer credentials that say so, once for every service.

- A person with an account: a short-lived access token (a JWT that the identity service,
  or an organisation's own OpenID Connect provider, signed), verified locally by an
  `AccessTokenVerifier` (`pesnet.shared.access_tokens`); the account's `StaffRole`s say
  what they may do, and the secretariat administrator may do everything.
- The secretariat: `PESNET_SECRETARIAT_TOKEN`, the shared bootstrap token; it counts as
  the administrator (dev/test mode, or wherever it is set and not switched off).
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
    staff = "staff"  # an account with staff roles other than administrator
    anonymous = "anonymous"


class StaffRole(StrEnum):
    """What a person with an account may do; every service checks these.
    The administrator holds every staff right."""

    administrator = "administrator"  # the secretariat administrator
    accreditation_officer = "accreditation_officer"
    programme_editor = "programme_editor"
    check_in_clerk = "check_in_clerk"
    actionplan_officer = "actionplan_officer"
    focal_point = "focal_point"  # a national focal point, scoped to a country
    partners_administrator = "partners_administrator"


# a signed manage link's token (`pesnet.shared.manage_links`)
MANAGE_LINK_PREFIX = "m1."


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
    # a person with an account (None for the shared token and the services' own tokens)
    account_id: str | None = None
    username: str | None = None
    roles: frozenset[StaffRole] = frozenset()

    @property
    def is_secretariat(self) -> bool:
        """The secretariat administrator: the shared token or an administrator's account."""
        return self.kind is ActorKind.secretariat

    def has(self, *roles: StaffRole) -> bool:
        """Holds one of `roles` (none given: any staff role); the administrator has all."""
        if self.is_secretariat or StaffRole.administrator in self.roles:
            return True
        return bool(self.roles & set(roles)) if roles else bool(self.roles)

    @property
    def audit_id(self) -> str:
        """Who this is in the audit trail and the `actorid` of events: the account id,
        else the kind of credential (and the id of the token's holder), never a name."""
        if self.account_id is not None:
            return self.account_id
        if self.focal_point_id is not None:
            return f"{self.kind.value}:{self.focal_point_id}"
        if self.registration_id is not None:
            return f"{self.kind.value}:{self.registration_id}"
        return self.kind.value

    @property
    def is_anonymous(self) -> bool:
        return self.kind is ActorKind.anonymous


ANONYMOUS = Actor(ActorKind.anonymous)
SECRETARIAT = Actor(ActorKind.secretariat, roles=frozenset({StaffRole.administrator}))


def account_actor(
    account_id: str,
    username: str,
    roles: frozenset[StaffRole],
    *,
    country: str | None = None,
    institution: str | None = None,
) -> Actor:
    """The actor of an account's verified access token. Its kind keeps the services'
    existing rules working: an administrator is the secretariat, a national focal point
    is a focal point of its country, any other role is staff."""
    if StaffRole.administrator in roles:
        kind = ActorKind.secretariat
    elif StaffRole.focal_point in roles and country is not None:
        kind = ActorKind.focal_point
    else:
        kind = ActorKind.staff
    return Actor(
        kind,
        country=country,
        institution=institution,
        account_id=account_id,
        username=username,
        roles=roles,
    )


def looks_like_jwt(token: str) -> bool:
    """A compact JWS: three base64url parts, the header a JSON object (`eyJ`)."""
    return token.startswith("eyJ") and token.count(".") == 2


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


def is_link_token(token: str | None) -> bool:
    """A token that may travel in a link's `?token=`: a manage link's (signed, or an
    older random `mt_` one) only (URLs end up in histories, logs and proxies; a staff
    credential must never be one)."""
    return token is not None and (
        prefix_of(token) is TokenPrefix.manage or token.startswith(MANAGE_LINK_PREFIX)
    )


def is_secretariat_token(presented: str, expected: SecretStr | None) -> bool:
    """Constant-time comparison with the configured secretariat token (none: never)."""
    return expected is not None and hmac.compare_digest(
        presented.encode(), expected.get_secret_value().encode()
    )


class AccessTokenVerifier(Protocol):
    """Verifies a signed access token locally; the actor it stands for, or None
    (bad signature, expired, another issuer or audience, a symmetric algorithm, ...)."""

    async def actor_for(self, token: str) -> Actor | None: ...


class TokenStore(Protocol):
    """A service's issued tokens: the actor a token's digest stands for, if any; and
    the actor a signed manage link stands for (`pesnet.shared.manage_links`), if the
    service reads those."""

    async def actor_for(self, prefix: TokenPrefix, token_hash: str) -> Actor | None: ...

    async def actor_for_link(self, token: str) -> Actor | None: ...


async def resolve_actor(
    token: str | None,
    *,
    secretariat_token: SecretStr | None,
    store: TokenStore | None,
    verifier: AccessTokenVerifier | None = None,
) -> Actor | None:
    """The actor a bearer token stands for; `ANONYMOUS` without a token, None for a
    token that is unknown, revoked, expired, forged or of a kind this service does not
    accept (an access token needs a `verifier`)."""
    if token is None:
        return ANONYMOUS
    if is_secretariat_token(token, secretariat_token):
        return SECRETARIAT
    if looks_like_jwt(token):
        return await verifier.actor_for(token) if verifier is not None else None
    if store is not None and token.startswith(MANAGE_LINK_PREFIX):
        return await store.actor_for_link(token)
    prefix = prefix_of(token)
    if prefix is None or store is None:
        return None
    return await store.actor_for(prefix, hash_secret_token(token))


__all__ = [
    "ANONYMOUS",
    "SECRETARIAT",
    "AccessTokenVerifier",
    "Actor",
    "ActorKind",
    "StaffRole",
    "TokenPrefix",
    "TokenStore",
    "account_actor",
    "hash_secret_token",
    "is_link_token",
    "is_secretariat_token",
    "looks_like_jwt",
    "new_secret_token",
    "prefix_of",
    "resolve_actor",
]
