"""Events published by the identity service: every change to an account or its API
tokens, by account id. Internal. No event carries a username (a credential's half), a
password, a password hash, a token or a token's digest; only `identity.account.named`
carries the name staff pages show for an account (who did what, on the audit pages)."""

from __future__ import annotations

from datetime import datetime

from pesnet.shared.catalog import EventPayload, EventSpec
from pesnet.shared.credentials import StaffRole
from pesnet.shared.events.common import Country


class AccountEvent(EventPayload):
    account_id: str
    # the account (or kind of credential) that made the change; None: the system
    by: str | None = None


class AccountCreated(AccountEvent):
    """v2: without the username (no consumer needs it, and the event waited in
    `pesnet.unrouted` with it)."""

    roles: list[StaffRole]
    country: Country | None = None
    institution: str | None = None


class AccountNamed(AccountEvent):
    """The name an account is shown by (its holder's name; the username where none was
    given), for the services' audit pages to say who acted, not which account id."""

    display_name: str


class AccountRolesChanged(AccountEvent):
    roles: list[StaffRole]
    previous_roles: list[StaffRole]
    country: Country | None = None
    institution: str | None = None


class AccountDisabled(AccountEvent):
    pass


class AccountEnabled(AccountEvent):
    pass


class AccountLocked(AccountEvent):
    """Too many failed sign-ins in a row; it unlocks by itself at `until`."""

    until: datetime
    failures: int


class AccountUnlocked(AccountEvent):
    pass


class AccountPasswordReset(AccountEvent):
    """The password was set anew (by an administrator or its holder)."""


class ApiTokenIssued(AccountEvent):
    token_id: str
    name: str
    expires_at: datetime


class ApiTokenRevoked(AccountEvent):
    token_id: str


EVENTS = (
    EventSpec("identity.account.created", AccountCreated, "An account was created.", version=2),
    EventSpec(
        "identity.account.named",
        AccountNamed,
        "The name an account is shown by on staff pages was set (at its creation).",
    ),
    EventSpec(
        "identity.account.roles_changed",
        AccountRolesChanged,
        "An account's roles (or its country or institution scope) changed.",
    ),
    EventSpec("identity.account.disabled", AccountDisabled, "An account was disabled."),
    EventSpec("identity.account.enabled", AccountEnabled, "A disabled account was enabled."),
    EventSpec(
        "identity.account.locked",
        AccountLocked,
        "An account was locked after repeated failed sign-ins.",
    ),
    EventSpec(
        "identity.account.unlocked", AccountUnlocked, "An administrator unlocked an account."
    ),
    EventSpec(
        "identity.account.password_reset",
        AccountPasswordReset,
        "An account's password was set anew (the event carries no password).",
    ),
    EventSpec(
        "identity.api_token.issued",
        ApiTokenIssued,
        "A personal API token was issued (the event carries no token).",
    ),
    EventSpec("identity.api_token.revoked", ApiTokenRevoked, "A personal API token was revoked."),
)
