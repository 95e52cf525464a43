"""The names accounts are shown by, known to every service: identity announces an
account's display name (`identity.account.named`); every service's consumer keeps it in
its own `account_names` collection (in the inbox transaction, like any projection), so
that its audit page says who acted ("Amina Benali") rather than an account id."""

from __future__ import annotations

from collections.abc import Iterable

from pesnet.shared.catalog import EventCatalog, UnknownEventType
from pesnet.shared.events.identity import AccountNamed
from pesnet.shared.messaging import Subscriptions, on
from pesnet.shared.mongo import Database
from pesnet.shared.unit_of_work import MongoUnitOfWork

ACCOUNT_NAMES = "account_names"


class AccountNames:
    """Account id → the name it is shown by, as this service's database knows them."""

    def __init__(self, db: Database) -> None:
        self.collection = db[ACCOUNT_NAMES]

    async def names_of(self, account_ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(account_ids))
        cursor = self.collection.find({"_id": {"$in": wanted}})
        return {str(doc["_id"]): str(doc["name"]) async for doc in cursor}


def account_names_subscriptions(catalog: EventCatalog, names: AccountNames) -> Subscriptions | None:
    """The row every service's consumer takes to keep `names` (None for a catalog
    without identity's events: a kernel test's)."""
    try:
        catalog.type_of(AccountNamed)
    except UnknownEventType:
        return None

    async def account_named(event: AccountNamed, uow: MongoUnitOfWork) -> None:
        await names.collection.update_one(
            {"_id": event.account_id},
            {"$set": {"name": event.display_name}},
            upsert=True,
            session=uow.transaction,
        )

    return Subscriptions(on(AccountNamed, account_named))


__all__ = ["ACCOUNT_NAMES", "AccountNames", "account_names_subscriptions"]
