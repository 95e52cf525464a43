"""What the identity's use cases work with: an abstract unit of work holding the
repositories and the ports (password hashing, token signing, the clock), which
`adapters/` implement and `bootstrap` wires."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, Protocol

from pesnet.identity.domain.model import (
    Account,
    ApiToken,
    LockoutPolicy,
    SignInThrottle,
)
from pesnet.shared.unit_of_work import UnitOfWork


class AccountRepository(ABC):
    @abstractmethod
    async def get(self, account_id: str) -> Account | None: ...

    @abstractmethod
    async def by_username(self, username: str) -> Account | None: ...

    @abstractmethod
    async def add(self, account: Account) -> None:
        """Raises `Conflict` if the username is taken."""

    @abstractmethod
    async def save(self, account: Account) -> None: ...

    @abstractmethod
    async def list(self) -> list[Account]: ...

    @abstractmethod
    async def count_administrators(self) -> int:
        """Enabled accounts with the administrator role."""


class ApiTokenRepository(ABC):
    @abstractmethod
    async def add(self, token: ApiToken) -> None: ...

    @abstractmethod
    async def get(self, token_id: str) -> ApiToken | None: ...

    @abstractmethod
    async def by_hash(self, token_hash: str) -> ApiToken | None: ...

    @abstractmethod
    async def of_account(self, account_id: str) -> list[ApiToken]: ...

    @abstractmethod
    async def save(self, token: ApiToken) -> None: ...


class SignInThrottleRepository(ABC):
    """Each operation is atomic on its own, outside any transaction: concurrent sign-ins
    must see each other's attempts at once."""

    @abstractmethod
    async def attempt(self, username: str, now: datetime) -> SignInThrottle:
        """Count one more attempt of `username` (a lock that ran out starts the count
        again at this one) and give the throttle as it is after it."""

    @abstractmethod
    async def lock(self, username: str, now: datetime, until: datetime) -> bool:
        """Lock `username` until `until` unless it is locked already; True if this
        call locked it."""

    @abstractmethod
    async def succeed(self, username: str, now: datetime) -> bool:
        """A right password: clear the count, unless the username is locked (then
        False, and the sign-in is refused)."""

    @abstractmethod
    async def clear(self, username: str) -> None: ...


class PasswordHasher(Protocol):
    """argon2id in production; slow on purpose, so it runs off the event loop and
    outside transactions."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """False for a wrong password; for None (no such account), spends the same
        time as a real check so that timing tells no username."""
        ...


class AccessTokenSigner(Protocol):
    """Signs access tokens with the newest signing key."""

    @property
    def lifetime_seconds(self) -> int: ...

    def sign(self, claims: dict[str, Any]) -> str:
        """A JWT with these claims plus iss, aud, iat, exp, jti and a `kid` header."""
        ...


class PublicKeys(Protocol):
    def jwks(self) -> dict[str, Any]:
        """The published keys (all of them: a token signed with a retired key stays
        verifiable until it expires)."""
        ...


class IdentityUnitOfWork(UnitOfWork):
    """Repositories are usable outside `run` too, for reads that need no transaction."""

    accounts: AccountRepository
    api_tokens: ApiTokenRepository
    throttles: SignInThrottleRepository
    passwords: PasswordHasher
    signer: AccessTokenSigner
    lockout: LockoutPolicy
    api_token_max_days: int

    @abstractmethod
    def now(self) -> datetime: ...
