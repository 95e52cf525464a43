"""`make bench` (`python -m benchmarks`): the whole path's speed against the machine's own
limit, all in one run on one broker (a virtual host of its own) and one database server.

1. L0, the broker alone (`broker_limit.py`).
2. The platform as `make run` starts it (`platform.py`); L3 with one notifications
   replica: a burst for the maximum rate, then registrations paced at half of it for
   the latency from POST to mail (`full_path.py`); the database operations the path
   made per registration (the server's own counters).
3. The same with a second notifications replica.
4. M0, the database alone: the documents one registration wrote end to end, written
   again with raw PyMongo in the same transactions (`database_limit.py`).

Writes `bench/results.json` and prints a table. It asserts nothing."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform as host
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import scale
from benchmarks.broker_limit import broker_limit
from benchmarks.database_limit import Templates, database_limit, smallest_writes, templates
from benchmarks.full_path import Registrations, measure_burst, measure_paced, registration
from benchmarks.mailsink import TimingSink
from benchmarks.platform import (
    ROOT,
    Platform,
    broker_pid,
    cpu_seconds,
    database,
    peak_memory_of,
)
from benchmarks.profiled import summary
from pesnet.devtools.embedded_mongo import EmbeddedMongo
from pesnet.devtools.rabbit import TestVhost
from pesnet.shared.events import CATALOG
from pesnet.shared.events.registration import ParticipantRegistered
from pesnet.shared.mongo import make_client


def event_body() -> bytes:
    """A `ParticipantRegistered` as the path publishes it (its size is L0's message size)."""
    data = registration(0, "sizing")
    payload = ParticipantRegistered(
        registration_id="0" * 32,
        meeting_id="pesnet-demo",
        status="registered",
        registered_at="2026-01-01T00:00:00Z",
        manage_page="http://127.0.0.1:8001/registrations/" + "0" * 32,
        manage_link_version=1,
        **data,
    )
    event = CATALOG.envelope(payload, source="/pesnet/registration", subject="0" * 32)
    return event.to_json()


async def operations(mongo_url: str) -> dict[str, int]:
    client = make_client(mongo_url)
    try:
        status = await client.admin.command("serverStatus")
    finally:
        await client.close()
    return {k: int(v) for k, v in status["opcounters"].items()}


def per(before: dict[str, int], after: dict[str, int], count: int) -> dict[str, float]:
    return {k: round((after[k] - before[k]) / count, 1) for k in after}


def commands_per(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], count: int
) -> dict[str, dict[str, float]]:
    """Per process, the database commands (round trips) it sent per registration, by
    command and collection, busiest first: where the server's operations come from."""
    found: dict[str, dict[str, float]] = {}
    for process, counts in after.items():
        was = before.get(process, {})
        each = {k: round((n - was.get(k, 0)) / count, 2) for k, n in counts.items()}
        each = {k: v for k, v in sorted(each.items(), key=lambda kv: -kv[1]) if v >= 0.01}
        if each:
            found[process] = {"total": round(sum(each.values()), 2), **each}
    return found


def cpu(pids: dict[str, int]) -> dict[str, float]:
    return {k: v for k, pid in pids.items() if (v := cpu_seconds(pid)) is not None}


async def full_path(
    plat: Platform, sink: TimingSink, mongo: EmbeddedMongo, args: argparse.Namespace
) -> dict[str, Any]:
    mongo_url = mongo.url
    pids = {**plat.pids(), "bench (HTTP clients, SMTP sink)": os.getpid()}
    if mongo.process is not None:
        pids["database"] = mongo.process.pid
    if (rabbit := broker_pid()) is not None:
        pids["rabbitmq"] = rabbit
    regs = Registrations(plat.url("registration"), sink)
    try:
        # warm-up: every service has seen the meeting and a registration's whole path
        warm = await measure_burst(regs, 10, 2, within=120)
        if warm["mails"] < 10:
            raise RuntimeError(f"the platform did not deliver its warm-up mails: {warm}")
        commands_before = await plat.op_counts()
        before, cpu_before = await operations(mongo_url), cpu(pids)
        burst = await measure_burst(regs, args.registrations, args.concurrency, within=300)
        cpu_after = cpu(pids)
        burst["database_commands_per_registration"] = commands_per(
            commands_before, await plat.op_counts(), args.registrations
        )
        # where the CPU went: milliseconds per registration, each process (2 cores:
        # 2,000 ms of CPU per second of wall time at most)
        burst["cpu_ms_per_registration"] = {
            k: round((cpu_after[k] - cpu_before[k]) * 1000 / args.registrations, 1)
            for k in cpu_after
            if k in cpu_before
        }
        burst["database_operations_per_registration"] = per(
            before, await operations(mongo_url), args.registrations
        )
        if args.quick:
            return {"max": burst}
        rate = burst["registrations_per_second"] / 2
        paced = await measure_paced(regs, rate, args.paced_seconds, within=120)
        return {"max": burst, "half_rate": paced}
    finally:
        await regs.close()


def show(results: dict[str, Any]) -> str:
    l0, m0, runs = results["L0"], results["M0"], results["L3"]
    lines = [
        f"{'measure':<52}{'value':>14}",
        f"{'L0 broker: published / consumed messages per second':<52}"
        f"{l0['published_per_second']:>7} / {l0['consumed_per_second']:<6}",
        f"{'L0 as registrations per second':<52}{l0['registrations_per_second']:>14}",
        f"{'M0 database: registrations per second (raw PyMongo)':<52}"
        f"{m0['registrations_per_second']:>14}",
        f"{'M0 transactions per second':<52}{m0['transactions_per_second']:>14}",
    ]
    for replicas, run in runs.items():
        burst, paced = run["max"], run["half_rate"]
        lines += [
            f"L3, {replicas} notifications replica(s)",
            f"{'  registrations accepted per second (HTTP 201)':<52}"
            f"{burst['accepted_per_second']:>14}",
            f"{'  registrations to mail per second (max)':<52}"
            f"{burst['registrations_per_second']:>14}",
            f"{'  burst latency POST to mail p50 / p99 (s)':<52}"
            f"{burst['latency_p50_seconds']:>7} / {burst['latency_p99_seconds']:<6}",
            f"  at half the max rate ({paced['rate_per_second']}/s):"
            f"{'':<10}p50 {paced['latency_p50_seconds']} s, p99 {paced['latency_p99_seconds']} s",
        ]
    lines += [
        f"{'l3_ratio_to_limit = L3 / min(L0, M0)':<52}{results['l3_ratio_to_limit']:>14}",
        f"{'2 replicas / 1 replica':<52}{results['replica_speedup']:>14}",
        "peak memory (MiB): "
        + ", ".join(f"{k} {v}" for k, v in results["peak_memory_mib"].items()),
    ]
    return "\n".join(lines)


def platform_of(
    workdir: Path,
    vhost: TestVhost,
    mongo: EmbeddedMongo,
    sink: TimingSink,
    args: argparse.Namespace,
) -> Platform:
    """The platform as `make run` starts it, on the run's broker, database and sink."""
    return Platform(
        workdir,
        rabbit_url=vhost.url,
        mongo_url=mongo.url,
        smtp_port=sink.port,
        profile_dir=args.profile,
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="pesnet-bench-"))
    (workdir / "logs").mkdir()
    vhost = TestVhost(os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    try:
        vhost.create()
    except Exception:
        vhost.delete()  # created late, after the call gave up: not left behind
        raise
    mongo = database(workdir)
    sink = TimingSink().start()
    results: dict[str, Any] = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": host.python_version()},
    }
    plat: Platform | None = None
    try:
        print("L0: the broker alone ...", flush=True)
        results["L0"] = await broker_limit(vhost.url, event_body(), messages=args.messages)
        print("L3: starting the platform ...", flush=True)
        plat = platform_of(workdir, vhost, mongo, sink, args)
        await plat.start()
        runs: dict[str, Any] = {}
        print("L3: one notifications replica ...", flush=True)
        runs["1"] = await full_path(plat, sink, mongo, args)
        print("L3: two notifications replicas ...", flush=True)
        await plat.add_replica("notifications", 2)
        runs["2"] = await full_path(plat, sink, mongo, args)
        results["L3"] = runs
        memory = plat.peak_memory_mib()
        if args.scale_registrations:
            results["scale"] = await scale.measure(
                plat,
                sink,
                mongo.url,
                rate=runs["1"]["max"]["registrations_per_second"],
                count=args.scale_registrations,
                concurrency=args.concurrency,
                db_pid=mongo.process.pid if mongo.process else None,
            )
        plat.stop()
        plat = None
        print("M0: the database alone ...", flush=True)
        found: Templates = await templates(mongo.url)
        db_pid = mongo.process.pid if mongo.process else 0
        results["M0"] = await database_limit(
            mongo.url, found, args.m0_registrations, cpu=lambda: cpu_seconds(db_pid)
        )
        print("M0: the smallest writes ...", flush=True)
        results["smallest_writes"] = await smallest_writes(
            mongo.url, found, args.m0_registrations, cpu=lambda: cpu_seconds(db_pid)
        )
        if (db_peak := peak_memory_of(mongo.process.pid if mongo.process else 0)) is not None:
            memory["database"] = db_peak
        results["peak_memory_mib"] = memory
    finally:
        if plat is not None:
            plat.stop()
        sink.stop()
        mongo.stop()
        vhost.delete()
    per_registration = results["M0"]["messages_per_registration"]
    l0 = results["L0"]
    l0["registrations_per_second"] = round(
        min(l0["published_per_second"], l0["consumed_per_second"]) / per_registration, 1
    )
    limit = min(l0["registrations_per_second"], results["M0"]["registrations_per_second"])
    one = results["L3"]["1"]["max"]["registrations_per_second"]
    two = results["L3"]["2"]["max"]["registrations_per_second"]
    results["limit_registrations_per_second"] = limit
    results["l3_registrations_per_second"] = one
    results["l3_ratio_to_limit"] = round(one / limit, 2)
    results["l3_two_replicas_ratio_to_limit"] = round(two / limit, 2)
    results["replica_speedup"] = round(two / one, 2)
    results["latency_half_rate_p99_seconds"] = results["L3"]["1"]["half_rate"][
        "latency_p99_seconds"
    ]
    summarize(results)
    return results


# the platform's processes (the benchmark's own HTTP clients and SMTP sink are not)
BENCH_PROCESS = "bench (HTTP clients, SMTP sink)"


def summarize(results: dict[str, Any]) -> None:
    """The cost and scale figures at the top level of results.json."""
    one = results["L3"]["1"]["max"]
    results["database_operations_per_registration_total"] = round(
        sum(one["database_operations_per_registration"].values()), 1
    )
    results["cpu_ms_per_registration_total"] = round(
        sum(v for k, v in one["cpu_ms_per_registration"].items() if k != BENCH_PROCESS), 1
    )
    floor = results["smallest_writes"]["registrations_per_second"]
    results["smallest_writes_per_second"] = floor
    results["l3_ratio_to_smallest_writes"] = round(one["registrations_per_second"] / floor, 2)
    found = results.get("scale")
    if not found:
        return
    release = found["fan_out_release"]
    results["fan_out_ratio"] = release["ratio_to_registration_mails"]
    # announcements: once `POST /meetings/{id}/announcements` exists it is measured too
    # (`scale.ANNOUNCEMENT_PATH`), and the ratio is the lower of the two
    announcement = found["fan_out_announcement"]
    if "ratio_to_registration_mails" in announcement:
        results["fan_out_ratio"] = min(
            results["fan_out_ratio"], announcement["ratio_to_registration_mails"]
        )
    catch_up = found["catch_up"]
    results["catch_up_seconds"] = catch_up["seconds_from_healthy"]
    results["catch_up_ratio_to_steady"] = round(
        catch_up["per_second"] / one["registrations_per_second"], 2
    )
    results["catch_up_peak_rss_mib"] = max(catch_up["peak_memory_mib"].values())
    results["pages_p95_ms"] = found["pages_p95_ms"]
    results["pages_missing"] = found["pages_missing"]
    results["badges_pdf_500"] = found["badges_pdf"]


async def quick(args: argparse.Namespace) -> dict[str, Any]:
    """L3 with one replica only, its counts per process (`--quick`)."""
    workdir = Path(tempfile.mkdtemp(prefix="pesnet-bench-"))
    (workdir / "logs").mkdir()
    vhost = TestVhost(os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    vhost.create()
    mongo = database(workdir)
    sink = TimingSink().start()
    plat = platform_of(workdir, vhost, mongo, sink, args)
    try:
        await plat.start()
        found: dict[str, Any] = {"L3": {"1": await full_path(plat, sink, mongo, args)}}
        if args.scale_registrations:
            found["scale"] = await scale.measure(
                plat,
                sink,
                mongo.url,
                rate=found["L3"]["1"]["max"]["registrations_per_second"],
                count=args.scale_registrations,
                concurrency=args.concurrency,
                db_pid=mongo.process.pid if mongo.process else None,
            )
        return found
    finally:
        plat.stop()
        sink.stop()
        mongo.stop()
        vhost.delete()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--registrations", type=int, default=300, help="L3 burst size")
    parser.add_argument("--concurrency", type=int, default=16, help="L3 burst clients")
    parser.add_argument("--paced-seconds", type=float, default=15.0)
    parser.add_argument("--messages", type=int, default=5000, help="L0 messages")
    parser.add_argument("--m0-registrations", type=int, default=400)
    parser.add_argument(
        "--scale-registrations",
        type=int,
        default=1000,
        help="catch-up burst and fan-out size (pages at twice it); 0: skip",
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="run the services under pyinstrument"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only L3 with one replica (no paced run): for measuring a change's counts",
    )
    args = parser.parse_args()

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    # stopped like `make run`: the platform, the database and the vhost go with it
    signal.signal(signal.SIGTERM, interrupt)
    results = asyncio.run(quick(args) if args.quick else run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2) if args.quick else show(results))
    print(f"written: {args.out}")
    if args.profile is not None:
        print(summary(args.profile))


if __name__ == "__main__":
    main()
