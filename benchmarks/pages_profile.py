"""Registration's staff pages at 2,000 registrations, in process, for a quick loop:
the embedded database, the registration service (its lifespan on the broker of
`RABBITMQ_URL`), the demo meeting grown to `--registrations` the way `Scale.grow` does
(half confirmed), then each page requested `--tries` times: its p95 in ms; `--profile
DIR` writes a pyinstrument profile of each page. Not the bench: a developer's loop.

Beside the p95 and the median it prints the CPU each request took, in this process
(the service and the client) and in the database's: on a shared machine the times
move with everyone else's work, the CPU much less."""

from __future__ import annotations

import argparse
import asyncio
import copy
import os
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from benchmarks.full_path import percentile
from pesnet.devtools.embedded_mongo import EmbeddedMongo
from pesnet.devtools.rabbit import TestVhost
from pesnet.registration.bootstrap import build_app
from pesnet.registration.domain.badges import new_short_code
from pesnet.registration.domain.search import name_keys
from pesnet.registration.settings import Settings
from pesnet.shared.mongo import make_client
from pesnet.shared.process import settle_garbage_collection
from pesnet.shared.reference import member_states
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN

MEETING = "pesnet-demo"
PAGES = [
    ("console", f"/console?meeting={MEETING}", None),
    ("registrations_list", f"/meetings/{MEETING}/registrations", None),
    ("participants_page", f"/participants?meeting={MEETING}", None),
    ("participants_csv", f"/meetings/{MEETING}/participants.csv", None),
    ("participants_xlsx", f"/meetings/{MEETING}/participants.xlsx", None),
    ("desk", f"/desk?meeting={MEETING}", None),
    ("desk_search", "/desk", {"meeting": MEETING, "badge_token": "Bench1"}),
    ("check_in_list", f"/meetings/{MEETING}/check-ins", None),
    ("check_in_export_csv", f"/meetings/{MEETING}/check-ins?format=csv", None),
    ("badges_pdf", f"/meetings/{MEETING}/badges.pdf?country=MAR", None),
]


async def grow(mongo_url: str, database: str, total: int) -> None:
    client = make_client(mongo_url)
    try:
        collection = client[database]["registrations"]
        model = await collection.find_one({"meeting_id": MEETING})
        assert model is not None
        countries = sorted(member_states())
        docs = []
        for n in range(1, total):
            doc = copy.deepcopy(model)
            given = f"Bench{n}"
            doc.update(
                _id=uuid.uuid4().hex,
                email=f"bench{n}@example.org",
                email_key=f"bench{n}@example.org",
                given_name=given,
                name_keys=name_keys(given, doc["family_name"]),
                country=countries[n % len(countries)],
                status="confirmed" if n % 2 else "registered",
                short_code=new_short_code(),
                badge_nonce=uuid.uuid4().hex[:16],
            )
            docs.append(doc)
        await collection.insert_many(docs)
    finally:
        await client.close()


async def main(args: argparse.Namespace) -> None:
    vhost = TestVhost(os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")).create()
    try:
        with EmbeddedMongo() as server:
            settings = Settings(
                PESNET_SERVICE="registration", PESNET_ENV="test", RABBITMQ_URL=vhost.url,
                MONGODB_URL=server.url, PESNET_DATABASE="prof_registration",
                PESNET_QUEUE=f"registration.{uuid.uuid4().hex[:6]}",
            )  # fmt: skip
            assert server.process is not None
            args.database_pid = server.process.pid
            await run(build_app(settings), server.url, args)
    finally:
        vhost.delete()


async def run(app: Any, mongo_url: str, args: argparse.Namespace) -> None:
    headers = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers, timeout=600
        ) as http:
            (await http.post("/dev/seed")).raise_for_status()
            body = {"given_name": "Bench0", "family_name": "Person", "email": "b0@example.org",
                    "country": "MAR", "institution": "ANAPEC", "position": "Director",
                    "role": "delegate", "language": "en"}  # fmt: skip
            (await http.post(f"/meetings/{MEETING}/registrations", json=body)).raise_for_status()
            await grow(mongo_url, "prof_registration", args.registrations)
            if args.then:
                then = await asyncio.create_subprocess_exec(*args.then.split(), mongo_url)
                await then.wait()
            settle_garbage_collection()  # as `serve` does for a service's process
            for name, path, form in PAGES:
                if args.only and name not in args.only:
                    continue
                await measure(http, name, path, form, args)


async def measure(
    http: httpx.AsyncClient, name: str, path: str, form: dict[str, str] | None,
    args: argparse.Namespace,
) -> None:  # fmt: skip
    async def request() -> httpx.Response:
        if form is None:
            return await http.get(path)
        return await http.post(path, data=form)

    first = await request()
    if first.status_code != 200:
        print(f"{name}: {first.status_code} {first.text[:200]}")
        return
    times = []
    cpu = time.process_time(), cpu_seconds(args.database_pid)
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="enabled")
        profiler.start()
    for _ in range(args.tries):
        began = time.perf_counter()
        (await request()).raise_for_status()
        times.append((time.perf_counter() - began) * 1000)
    ours = (time.process_time() - cpu[0]) * 1000 / args.tries
    theirs = (cpu_seconds(args.database_pid) - cpu[1]) * 1000 / args.tries
    if profiler is not None:
        profiler.stop()
        where = Path(args.profile, f"{name}.txt")
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text(profiler.output_text(show_all=False))  # noqa: ASYNC240
    # the median too: on a shared machine one slow try moves the p95 of ten
    print(f"{name:20} p95 {percentile(times, 95):7.1f} ms  median {percentile(times, 50):6.1f} ms"
          f"  cpu {ours:6.1f} + db {theirs:6.1f} ms  {len(first.content):8} bytes")  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """The CPU time a process (the database's) has taken so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--tries", type=int, default=10)
    parser.add_argument("--profile")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--then", help="a command run with the database's URL, waited for")
    asyncio.run(main(parser.parse_args()))
