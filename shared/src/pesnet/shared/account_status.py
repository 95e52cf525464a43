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
from pesnet.shared.messaging import EventConsumer, HandlerContext
from pesnet.shared.mongo import Database, after_commit

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


def follow_account_status(
    consumer: EventConsumer, catalog: EventCatalog, accounts: DisabledAccounts
) -> None:
    """Keep `accounts` up to date from identity's events (where the catalog has them)."""
    try:
        disabled, enabled = catalog.type_of(AccountDisabled), catalog.type_of(AccountEnabled)
    except UnknownEventType:
        return  # a catalog without identity's events (a kernel test's)

    @consumer.on_type(disabled)
    async def account_disabled(event: AccountDisabled, context: HandlerContext) -> None:
        await accounts.collection.update_one(
            {"_id": event.account_id},
            {"$set": {"disabled_at": context.event.time}},
            upsert=True,
            session=context.session,
        )
        after_commit(accounts.changed)

    @consumer.on_type(enabled)
    async def account_enabled(event: AccountEnabled, context: HandlerContext) -> None:
        await accounts.collection.delete_one({"_id": event.account_id}, session=context.session)
        after_commit(accounts.changed)


__all__ = ["DISABLED_ACCOUNTS", "DisabledAccounts", "follow_account_status"]
