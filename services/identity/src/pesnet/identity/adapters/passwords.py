"""argon2id password hashing (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Passwords:
    """argon2-cffi's defaults (argon2id, RFC 9106's low-memory profile)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        # checked against when there is no account, so that timing tells no username
        self._dummy = self.hasher.hash("no such account: a dummy password")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self.hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        def check() -> bool:
            try:
                return self.hasher.verify(password_hash or self._dummy, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        valid = await asyncio.to_thread(check)
        return valid and password_hash is not None
