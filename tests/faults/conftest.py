"""The fault suite's harness (`make test-faults`, never plain `make test`).

One platform for the whole suite, started as `make run` starts it (devtools' runner,
its supervisor restarting killed services) on shifted ports, on the run's own
RabbitMQ vhost, and on an embedded database this harness owns (on disk, so that it
can be killed and started again on the same data). Everything is on 127.0.0.1.

A producer registers people for a meeting the suite opens itself and keeps a ledger
of every registration answered 201; after each fault the ledger is checked against
the registration service (one stored record each) and the dev mailbox (one
"received" mail each), and the figures are printed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import httpx
import pytest

from pesnet.devtools.embedded_mongo import EmbeddedMongo
from pesnet.devtools.platform import PlatformDidNotStart, running_platform
from pesnet.devtools.ports import free_port
from pesnet.devtools.run import service_ports
from tests.support import eventually

# The meeting the suite registers people for; it opens it itself (agenda's API).
MEETING_ID = "pesnet-faults"
SECRETARIAT = {"Authorization": "Bearer dev-secretariat-token"}
# the run's own offset where one is given (one platform per machine user), else one by pid
PORT_OFFSET = int(os.environ.get("PESNET_RUN_PORT_OFFSET") or 900 + os.getpid() % 500)
PORTS = service_ports(PORT_OFFSET)
COUNTRIES = ("MAR", "TUR", "MYS", "EGY", "SEN", "IDN", "JOR", "NGA")
LANGUAGES = ("ar", "en", "fr")


@dataclass
class Platform:
    workdir: Path
    process: subprocess.Popen[bytes]
    mongo: EmbeddedMongo
    rabbit_url: str

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{PORTS[service]}{path}"

    def pid(self, service: str) -> int:
        return int((self.workdir / ".run" / "pids" / f"{service}.pid").read_text())

    def log(self) -> str:
        return (self.workdir / "run.log").read_text()

    def kill_database(self) -> int:
        assert self.mongo.process is not None
        pid = self.mongo.process.pid
        os.kill(pid, signal.SIGKILL)
        self.mongo.process.wait(timeout=10)
        self.mongo.process = None
        return pid

    def start_database(self) -> int:
        self.mongo.start(log_file=self.workdir / "mongo.log")
        assert self.mongo.process is not None
        return self.mongo.process.pid


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory, rabbit_url: str) -> Iterator[Platform]:
    workdir = tmp_path_factory.mktemp("faults")
    mongo = EmbeddedMongo(storage_path=workdir / "mongo", port=free_port())
    mongo.start(log_file=workdir / "mongo.log")
    env = {k: v for k, v in os.environ.items() if k not in ("SMTP_HOST",)}
    env.update(
        {
            "RABBITMQ_URL": rabbit_url,
            # the token SECRETARIAT carries, whatever the calling environment says
            "PESNET_SECRETARIAT_TOKEN": "dev-secretariat-token",
            "MONGODB_URL": mongo.url,
            "PESNET_RUN_PORT_OFFSET": str(PORT_OFFSET),
            # leases short enough that what a killed process held comes due in seconds
            "PESNET_OUTBOX_LEASE_SECONDS": "5",
            "PESNET_OUTBOX_POLL_SECONDS": "1",
            "NOTIFICATIONS_LEASE_SECONDS": "10",
            "NOTIFICATIONS_DIGEST_WINDOW_SECONDS": "2",
        }
    )
    try:
        with running_platform(workdir, env) as running:
            print(f"\n[faults] platform ready after {running.ready_after:.0f} s in {workdir}")
            platform = Platform(workdir, running.process, mongo, rabbit_url)
            asyncio.run(open_meeting(platform))
            yield platform
    except PlatformDidNotStart as error:
        pytest.fail(str(error))
    finally:
        mongo.stop()


async def open_meeting(platform: Platform) -> None:
    """The suite's own meeting, open for registration, with room for everyone."""
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            platform.url("agenda", "/meetings"),
            headers=SECRETARIAT,
            json={
                "id": MEETING_ID,
                "number": 90,
                "title": {"ar": "اختبار الأعطال", "en": "Fault drill", "fr": "Exercice de pannes"},
                "timezone": "Africa/Casablanca",
                "start_date": "2030-03-20",
                "end_date": "2030-03-21",
                "country": "MAR",
                "registration_open": True,
                "delegation_quota": 1000,
            },
        )
        assert response.status_code in (201, 409), response.text

        async def registration_knows_it() -> bool:
            probe = await http.get(
                platform.url("registration", f"/meetings/{MEETING_ID}/registrations"),
                headers=SECRETARIAT,
            )
            return probe.status_code == 200

        await eventually(registration_knows_it, within=60)


@dataclass
class Ledger:
    """Every registration the producer was answered 201 for, and what else it got."""

    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    answered: dict[str, str] = field(default_factory=dict)  # registration id → email
    refused: Counter[str] = field(default_factory=Counter)
    sent: int = 0

    def email(self, n: int) -> str:
        return f"fault.{self.tag}.{n}@example.org"


async def produce(platform: Platform, ledger: Ledger, count: int, concurrency: int = 4) -> None:
    """`count` registrations (bounded), `concurrency` at a time; never retried, so a
    request whose answer was lost is a refusal in the ledger, not a 201."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)
    # a generous timeout: after a kill -9 mid-transaction the database holds that
    # transaction's writes until its 60 s lifetime runs out, and writes that touch
    # the same documents wait for it
    async with httpx.AsyncClient(timeout=90) as http:

        async def worker() -> None:
            while not queue.empty():
                n = queue.get_nowait()
                ledger.sent += 1
                email = ledger.email(n)
                try:
                    response = await http.post(
                        platform.url("registration", f"/meetings/{MEETING_ID}/registrations"),
                        json={
                            "given_name": f"Test {n}",
                            "family_name": ledger.tag,
                            "email": email,
                            "country": COUNTRIES[n % len(COUNTRIES)],
                            "institution": "PES",
                            "position": "Officer",
                            "role": "delegate",
                            "language": LANGUAGES[n % len(LANGUAGES)],
                        },
                    )
                except httpx.TransportError as exc:
                    ledger.refused[type(exc).__name__] += 1
                    await asyncio.sleep(0.2)  # the service is down: do not spin
                    continue
                if response.status_code == 201:
                    ledger.answered[response.json()["id"]] = email
                else:
                    ledger.refused[str(response.status_code)] += 1
                    if response.status_code >= 500:
                        await asyncio.sleep(0.2)

        await asyncio.gather(*(worker() for _ in range(concurrency)))


async def until_answered(ledger: Ledger, at_least: int, within: float = 150) -> None:
    async def enough() -> bool:
        return len(ledger.answered) >= at_least

    await eventually(enough, within=within)


@dataclass
class Figures:
    answered: int
    stored: int
    mails: int
    duplicates_by_delivery: int
    double_effects: int
    settled_after: float

    def line(self, fault: str, extra: str = "") -> str:
        return (
            f"[faults] {fault}: {self.answered} answered 201, {self.stored} stored once, "
            f"{self.mails} 'received' mails, {self.duplicates_by_delivery} duplicate mails "
            f"(same delivery id, the SMTP window), {self.double_effects} double effects; "
            f"settled {self.settled_after:.1f} s after the burst{extra}"
        )


async def settle(platform: Platform, ledger: Ledger, within: float = 240) -> Figures:
    """Wait until every answered registration's "received" mail is recorded sent (the
    record after the SMTP hand-over: no resend can follow it), then count."""
    started = time.monotonic()
    emails = set(ledger.answered.values())
    pending = set(emails)
    async with httpx.AsyncClient(timeout=30) as http:

        async def all_sent() -> bool:
            for email in list(pending):
                response = await http.get(
                    platform.url("notifications", "/deliveries"), params={"recipient": email}
                )
                if response.status_code != 200:
                    return False
                if any(
                    d["kind"] == "registration_received" and d["status"] == "sent"
                    for d in response.json()
                ):
                    pending.discard(email)
            return not pending

        await eventually(all_sent, within=within)
        settled_after = time.monotonic() - started

        stored = 0
        for registration_id, email in ledger.answered.items():
            response = await http.get(
                platform.url("registration", f"/registrations/{registration_id}"),
                headers=SECRETARIAT,
            )
            assert response.status_code == 200, (registration_id, response.text)
            assert response.json()["email"] == email
            stored += 1
        listed = await http.get(
            platform.url("registration", f"/meetings/{MEETING_ID}/registrations"),
            headers=SECRETARIAT,
        )
        per_email = Counter(
            r["email"] for r in listed.json()["registrations"] if r["email"] in emails
        )
        assert set(per_email.values()) == {1}, "a registration stored twice"

        mailbox = (await http.get(platform.url("notifications", "/dev/mailbox"))).json()
    received: dict[str, list[dict[str, Any]]] = {}
    for mail in mailbox:
        if mail.get("template") != "registration_received":
            continue
        for _, address in getaddresses([str(mail.get("to", ""))]):
            if address.lower() in emails:
                received.setdefault(address.lower(), []).append(mail)
    missing = emails - set(received)
    assert not missing, f"no 'received' mail for {sorted(missing)[:5]}"
    duplicates = 0
    double_effects = 0
    for mails in received.values():
        deliveries = Counter(tuple(m["delivery_ids"]) for m in mails)
        duplicates += sum(n - 1 for n in deliveries.values())
        double_effects += len(deliveries) - 1
    assert len({m["message_id"] for ms in received.values() for m in ms}) == sum(
        len(ms) for ms in received.values()
    )
    return Figures(
        answered=len(ledger.answered),
        stored=stored,
        mails=sum(len(ms) for ms in received.values()),
        duplicates_by_delivery=duplicates,
        double_effects=double_effects,
        settled_after=settled_after,
    )
