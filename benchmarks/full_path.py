"""L3: registrations through the HTTP API to their "received" mails in the SMTP sink.

`burst` posts N registrations as fast as a few concurrent clients can (closed loop) and
waits for the N mails: the throughput is N over the time from the first POST to the
last mail. `paced` posts at a fixed rate (open loop, each registration on its schedule
whatever the others do) and gives the latency from each POST to its mail."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.mailsink import TimingSink
from pesnet.shared.reference import member_states

MEETING = "pesnet-demo"
LANGUAGES = ("ar", "en", "fr")


def registration(n: int, tag: str) -> dict[str, Any]:
    """A registration of one of the member states' delegations (the same delegation
    every 57th, as in a real call for registrations)."""
    countries = sorted(member_states())
    country = countries[n % len(countries)]
    return {
        "given_name": f"Bench{n}",
        "family_name": "Participant",
        "email": f"bench.{tag}.{n}@example.org",
        "country": country,
        "institution": f"Public employment service of {country}",
        "position": "Director",
        "role": "delegate",
        "language": LANGUAGES[n % 3],
    }


@dataclass
class Outcome:
    posted: dict[str, float]  # address -> when its POST was sent
    accepted_at: float  # when the last POST was answered
    failures: int
    ids: list[str] = field(default_factory=list)  # the registrations' ids


class Registrations:
    def __init__(self, base_url: str, sink: TimingSink, meeting: str = MEETING) -> None:
        self.base_url = base_url
        self.sink = sink
        self.meeting = meeting
        self.ids: list[str] = []
        self.http = httpx.AsyncClient(
            base_url=base_url, timeout=300, limits=httpx.Limits(max_connections=64)
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def post(self, body: dict[str, Any]) -> bool:
        response = await self.http.post(f"/meetings/{self.meeting}/registrations", json=body)
        if response.status_code == 201:
            self.ids.append(response.json()["id"])
        return response.status_code == 201

    async def burst(self, count: int, concurrency: int) -> Outcome:
        tag = uuid.uuid4().hex[:6]
        bodies = [registration(n, tag) for n in range(count)]
        posted: dict[str, float] = {}
        failures = 0
        queue = iter(bodies)

        async def client() -> None:
            nonlocal failures
            for body in queue:
                posted[body["email"]] = time.time()
                if not await self.post(body):
                    failures += 1
                    del posted[body["email"]]

        self.ids = []
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return Outcome(posted, time.time(), failures, self.ids)

    async def paced(self, count: int, rate: float) -> Outcome:
        tag = uuid.uuid4().hex[:6]
        posted: dict[str, float] = {}
        failures = 0
        start = time.time() + 0.2

        async def one(n: int) -> None:
            nonlocal failures
            body = registration(n, tag)
            await asyncio.sleep(max(0.0, start + n / rate - time.time()))
            posted[body["email"]] = time.time()
            if not await self.post(body):
                failures += 1
                del posted[body["email"]]

        await asyncio.gather(*(one(n) for n in range(count)))
        return Outcome(posted, time.time(), failures)

    async def mails(self, outcome: Outcome, within: float) -> dict[str, float]:
        """Wait until every accepted registration's mail arrived (or `within` ran out);
        the seconds from each POST to its mail."""
        deadline = time.time() + within
        while time.time() < deadline:
            if all(self.sink.arrived(a) is not None for a in outcome.posted):
                break
            await asyncio.sleep(0.1)
        latencies = {}
        for address, sent in outcome.posted.items():
            arrived = self.sink.arrived(address)
            if arrived is not None:
                latencies[address] = arrived - sent
        return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def measure_burst(
    regs: Registrations, count: int, concurrency: int, within: float
) -> dict[str, Any]:
    outcome = await regs.burst(count, concurrency)
    latencies = await regs.mails(outcome, within)
    first = min(outcome.posted.values())
    arrivals = [outcome.posted[a] + s for a, s in latencies.items()]
    last = max(arrivals) if arrivals else time.time()
    delivered = len(latencies)
    return {
        "registrations": count,
        "concurrency": concurrency,
        "rejected": outcome.failures,
        "mails": delivered,
        "accepted_per_second": round(len(outcome.posted) / (outcome.accepted_at - first), 1),
        "registrations_per_second": round(delivered / (last - first), 1),
        "latency_p50_seconds": round(percentile(list(latencies.values()), 50), 3),
        "latency_p99_seconds": round(percentile(list(latencies.values()), 99), 3),
        "seconds": round(last - first, 1),
    }


async def measure_paced(
    regs: Registrations, rate: float, seconds: float, within: float
) -> dict[str, Any]:
    count = max(20, round(rate * seconds))
    outcome = await regs.paced(count, rate)
    latencies = await regs.mails(outcome, within)
    values = list(latencies.values())
    return {
        "rate_per_second": round(rate, 1),
        "registrations": count,
        "rejected": outcome.failures,
        "mails": len(latencies),
        "latency_p50_seconds": round(percentile(values, 50), 3),
        "latency_p99_seconds": round(percentile(values, 99), 3),
        "latency_max_seconds": round(max(values), 3) if values else None,
    }
