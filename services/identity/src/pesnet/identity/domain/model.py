"""Accounts, their roles and scope, personal API tokens, and the sign-in lockout.

Pure: no I/O. Password hashing and token signing are ports of the service layer;
here a password hash is an opaque string that never leaves the account.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pesnet.shared.credentials import StaffRole, hash_secret_token
from pesnet.shared.errors import Conflict, InvalidInput, TooManyRequests, Unauthorized
from pesnet.shared.i18n import format_wait
from pesnet.shared.reference import is_member_state
from pesnet.shared.translation import _

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
API_TOKEN_PREFIX = "pat"  # noqa: S105 - a prefix, not a secret


class InvalidCredentials(Unauthorized):
    """Wrong username or password (never says which), a disabled account, or an
    unknown, expired or revoked API token."""

    def __init__(self) -> None:
        super().__init__(_("wrong username or password, or an unusable token"))


class SignInLocked(TooManyRequests):
    """Too many failed sign-ins for this username; said the same way whether or not
    an account has it (429 with `Retry-After`)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            _("too many failed sign-ins for this username: try again in {wait}"),
            retry_after_seconds=retry_after_seconds,
            params={"wait": format_wait(retry_after_seconds)},
        )


def normalize_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    name = normalize_username(username)
    if not USERNAME.match(name):
        raise InvalidInput(
            _("3 to 64 characters: letters, digits and . _ @ -, starting with a letter or digit"),
            field="username",
        )
    return name


def check_password(password: str, *, username: str, field_name: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("a password has at least {length} characters"),
            field=field_name,
            params={"length": MIN_PASSWORD_LENGTH},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            _("a password has at most {length} characters"),
            field=field_name,
            params={"length": MAX_PASSWORD_LENGTH},
        )
    if normalize_username(password) == username:
        raise InvalidInput(_("a password may not be the username"), field=field_name)


@dataclass(frozen=True)
class Scope:
    """What an account may do: its roles, and the country (and institution) a
    national focal point speaks for."""

    roles: frozenset[StaffRole]
    country: str | None = None
    institution: str | None = None

    @classmethod
    def of(cls, roles: frozenset[StaffRole], country: str | None, institution: str | None) -> Scope:
        if not roles:
            raise InvalidInput(_("an account has at least one role"), field="roles")
        is_focal_point = StaffRole.focal_point in roles
        if is_focal_point and country is None:
            raise InvalidInput(_("a national focal point is scoped to a country"), field="country")
        if country is not None:
            if not is_focal_point:
                raise InvalidInput(_("only a national focal point has a country"), field="country")
            if not is_member_state(country):
                raise InvalidInput(_("not an OIC member state (ISO 3166 alpha-3)"), field="country")
        if institution is not None and not is_focal_point:
            raise InvalidInput(
                _("only a national focal point has an institution"), field="institution"
            )
        return cls(roles, country, institution)

    def sorted_roles(self) -> list[StaffRole]:
        return sorted(self.roles)


@dataclass
class Account:
    id: str
    username: str
    password_hash: str
    scope: Scope
    created_at: datetime
    disabled: bool = False
    last_sign_in_at: datetime | None = None

    @classmethod
    def open(cls, username: str, password_hash: str, scope: Scope, now: datetime) -> Account:
        return cls(
            id=f"acc_{uuid.uuid4().hex}",
            username=username,
            password_hash=password_hash,
            scope=scope,
            created_at=now,
        )

    @property
    def is_administrator(self) -> bool:
        return StaffRole.administrator in self.scope.roles and not self.disabled

    def can_sign_in(self) -> bool:
        return not self.disabled


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)


@dataclass
class SignInThrottle:
    """The sign-in attempts of one username that no success followed yet (whether or
    not an account has the username, so that the answer never tells which usernames
    exist), and the lock they led to. An attempt is counted before its password is
    checked, so attempts made at once are counted at once: the ones past the limit are
    refused without a check, and the lock is set by whichever attempt gets there."""

    username: str
    failures: int = 0
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def retry_after(self, now: datetime) -> int:
        if self.locked_until is None:
            return 0
        return max(1, int((self.locked_until - now).total_seconds()))

    def past_the_limit(self, policy: LockoutPolicy) -> bool:
        """More attempts than the policy allows without a success: refused unchecked."""
        return self.failures > policy.max_failures

    def locks_when_failed(self, policy: LockoutPolicy) -> bool:
        """This attempt, once it failed, is the one that reaches the limit (or beyond)."""
        return self.failures >= policy.max_failures


@dataclass
class ApiToken:
    """A person's API token, for scripts: exchanged for short-lived access tokens.
    Only its SHA-256 digest is stored; the token itself is shown once."""

    id: str
    account_id: str
    name: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @classmethod
    def issue(
        cls, account_id: str, name: str, now: datetime, lifetime: timedelta
    ) -> tuple[ApiToken, str]:
        """The token and its secret (to hand out once, never stored)."""
        secret = f"{API_TOKEN_PREFIX}_{secrets.token_urlsafe(32)}"
        token = cls(
            id=f"tok_{uuid.uuid4().hex[:16]}",
            account_id=account_id,
            name=name,
            token_hash=hash_secret_token(secret),
            created_at=now,
            expires_at=now + lifetime,
        )
        return token, secret

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is not None:
            raise Conflict(_("this token is already revoked"))
        self.revoked_at = now


@dataclass(frozen=True)
class AccessClaims:
    """What an access token says about its holder (the signer adds iss, aud, exp...)."""

    subject: str
    username: str
    roles: list[StaffRole]
    country: str | None = None
    institution: str | None = None

    @classmethod
    def of(cls, account: Account) -> AccessClaims:
        return cls(
            subject=account.id,
            username=account.username,
            roles=account.scope.sorted_roles(),
            country=account.scope.country,
            institution=account.scope.institution,
        )

    def claims(self) -> dict[str, object]:
        out: dict[str, object] = {
            "sub": self.subject,
            "preferred_username": self.username,
            "roles": [r.value for r in self.roles],
        }
        if self.country is not None:
            out["country"] = self.country
        if self.institution is not None:
            out["institution"] = self.institution
        return out
