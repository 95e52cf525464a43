"""Accounts disabled at identity, known to every service within seconds.

Access tokens are verified locally and live up to 15 minutes, so a token alone cannot
say that its account was disabled a minute ago. Identity announces it
(`identity.account.disabled`, and `identity.account.enabled` when it is undone); every
service's consumer keeps the disabled account ids in its own `disabled_accounts`
collection (in the inbox transaction, like any projection), and `current_actor`
refuses an access token of an account found there: a 401 for a bearer token, no
session for a cookie. Each replica reads the (small) collection again at most every
`REFRESH_SECONDS`, and at once after its own consumer changed it."""

from __future__ import annotations

import time

from pesnet.shared.catalog import EventCatalog, UnknownEventType
from pesnet.shared.events.identity import AccountDisabled, AccountEnabled
from pesnet.shared.messaging import Subscriptions, on
from pesnet.shared.mongo import Database, after_commit
from pesnet.shared.unit_of_work import MongoUnitOfWork

DISABLED_ACCOUNTS = "disabled_accounts"
REFRESH_SECONDS = 2.0


class DisabledAccounts:
    """The ids of the disabled accounts, as this service's database knows them."""

    def __init__(self, db: Database, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.collection = db[DISABLED_ACCOUNTS]
        self.refresh_seconds = refresh_seconds
        self._known: frozenset[str] = frozenset()
        self._read_at: float | None = None

    async def contains(self, account_id: str) -> bool:
        now = time.monotonic()
        if self._read_at is None or now - self._read_at >= self.refresh_seconds:
            ids = await self.collection.distinct("_id")
            self._known, self._read_at = frozenset(str(i) for i in ids), now
        return account_id in self._known

    def changed(self) -> None:
        """Read the collection again at the next check."""
        self._read_at = None


def account_status_subscriptions(
    catalog: EventCatalog, accounts: DisabledAccounts
) -> Subscriptions | None:
    """The rows every service's consumer takes to keep `accounts` up to date from
    identity's events (None for a catalog without them: a kernel test's)."""
    try:
        catalog.type_of(AccountDisabled)
        catalog.type_of(AccountEnabled)
    except UnknownEventType:
        return None

    async def account_disabled(event: AccountDisabled, uow: MongoUnitOfWork) -> None:
        at = uow.cause.time if uow.cause is not None else None
        await accounts.collection.update_one(
            {"_id": event.account_id},
            {"$set": {"disabled_at": at}},
            upsert=True,
            session=uow.transaction,
        )
        after_commit(accounts.changed)

    async def account_enabled(event: AccountEnabled, uow: MongoUnitOfWork) -> None:
        await accounts.collection.delete_one({"_id": event.account_id}, session=uow.transaction)
        after_commit(accounts.changed)

    return Subscriptions(on(AccountDisabled, account_disabled), on(AccountEnabled, account_enabled))


__all__ = ["DISABLED_ACCOUNTS", "DisabledAccounts", "account_status_subscriptions"]
