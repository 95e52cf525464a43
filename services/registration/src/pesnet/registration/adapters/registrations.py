"""Registrations on MongoDB (`registrations`), and the first outcomes kept for
`Idempotency-Key` retries (`idempotency`), which are snapshots of registrations."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError, OperationFailure

from pesnet.registration.adapters.collections import (
    IDEMPOTENCY,
    REGISTRATIONS,
    SHORT_CODE_INDEX,
    plain,
)
from pesnet.registration.domain.access import Status
from pesnet.registration.domain.outcomes import OUTCOMES, Outcome
from pesnet.registration.domain.registration import Registration
from pesnet.registration.domain.roster import Listed
from pesnet.registration.domain.search import name_keys
from pesnet.registration.service_layer.unit_of_work import (
    EMAIL_TAKEN,
    Registrations,
    Replay,
    Replays,
)
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Conflict
from pesnet.shared.events.common import Role
from pesnet.shared.i18n import Language
from pesnet.shared.mongo import Database, DbSession, Document, deferred
from pesnet.shared.translation import Message, _

# registrations ---------------------------------------------------------------------

_REGISTRATION_FIELDS = [f.name for f in dataclasses.fields(Registration) if f.name != "id"]
_REGISTRATION_DATES = [
    f.name for f in dataclasses.fields(Registration) if "datetime" in str(f.type)
]


def registration_document(registration: Registration) -> Document:
    doc: Document = {
        "_id": registration.id,
        "email_key": registration.email_key,
        "name_keys": name_keys(
            registration.given_name, registration.family_name, registration.name_latin
        ),
    }
    for name in _REGISTRATION_FIELDS:
        doc[name] = plain(getattr(registration, name))
    return doc


def registration_of(doc: Document) -> Registration:
    values: dict[str, Any] = {name: doc.get(name) for name in _REGISTRATION_FIELDS}
    values["role"] = Role(doc["role"])
    values["language"] = Language(doc["language"])
    values["status"] = Status(doc["status"])
    if values["interpretation"] is not None:
        values["interpretation"] = Language(values["interpretation"])
    values["promoted_from_waitlist"] = bool(values["promoted_from_waitlist"])
    if "manage_link_version" not in doc and doc.get("personal_data_purged_at") is None:
        # stored before manage links were signed: its first link version
        values["manage_link_version"] = 1
    return Registration(id=str(doc["_id"]), **values)


# a list's enums by their stored values
_STATUSES = {s.value: s for s in Status}
_ROLES = {r.value: r for r in Role}


def listed_of(doc: Document) -> Listed:
    """The row of a registration's document (`Listed`: only the fields a list shows)."""
    get = doc.get
    return Listed(
        id=str(doc["_id"]),
        status=_STATUSES[doc["status"]],
        role=_ROLES[doc["role"]],
        registered_at=doc["registered_at"],
        country=get("country"),
        given_name=get("given_name"),
        family_name=get("family_name"),
        name_latin=get("name_latin"),
        email=get("email"),
        institution=get("institution"),
        institution_id=get("institution_id"),
        position=get("position"),
        short_code=get("short_code"),
        checked_in_at=get("checked_in_at"),
        attendance=get("attendance"),
        waitlist_seq=get("waitlist_seq"),
    )


def _refusal(details: Document) -> Exception:
    """A duplicate key in a new registration: its short code drawn by another person of
    the meeting (a transient error: the transaction's work runs again, with a new draw),
    else the address already registered."""
    if SHORT_CODE_INDEX in str(details.get("errmsg", "")) or "short_code" in (
        details.get("keyPattern") or {}
    ):
        return OperationFailure(
            "two registrations drew the same badge code",
            code=11000,
            details={**details, "errorLabels": ["TransientTransactionError"]},
        )
    return Conflict(EMAIL_TAKEN, field="email")


def _registration_order(doc: Document) -> tuple[bool, datetime, str]:
    """The registration order as MongoDB sorts it: by date (none first), then id."""
    at = doc.get("registered_at")
    return (at is not None, at or _EARLIEST, str(doc["_id"]))


_EARLIEST = datetime.min.replace(tzinfo=UTC)
# a list's documents in one reply (the store reads them all before its first batch)
_LIST_BATCH = 10_000


def _by_name(doc: Document) -> tuple[bool, str, bool, str, str]:
    """By family name then given name (none first, as MongoDB sorts), then id."""
    family, given = doc.get("family_name"), doc.get("given_name")
    return (family is not None, family or "", given is not None, given or "", str(doc["_id"]))


def _check_in_order(doc: Document) -> tuple[bool, str, bool, str, bool, str, str]:
    """By country, family name and given name (none first, as MongoDB sorts), then id."""
    country = doc.get("country")
    return (country is not None, country or "", *_by_name(doc)[:4], str(doc["_id"]))


def _starting_with(prefix: str) -> Document:
    """The strings that start with `prefix`, as a range (an index answers it)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return {"$gte": prefix}
    after = 0xE000 if last == 0xD7FF else last + 1  # no surrogate
    return {"$gte": prefix, "$lt": prefix[:-1] + chr(after)}


def _meeting_query(
    meeting_id: str,
    status: Status | tuple[Status, ...] | None,
    country: str | None,
    role: Role | None,
) -> Document:
    query: Document = {"meeting_id": meeting_id}
    if country is not None:
        query["country"] = country
    if isinstance(status, tuple):  # any of them (`$in`: the index still answers it)
        query["status"] = {"$in": [s.value for s in status]}
    elif status is not None:
        query["status"] = status.value
    if role is not None:
        query["role"] = role.value
    return query


class MongoRegistrations(Registrations):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[REGISTRATIONS]
        self.session = session

    def _saw(self, registration: Registration | None) -> Registration | None:
        self.saw(registration)
        return registration

    async def get(self, registration_id: str) -> Registration | None:
        doc = await self.collection.find_one({"_id": registration_id}, session=self.session)
        return self._saw(None if doc is None else registration_of(doc))

    async def add(self, registration: Registration) -> None:
        self.saw(registration)
        if (batch := deferred(self.session)) is not None:
            # written with the transaction's last writes (nothing reads it back before);
            # a short code another person of the meeting drew (1 in 10^5 at 2,000 people)
            # fails that write on the unique index: the transaction is retried, and the
            # work draws a new code, instead of a look before every insert
            batch.insert(self.collection, registration_document(registration), _refusal)
            return
        try:
            await self.collection.insert_one(
                registration_document(registration), session=self.session
            )
        except DuplicateKeyError as exc:
            if SHORT_CODE_INDEX in str(exc):  # pragma: no cover - a concurrent same draw
                raise Conflict(_("two registrations drew the same badge code: try again")) from None
            raise Conflict(EMAIL_TAKEN, field="email") from None

    async def save(self, registration: Registration) -> None:
        self.saw(registration)
        try:
            await self.collection.replace_one(
                {"_id": registration.id}, registration_document(registration), session=self.session
            )
        except DuplicateKeyError:
            raise Conflict(EMAIL_TAKEN, field="email") from None

    async def _find(self, query: Document, sort: list[tuple[str, int]]) -> list[Registration]:
        cursor = self.collection.find(query, session=self.session).sort(sort)
        return [registration_of(doc) async for doc in cursor]

    async def of_meeting(
        self,
        meeting_id: str,
        *,
        status: Status | None = None,
        country: str | None = None,
        role: Role | None = None,
    ) -> list[Registration]:
        docs = await self._in_order(_meeting_query(meeting_id, status, country, role))
        return [registration_of(doc) for doc in docs]

    async def _in_order(self, query: Document) -> list[Document]:
        # put in order here: the embedded store sorts thousands of documents by a date
        # three times slower than it finds them (measured: 260 ms against 83 at 2,000)
        docs = await self._all(query)
        docs.sort(key=_registration_order)
        return docs

    async def _all(self, query: Document) -> list[Document]:
        """The whole documents of `query` in one reply. Whole, for a list's rows too:
        the embedded store decodes each whole anyway, and projecting them (in Python)
        costs it more than sending them does (measured at 2,000: 105 ms projected to
        `Listed`'s fields against 91 whole, the driver's decoding included); in one
        reply: it has read them all before its first batch."""
        cursor = self.collection.find(query, session=self.session, batch_size=_LIST_BATCH)
        return await cursor.to_list(None)

    async def listed_of(
        self,
        meeting_id: str,
        *,
        status: Status | tuple[Status, ...] | None = None,
        country: str | None = None,
        role: Role | None = None,
    ) -> list[Listed]:
        docs = await self._in_order(_meeting_query(meeting_id, status, country, role))
        return [listed_of(doc) for doc in docs]

    async def page_of_meeting(
        self,
        meeting_id: str,
        *,
        status: Status | None = None,
        country: str | None = None,
        role: Role | None = None,
        skip: int,
        limit: int,
    ) -> tuple[int, list[Listed]]:
        # the order of all of them from two of their fields, then the page's documents
        # by id: one pass over the meeting's documents instead of a count and a sorted
        # skip (the store sorts in Python, and counts by reading every document too).
        # Measured at 2,000: the whole documents of all in one query cost this process
        # 25 ms more to decode than the second query costs the store
        query = _meeting_query(meeting_id, status, country, role)
        keys = await self.collection.find(
            query, projection={"registered_at": 1}, session=self.session, batch_size=_LIST_BATCH
        ).to_list(None)
        keys.sort(key=_registration_order)
        ids = [key["_id"] for key in keys[skip : skip + limit]]
        cursor = self.collection.find({"_id": {"$in": ids}}, session=self.session)
        found = {doc["_id"]: doc async for doc in cursor}
        return len(keys), [listed_of(found[i]) for i in ids if i in found]

    async def with_short_code(self, meeting_id: str, code: str) -> Registration | None:
        doc = await self.collection.find_one(
            {"meeting_id": meeting_id, "short_code": code}, session=self.session
        )
        return None if doc is None else registration_of(doc)

    async def named(self, meeting_id: str, words: list[str], limit: int) -> list[Registration]:
        if not words:
            return []
        # the people whose names have a word starting with the longest typed word (a
        # range the (meeting_id, name_keys) index answers; the store walks every
        # document for a regular expression, or for `$and`), the other words and the
        # order looked at here on three fields, then the shown ones' documents
        longest = max(words, key=len)
        cursor = self.collection.find(
            {"meeting_id": meeting_id, "name_keys": _starting_with(longest)},
            projection={"name_keys": 1, "family_name": 1, "given_name": 1},
            session=self.session,
        )
        named = [
            doc
            async for doc in cursor
            if all(any(k.startswith(w) for k in doc.get("name_keys") or ()) for w in words)
        ]
        named.sort(key=_by_name)
        ids = [doc["_id"] for doc in named[:limit]]
        cursor = self.collection.find({"_id": {"$in": ids}}, session=self.session)
        found = {doc["_id"]: doc async for doc in cursor}
        return [registration_of(found[i]) for i in ids if i in found]

    async def confirmed_of(self, meeting_id: str) -> list[Listed]:
        # the (meeting_id, status, ...) index finds them; put in order here, as
        # MongoDB sorts (none first, then by code point: UTF-8's byte order)
        docs = await self._all({"meeting_id": meeting_id, "status": Status.confirmed.value})
        docs.sort(key=_check_in_order)
        return [listed_of(doc) for doc in docs]

    async def not_purged_of(self, meeting_id: str) -> list[Registration]:
        return await self._find(
            {"meeting_id": meeting_id, "personal_data_purged_at": None}, [("_id", 1)]
        )

    async def oldest_waitlisted(self, meeting_id: str, country: str) -> Registration | None:
        doc = await self.collection.find_one(
            {"meeting_id": meeting_id, "country": country, "status": Status.waitlisted.value},
            sort=[("waitlist_seq", 1), ("registered_at", 1), ("_id", 1)],
            session=self.session,
        )
        return self._saw(None if doc is None else registration_of(doc))

    async def waitlisted_before(self, registration: Registration) -> int:
        return await self.collection.count_documents(
            {
                "meeting_id": registration.meeting_id,
                "country": registration.country,
                "status": Status.waitlisted.value,
                "registered_at": {"$lt": registration.registered_at},
            },
            session=self.session,
        )

    async def id_with_manage_token(self, token_hash: str) -> str | None:
        doc = await self.collection.find_one(
            {"manage_token_hash": token_hash}, projection={"_id": 1}, session=self.session
        )
        return None if doc is None else str(doc["_id"])


# idempotency records ---------------------------------------------------------------


def _snapshot(registration: Registration) -> Document:
    """A registration as it was, to the microsecond (a replay answers exactly what
    the first request did; MongoDB dates keep milliseconds only)."""
    doc = registration_document(registration)
    for name in _REGISTRATION_DATES:
        value = doc.get(name)
        doc[name] = value.isoformat() if isinstance(value, datetime) else None
    return doc


def _from_snapshot(doc: Document) -> Registration:
    doc = dict(doc)
    for name in _REGISTRATION_DATES:
        value = doc.get(name)
        doc[name] = datetime.fromisoformat(value) if value else None
    return registration_of(doc)


_OUTCOME_KINDS: dict[str, type[Outcome]] = {kind.__name__: kind for kind in OUTCOMES}


def outcome_document(outcome: Outcome) -> Document:
    doc: Document = {"kind": type(outcome).__name__}
    for f in dataclasses.fields(outcome):
        value = getattr(outcome, f.name)
        if isinstance(value, Registration):
            value = _snapshot(value)
        elif isinstance(value, Message):
            # kept as the message and its values: a replay says it in its caller's language
            value = {"message": value.text, "params": value.params}
        doc[f.name] = value
    return doc


def outcome_of(doc: Document) -> Outcome:
    kind = _OUTCOME_KINDS[doc["kind"]]
    values: dict[str, Any] = {f.name: doc.get(f.name) for f in dataclasses.fields(kind)}
    values["registration"] = _from_snapshot(doc["registration"])
    for name, value in values.items():
        if isinstance(value, dict) and set(value) == {"message", "params"}:
            values[name] = Message(value["message"], value["params"])
    return kind(**values)


class MongoReplays(Replays):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[IDEMPOTENCY]
        self.session = session

    async def get(self, record_id: str) -> Replay | None:
        doc = await self.collection.find_one({"_id": record_id}, session=self.session)
        if doc is None or "outcome" not in doc:
            return None
        return Replay(doc["fingerprint"], outcome_of(doc["outcome"]))

    async def add(self, record_id: str, replay: Replay, meeting_id: str) -> None:
        try:
            await self.collection.insert_one(
                {
                    "_id": record_id,
                    "fingerprint": replay.fingerprint,
                    "outcome": outcome_document(replay.outcome),
                    "meeting_id": meeting_id,
                    "created_at": utcnow(),
                },
                session=self.session,
            )
        except DuplicateKeyError:
            raise Conflict(_("this Idempotency-Key is being used by another request")) from None

    async def forget_meeting(self, meeting_id: str) -> None:
        await self.collection.delete_many({"meeting_id": meeting_id}, session=self.session)
