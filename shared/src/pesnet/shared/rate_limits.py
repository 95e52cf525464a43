"""Rate limits that hold under concurrency and across replicas.

A `Limit` allows `count` hits per key (a client address, an e-mail address, an
account) in each fixed window of `window_seconds`. A hit is one atomic `$inc` on the
counter of (limit, key, window) in the service's database, which answers with the count
after it: fifty requests at once get fifty different counts, so whatever their timing
the ones past the limit are refused, on every replica (they share the database). A
refusal is `TooManyRequests`: 429 problem details in the caller's language with
`Retry-After` (the seconds until the window ends).

The counters hold no personal data: a key is stored as a digest, and a counter
expires with its window (TTL index). A fixed window lets a client spend up to twice
the count across a boundary; that is enough to bound abuse, and one round trip per
hit is all it costs: a counter this process has not met yet is created with its first
hit (an insert; another request that created it first makes that a duplicate, then
counted by `$inc`), one it has met is counted by `$inc` (issue "Half the cost of a
registration": the e-mail address's counter is new on nearly every registration, and
counting it as `$inc`, miss, insert, `$inc` took three).

    limited(lambda settings: Limit("sign_in.address", 30, 60))   # a route dependency
    await limiter.check(Limit("register.email", 3, 3600), email)  # a key of one's own
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Depends, Request
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from pesnet.shared.errors import TooManyRequests
from pesnet.shared.i18n import format_wait
from pesnet.shared.mongo import Database, IndexSpec
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.translation import _

RATE_LIMITS = "rate_limits"
RATE_LIMIT_INDEXES = (
    IndexSpec(RATE_LIMITS, [("expires_at", 1)], name="window_expiry", expire_after_seconds=0),
)


@dataclass(frozen=True)
class Limit:
    """`count` hits per key in each window of `window_seconds`; `name` says what is
    limited (`sign_in.address`) and keeps one limit's counters apart from another's."""

    name: str
    count: int
    window_seconds: int

    def __post_init__(self) -> None:
        if self.count < 1 or self.window_seconds < 1:
            raise ValueError(f"{self.name}: a limit needs a count and a window of at least 1")


@dataclass(frozen=True)
class Hit:
    """One hit's outcome: the count in its window (this hit included), and whether it
    was within the limit; `retry_after_seconds` until the window ends."""

    count: int
    allowed: bool
    retry_after_seconds: float


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RateLimiter:
    """The counters of one service, in its database."""

    # counters this process has met, kept until their window ends (at most this many)
    MET_AT_MOST = 10_000

    def __init__(self, db: Database, clock: Callable[[], datetime] = _utcnow) -> None:
        self.collection = db[RATE_LIMITS]
        self.clock = clock
        self._met: dict[str, datetime] = {}

    async def hit(self, limit: Limit, key: str) -> Hit:
        """Count one hit of `key` against `limit`, atomically."""
        now = self.clock()
        window = int(now.timestamp()) // limit.window_seconds
        ends = datetime.fromtimestamp((window + 1) * limit.window_seconds, UTC)
        digest = hashlib.sha256(f"{limit.name}\x00{key}".encode()).hexdigest()[:40]
        counter = f"{digest}:{window}"
        count = await self._increment(counter, ends)
        return Hit(count, count <= limit.count, max(0.0, (ends - now).total_seconds()))

    async def _increment(self, counter: str, expires_at: datetime) -> int:
        if counter not in self._met and (created := await self._create(counter, expires_at)):
            return created
        self._meet(counter, expires_at)
        for _attempt in range(2):
            found = await self.collection.find_one_and_update(
                {"_id": counter}, {"$inc": {"hits": 1}}, return_document=ReturnDocument.AFTER
            )
            if found is not None:
                return int(found["hits"])
            # gone with its window (the TTL monitor) since: this hit starts it again
            if created := await self._create(counter, expires_at):
                return created
        raise RuntimeError(f"rate-limit counter {counter} could not be counted")

    async def _create(self, counter: str, expires_at: datetime) -> int:
        """The counter with its first hit (1), or 0 when another request created it
        first (an upsert that races with another may not say what it counted: the
        embedded server answers None, so no upsert here)."""
        try:
            await self.collection.insert_one(
                {"_id": counter, "hits": 1, "expires_at": expires_at + timedelta(seconds=1)}
            )
        except DuplicateKeyError:
            return 0
        self._meet(counter, expires_at)
        return 1

    def _meet(self, counter: str, expires_at: datetime) -> None:
        if len(self._met) >= self.MET_AT_MOST:
            now = self.clock()
            self._met = {c: ends for c, ends in self._met.items() if ends > now}
            if len(self._met) >= self.MET_AT_MOST:
                self._met.clear()
        self._met[counter] = expires_at

    async def check(self, limit: Limit, key: str) -> Hit:
        """Count a hit, and refuse it (`TooManyRequests`) past the limit."""
        hit = await self.hit(limit, key)
        if not hit.allowed:
            raise TooManyRequests(
                _("too many requests: try again in {wait}"),
                retry_after_seconds=hit.retry_after_seconds,
                params={"wait": format_wait(hit.retry_after_seconds)},
            )
        return hit


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, the address the
    proxy reports, where uvicorn is told to trust it: `FORWARDED_ALLOW_IPS`)."""
    return request.client.host if request.client else "unknown"


def limited(
    limit_of: Callable[[ServiceSettings], Limit | None],
    *,
    key: Callable[[Request], str] = client_address,
) -> Any:
    """A route dependency: one hit per request, keyed by the client's address (or by
    `key`), against the limit the service's settings give (None: no limit)."""

    async def check(request: Request) -> None:
        limit = limit_of(request.app.state.runtime.settings)
        if limit is not None:
            limiter: RateLimiter = request.app.state.rate_limiter
            await limiter.check(limit, key(request))

    return Depends(check)


__all__ = [
    "RATE_LIMITS",
    "RATE_LIMIT_INDEXES",
    "Hit",
    "Limit",
    "RateLimiter",
    "client_address",
    "limited",
]
