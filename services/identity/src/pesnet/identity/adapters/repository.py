"""MongoDB repositories of the identity service, and their indexes."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from pesnet.identity.domain.model import Account, ApiToken, Scope, SignInThrottle
from pesnet.identity.service_layer.unit_of_work import (
    AccountRepository,
    ApiTokenRepository,
    SignInThrottleRepository,
)
from pesnet.shared.credentials import StaffRole
from pesnet.shared.errors import Conflict
from pesnet.shared.mongo import Database, DbSession, Document, IndexSpec
from pesnet.shared.translation import _

ACCOUNTS = "accounts"
API_TOKENS = "api_tokens"
THROTTLES = "sign_in_throttles"
SIGNING_KEYS = "signing_keys"

INDEXES = (
    IndexSpec(ACCOUNTS, [("username", 1)], unique=True, name="username_unique"),
    IndexSpec(ACCOUNTS, [("roles", 1), ("disabled", 1)], name="by_role"),
    IndexSpec(API_TOKENS, [("token_hash", 1)], unique=True, name="token_hash_unique"),
    IndexSpec(API_TOKENS, [("account_id", 1), ("created_at", -1)], name="by_account"),
    # expired tokens are kept 30 days (for the listing), then go
    IndexSpec(API_TOKENS, [("expires_at", 1)], name="expiry", expire_after_seconds=30 * 86400),
    # a username's failure count is forgotten a day after its last failure
    IndexSpec(THROTTLES, [("updated_at", 1)], name="throttle_expiry", expire_after_seconds=86400),
)


def _account_doc(account: Account) -> Document:
    return {
        "_id": account.id,
        "username": account.username,
        "password_hash": account.password_hash,
        "roles": account.scope.sorted_roles(),
        "country": account.scope.country,
        "institution": account.scope.institution,
        "created_at": account.created_at,
        "disabled": account.disabled,
        "last_sign_in_at": account.last_sign_in_at,
    }


def _account(doc: Document) -> Account:
    return Account(
        id=doc["_id"],
        username=doc["username"],
        password_hash=doc["password_hash"],
        scope=Scope(
            frozenset(StaffRole(r) for r in doc.get("roles", ())),
            doc.get("country"),
            doc.get("institution"),
        ),
        created_at=doc["created_at"],
        disabled=bool(doc.get("disabled")),
        last_sign_in_at=doc.get("last_sign_in_at"),
    )


class MongoAccounts(AccountRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[ACCOUNTS]
        self.session = session

    async def get(self, account_id: str) -> Account | None:
        doc = await self.collection.find_one({"_id": account_id}, session=self.session)
        return _account(doc) if doc else None

    async def by_username(self, username: str) -> Account | None:
        doc = await self.collection.find_one({"username": username}, session=self.session)
        return _account(doc) if doc else None

    async def add(self, account: Account) -> None:
        try:
            await self.collection.insert_one(_account_doc(account), session=self.session)
        except DuplicateKeyError:
            raise Conflict(_("this username is taken"), field="username") from None

    async def save(self, account: Account) -> None:
        await self.collection.replace_one(
            {"_id": account.id}, _account_doc(account), session=self.session
        )

    async def list(self) -> list[Account]:
        cursor = self.collection.find({}, session=self.session).sort("username", 1)
        return [_account(doc) async for doc in cursor]

    async def count_administrators(self) -> int:
        return await self.collection.count_documents(
            {"roles": StaffRole.administrator.value, "disabled": False}, session=self.session
        )


def _token_doc(token: ApiToken) -> Document:
    return {
        "_id": token.id,
        "account_id": token.account_id,
        "name": token.name,
        "token_hash": token.token_hash,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "last_used_at": token.last_used_at,
    }


def _token(doc: Document) -> ApiToken:
    return ApiToken(
        id=doc["_id"],
        account_id=doc["account_id"],
        name=doc["name"],
        token_hash=doc["token_hash"],
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
        revoked_at=doc.get("revoked_at"),
        last_used_at=doc.get("last_used_at"),
    )


class MongoApiTokens(ApiTokenRepository):
    def __init__(self, db: Database, session: DbSession | None) -> None:
        self.collection = db[API_TOKENS]
        self.session = session

    async def add(self, token: ApiToken) -> None:
        await self.collection.insert_one(_token_doc(token), session=self.session)

    async def get(self, token_id: str) -> ApiToken | None:
        doc = await self.collection.find_one({"_id": token_id}, session=self.session)
        return _token(doc) if doc else None

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        doc = await self.collection.find_one({"token_hash": token_hash}, session=self.session)
        return _token(doc) if doc else None

    async def of_account(self, account_id: str) -> list[ApiToken]:
        cursor = self.collection.find({"account_id": account_id}, session=self.session).sort(
            "created_at", -1
        )
        return [_token(doc) async for doc in cursor]

    async def save(self, token: ApiToken) -> None:
        await self.collection.replace_one(
            {"_id": token.id}, _token_doc(token), session=self.session
        )


class MongoSignInThrottles(SignInThrottleRepository):
    """Single-document atomic updates (no transaction): `attempt` is one
    `findOneAndUpdate` whose pipeline restarts a count whose lock ran out, so fifty
    attempts at once get fifty different counts."""

    def __init__(self, db: Database, session: DbSession | None, now: Any) -> None:
        self.collection = db[THROTTLES]
        self.session = session
        self._now = now

    async def attempt(self, username: str, now: datetime) -> SignInThrottle:
        lock_ran_out = {
            "$and": [
                {"$ne": [{"$ifNull": ["$locked_until", None]}, None]},
                {"$lte": ["$locked_until", now]},
            ]
        }
        counted = [
            {
                "$set": {
                    "failures": {
                        "$cond": [lock_ran_out, 1, {"$add": [{"$ifNull": ["$failures", 0]}, 1]}]
                    },
                    "locked_until": {
                        "$cond": [lock_ran_out, None, {"$ifNull": ["$locked_until", None]}]
                    },
                    "updated_at": now,
                }
            }
        ]
        for _attempt in range(2):
            doc = await self.collection.find_one_and_update(
                {"_id": username}, counted, return_document=ReturnDocument.AFTER
            )
            if doc is not None:
                return SignInThrottle(username, int(doc["failures"]), doc.get("locked_until"))
            # the first attempt of this username: create its count (or find another's)
            with contextlib.suppress(DuplicateKeyError):
                await self.collection.insert_one(
                    {"_id": username, "failures": 0, "locked_until": None, "updated_at": now}
                )
        raise RuntimeError("the sign-in attempt could not be counted")

    async def lock(self, username: str, now: datetime, until: datetime) -> bool:
        result = await self.collection.update_one(
            {"_id": username, "$or": [{"locked_until": None}, {"locked_until": {"$lte": now}}]},
            {"$set": {"locked_until": until, "updated_at": now}},
        )
        return result.modified_count == 1

    async def succeed(self, username: str, now: datetime) -> bool:
        result = await self.collection.update_one(
            {"_id": username, "$or": [{"locked_until": None}, {"locked_until": {"$lte": now}}]},
            {"$set": {"failures": 0, "locked_until": None, "updated_at": now}},
        )
        if result.matched_count == 1:
            return True
        return await self.collection.count_documents({"_id": username}) == 0

    async def clear(self, username: str) -> None:
        await self.collection.delete_one({"_id": username}, session=self.session)
