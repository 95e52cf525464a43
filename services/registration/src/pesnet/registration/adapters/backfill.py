"""Registrations stored before badges had a short code and names had search keys
(`short_code`, `name_keys`) get them once, when a replica starts: the desk then finds
them by name and by code like anyone registered since.

Safe to run again and on several replicas at once: the name keys are computed from
the names, so whoever writes them writes the same; a short code is written only where
none is yet (a conditional update), so the first replica's code stays and the others'
updates match nothing; a code another person of the meeting holds is refused by the
unique index and drawn again. A purged registration has no name and needs no code."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from pesnet.registration.adapters.collections import REGISTRATIONS
from pesnet.registration.domain.badges import new_short_code
from pesnet.registration.domain.search import name_keys
from pesnet.shared.logging import get_logger
from pesnet.shared.mongo import Collection, Database, Document

log = get_logger(__name__)

NO_SHORT_CODE: Document = {"short_code": {"$not": {"$type": "string"}}}
NO_NAME_KEYS: Document = {"name_keys": {"$exists": False}}
# a drawn code taken in the meeting (1 in 10^5 at 2,000 people) is drawn again
DRAWS = 10


async def fill_in_old_registrations(db: Database) -> int:
    """Give every registration stored without them its short code and name keys;
    the number this call filled in."""
    collection = db[REGISTRATIONS]
    old = collection.find(
        {"personal_data_purged_at": None, "$or": [NO_SHORT_CODE, NO_NAME_KEYS]},
        projection={"given_name": 1, "family_name": 1, "name_latin": 1},
    )
    filled = 0
    async for doc in old:
        filled += await _fill_in(collection, doc)
    if filled:
        log.info("old registrations filled in", registrations=filled)
    return filled


async def _fill_in(collection: Collection, doc: Document) -> int:
    keys = name_keys(doc.get("given_name"), doc.get("family_name"), doc.get("name_latin"))
    named = await collection.update_one(
        {"_id": doc["_id"], **NO_NAME_KEYS}, {"$set": {"name_keys": keys}}
    )
    for _ in range(DRAWS):
        try:
            coded = await collection.update_one(
                {"_id": doc["_id"], **NO_SHORT_CODE}, {"$set": {"short_code": new_short_code()}}
            )
        except DuplicateKeyError:
            continue
        return int(bool(named.modified_count or coded.modified_count))
    log.warning("no free short code drawn", registration_id=doc["_id"])  # pragma: no cover
    return int(bool(named.modified_count))  # pragma: no cover
