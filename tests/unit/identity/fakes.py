"""An in-memory identity unit of work: dictionaries for repositories, a clock the
test moves, plain-text "hashes" (argon2 is tested where it runs), a real key ring."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from pesnet.identity.adapters.keys import KeyRing, generate_key
from pesnet.identity.domain.model import Account, ApiToken, LockoutPolicy, SignInThrottle
from pesnet.identity.service_layer.unit_of_work import (
    AccountRepository,
    ApiTokenRepository,
    IdentityUnitOfWork,
    SignInThrottleRepository,
)
from pesnet.shared.credentials import StaffRole
from pesnet.shared.errors import Conflict
from pesnet.shared.unit_of_work import FakeUnitOfWork

ISSUER = "urn:pesnet:identity"
AUDIENCE = "pesnet"


class FakeAccounts(AccountRepository):
    def __init__(self) -> None:
        self.items: dict[str, Account] = {}

    async def get(self, account_id: str) -> Account | None:
        return copy.deepcopy(self.items.get(account_id))

    async def by_username(self, username: str) -> Account | None:
        found = next((a for a in self.items.values() if a.username == username), None)
        return copy.deepcopy(found)

    async def add(self, account: Account) -> None:
        if any(a.username == account.username for a in self.items.values()):
            raise Conflict("this username is taken", field="username")
        self.items[account.id] = copy.deepcopy(account)

    async def save(self, account: Account) -> None:
        self.items[account.id] = copy.deepcopy(account)

    async def list(self) -> list[Account]:
        return sorted(self.items.values(), key=lambda a: a.username)

    async def count_administrators(self) -> int:
        return sum(1 for a in self.items.values() if a.is_administrator)


class FakeApiTokens(ApiTokenRepository):
    def __init__(self) -> None:
        self.items: dict[str, ApiToken] = {}

    async def add(self, token: ApiToken) -> None:
        self.items[token.id] = copy.deepcopy(token)

    async def get(self, token_id: str) -> ApiToken | None:
        return copy.deepcopy(self.items.get(token_id))

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        found = next((t for t in self.items.values() if t.token_hash == token_hash), None)
        return copy.deepcopy(found)

    async def of_account(self, account_id: str) -> list[ApiToken]:
        return [t for t in self.items.values() if t.account_id == account_id]

    async def save(self, token: ApiToken) -> None:
        self.items[token.id] = copy.deepcopy(token)


class FakeThrottles(SignInThrottleRepository):
    """In memory, where every operation is atomic anyway (no await inside)."""

    def __init__(self) -> None:
        self.items: dict[str, SignInThrottle] = {}

    async def attempt(self, username: str, now: datetime) -> SignInThrottle:
        throttle = self.items.setdefault(username, SignInThrottle(username))
        if throttle.locked_until is not None and throttle.locked_until <= now:
            throttle.failures, throttle.locked_until = 0, None
        throttle.failures += 1
        return copy.deepcopy(throttle)

    async def lock(self, username: str, now: datetime, until: datetime) -> bool:
        throttle = self.items.setdefault(username, SignInThrottle(username))
        if throttle.locked(now):
            return False
        throttle.locked_until = until
        return True

    async def succeed(self, username: str, now: datetime) -> bool:
        throttle = self.items.get(username)
        if throttle is not None and throttle.locked(now):
            return False
        self.items.pop(username, None)
        return True

    async def clear(self, username: str) -> None:
        self.items.pop(username, None)


class FakePasswords:
    """Not a hash: a marker that shows a password never reaches events."""

    async def hash(self, password: str) -> str:
        return f"hashed:{password}"

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return password_hash == f"hashed:{password}"


class FakeIdentityUnitOfWork(FakeUnitOfWork, IdentityUnitOfWork):
    stores = ("accounts", "api_tokens", "throttles")
    accounts: FakeAccounts
    api_tokens: FakeApiTokens
    throttles: FakeThrottles

    def __init__(self) -> None:
        super().__init__()
        self.accounts = FakeAccounts()
        self.api_tokens = FakeApiTokens()
        self.throttles = FakeThrottles()
        self.passwords = FakePasswords()
        self.keys = KeyRing(
            issuer=ISSUER, audience=AUDIENCE, lifetime=timedelta(minutes=15), keys=[generate_key()]
        )
        self.signer = self.keys
        self.lockout = LockoutPolicy(max_failures=5, lock_for=timedelta(minutes=15))
        self.api_token_max_days = 365
        self.clock = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.clock

    def later(self, **delta: Any) -> None:
        self.clock += timedelta(**delta)


ADMIN = frozenset({StaffRole.administrator})
