"""What callers ask the identity service to do (plain data; the HTTP layer and the
CLI build these)."""

from __future__ import annotations

from dataclasses import dataclass

from pesnet.shared.credentials import StaffRole


@dataclass(frozen=True)
class CreateAccount:
    username: str
    password: str
    roles: frozenset[StaffRole]
    country: str | None = None
    institution: str | None = None
    # the name staff pages show (the username where none is given)
    display_name: str | None = None


@dataclass(frozen=True)
class CreateFirstAdministrator:
    username: str
    password: str


@dataclass(frozen=True)
class EnsureDevAdministrator:
    """Dev mode only: the development administrator exists, can sign in with this
    password and is an administrator."""

    username: str
    password: str


@dataclass(frozen=True)
class ChangeRoles:
    account_id: str
    roles: frozenset[StaffRole]
    country: str | None = None
    institution: str | None = None


@dataclass(frozen=True)
class DisableAccount:
    account_id: str


@dataclass(frozen=True)
class EnableAccount:
    account_id: str


@dataclass(frozen=True)
class UnlockAccount:
    account_id: str


@dataclass(frozen=True)
class ResetPassword:
    account_id: str
    password: str


@dataclass(frozen=True)
class ChangeOwnPassword:
    account_id: str
    current_password: str
    new_password: str


@dataclass(frozen=True)
class SignIn:
    username: str
    password: str


@dataclass(frozen=True)
class IssueApiToken:
    account_id: str
    name: str
    days: int = 90


@dataclass(frozen=True)
class RevokeApiToken:
    account_id: str
    token_id: str


@dataclass(frozen=True)
class ExchangeApiToken:
    token: str
