"""The kernel's rate limiter, on the real database: a limit holds when every request
comes at once (atomic counters), a refusal is a 429 with `Retry-After` in the caller's
language, and the counters keep no address."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import APIRouter
from pymongo import AsyncMongoClient

from pesnet.shared.errors import TooManyRequests
from pesnet.shared.http import create_app
from pesnet.shared.mongo import Client
from pesnet.shared.rate_limits import RATE_LIMITS, Limit, RateLimiter, limited
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings
from tests.support import Commands

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


@pytest.fixture
def limiter(mongo_client: Client, unique: str) -> RateLimiter:
    return RateLimiter(mongo_client[f"test_{unique}_limits"])


async def test_fifty_hits_at_once_allow_exactly_the_limit(limiter: RateLimiter) -> None:
    limit = Limit("sign_in.address", count=10, window_seconds=60)
    hits = await asyncio.gather(*(limiter.hit(limit, "192.0.2.7") for _ in range(50)))
    assert sorted(hit.count for hit in hits) == list(range(1, 51))
    assert sum(hit.allowed for hit in hits) == 10
    assert all(0 < hit.retry_after_seconds <= 60 for hit in hits)
    # another key and another limit count apart
    assert (await limiter.hit(limit, "192.0.2.8")).count == 1
    assert (await limiter.hit(Limit("other", 10, 60), "192.0.2.7")).count == 1


async def test_two_replicas_count_one_new_key_at_once_without_a_gap_or_a_double(
    mongo_client: Client, unique: str
) -> None:
    db = mongo_client[f"test_{unique}_limits"]
    one, two = RateLimiter(db), RateLimiter(db)
    limit = Limit("register.email", count=3, window_seconds=3600)
    hits = await asyncio.gather(
        *(limiter.hit(limit, "new@example.org") for limiter in [one, two] * 20)
    )
    assert sorted(hit.count for hit in hits) == list(range(1, 41))
    assert sum(hit.allowed for hit in hits) == 3


async def test_a_hit_costs_one_round_trip_on_a_new_counter_and_on_a_known_one(
    mongo_url: str, unique: str
) -> None:
    """An anonymous registration counts its client's address (a counter met before) and
    its e-mail address (nearly always a new one): one write each."""
    commands = Commands()
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        mongo_url, tz_aware=True, event_listeners=[commands]
    )
    try:
        limiter = RateLimiter(client[f"test_{unique}_limits"])
        address = Limit("register.address", 100, 3600)
        await limiter.hit(address, "192.0.2.9")
        for n in range(5):
            commands.names.clear()
            assert (await limiter.hit(address, "192.0.2.9")).count == n + 2
            assert (await limiter.hit(Limit("register.email", 3, 3600), f"p{n}@x.org")).count == 1
            assert commands.names == ["findAndModify", "insert"]
    finally:
        await client.close()


async def test_a_new_window_starts_the_count_again(mongo_client: Client, unique: str) -> None:
    now = [datetime(2030, 1, 1, 12, 0, 10, tzinfo=UTC)]
    limiter = RateLimiter(mongo_client[f"test_{unique}_limits"], clock=lambda: now[0])
    limit = Limit("webhook.test", count=2, window_seconds=60)
    assert [(await limiter.hit(limit, "k")).allowed for _ in range(3)] == [True, True, False]
    with pytest.raises(TooManyRequests) as refused:
        await limiter.check(limit, "k")
    assert refused.value.retry_after_seconds == 50
    now[0] = datetime(2030, 1, 1, 12, 1, 0, tzinfo=UTC)
    assert (await limiter.check(limit, "k")).count == 1


async def test_counters_hold_digests_and_expire_with_their_window(
    limiter: RateLimiter,
) -> None:
    await limiter.hit(Limit("register.email", 3, 3600), "amina.benali@example.org")
    [counter] = await limiter.collection.find({}).to_list()
    assert "amina" not in str(counter)
    assert counter["expires_at"] > datetime.now(UTC)


@pytest.fixture
async def limited_service(
    make_settings: Callable[..., ServiceSettings], start_service: Callable[..., Any]
) -> AsyncIterator[Any]:
    router = APIRouter()

    @router.post("/pings", status_code=202, dependencies=[limited(lambda _: Limit("pings", 3, 60))])
    async def ping() -> dict[str, str]:
        return {"status": "accepted"}

    runtime = ServiceRuntime(make_settings("limited"))
    async with start_service(create_app(runtime, title="limited", routers=[router])) as svc:
        yield svc


async def test_past_the_limit_a_route_answers_429_with_retry_after_in_the_callers_language(
    limited_service: Any,
) -> None:
    answers = await asyncio.gather(
        *(limited_service.http.post("/pings", headers={"Accept-Language": "fr"}) for _ in range(8))
    )
    assert sorted(a.status_code for a in answers) == [202] * 3 + [429] * 5
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["content-type"] == PROBLEM
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    body = refused.json()
    assert body["title"] == "Trop de requêtes"
    assert body["detail"].startswith("trop de requêtes")
    stored = await limited_service.app.state.runtime.db[RATE_LIMITS].count_documents({})
    assert stored == 1
