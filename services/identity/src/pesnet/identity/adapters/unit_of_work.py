"""The identity's unit of work on MongoDB."""

from __future__ import annotations

from datetime import datetime

from pesnet.identity.adapters.repository import MongoAccounts, MongoApiTokens, MongoSignInThrottles
from pesnet.identity.domain.model import LockoutPolicy
from pesnet.identity.service_layer.unit_of_work import (
    AccessTokenSigner,
    IdentityUnitOfWork,
    PasswordHasher,
)
from pesnet.shared.envelope import utcnow
from pesnet.shared.mongo import Client, Database, DbSession
from pesnet.shared.outbox import Outbox
from pesnet.shared.unit_of_work import MongoUnitOfWork


class MongoIdentityUnitOfWork(MongoUnitOfWork, IdentityUnitOfWork):
    def __init__(
        self,
        client: Client,
        db: Database,
        outbox: Outbox,
        *,
        passwords: PasswordHasher,
        signer: AccessTokenSigner,
        lockout: LockoutPolicy,
        api_token_max_days: int,
    ) -> None:
        super().__init__(client, db, outbox)
        self.passwords = passwords
        self.signer = signer
        self.lockout = lockout
        self.api_token_max_days = api_token_max_days
        self.bind(None)

    def bind(self, session: DbSession | None) -> None:
        self.accounts = MongoAccounts(self.db, session)
        self.api_tokens = MongoApiTokens(self.db, session)
        self.throttles = MongoSignInThrottles(self.db, session, self.now)

    def now(self) -> datetime:
        return utcnow()
