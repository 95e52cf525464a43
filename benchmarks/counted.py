"""Run a service with a count of the database commands it sends, by command and
collection: `python -m benchmarks.counted OUT.json pesnet.notifications [args]` (the
module may be `benchmarks.profiled ...`). On SIGUSR1 the counts so far are written to
OUT.json (the benchmark asks before and after a burst, and divides the difference by the
registrations): which service makes which of the database's operations. The server's
own counters (`serverStatus`) stay the figure of record; these say where they come from.

Each command is one round trip: `insert` with two documents is one here (two in the
server's counters), `commitTransaction` is a command, a transaction's first operation
is not counted twice."""

from __future__ import annotations

import json
import runpy
import signal
import sys
import threading
from collections import Counter
from pathlib import Path
from types import FrameType

from pymongo import monitoring

# commands the driver sends on its own (connection checks, sessions' end): not the path's
IGNORED = {"hello", "ismaster", "isMaster", "ping", "endSessions", "saslStart", "saslContinue"}


class Counts(monitoring.CommandListener):
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        if name in IGNORED:
            return
        target = event.command.get(name)
        where = target if isinstance(target, str) and name not in ("commitTransaction",) else ""
        if name == "getMore":
            where = str(event.command.get("collection", ""))
        in_txn = "autocommit" in event.command
        key = f"{name} {where}{' (txn)' if in_txn else ''}".strip()
        with self.lock:
            self.counts[key] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        # why round trips were repeated: a transaction retried on a write conflict shows
        # here as the command that met it, by the server's error name
        failure = event.failure if isinstance(event.failure, dict) else {}
        key = f"failed {event.command_name} {failure.get('codeName', 'error')}"
        with self.lock:
            self.counts[key] += 1

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counts)


def main() -> None:
    out, module = Path(sys.argv[1]), sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    counts = Counts()
    monitoring.register(counts)

    def write(signum: int, frame: FrameType | None) -> None:
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(counts.snapshot(), sort_keys=True))
        tmp.replace(out)

    signal.signal(signal.SIGUSR1, write)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
