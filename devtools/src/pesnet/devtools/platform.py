"""`make run` as a child process, as the acceptance, browser and fault tests start, wait
for and stop it (the benchmarks start the services one by one instead, for replicas and
profiles: `benchmarks/platform.py`)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

READY_LINE = "[make run] ready"


class PlatformDidNotStart(RuntimeError):
    """`make run` exited or did not say it was ready in time; carries its last output."""


@dataclass
class RunningPlatform:
    process: subprocess.Popen[bytes]
    workdir: Path
    ready_after: float

    @property
    def log_path(self) -> Path:
        return self.workdir / "run.log"

    def log(self) -> str:
        return self.log_path.read_text()


@contextmanager
def running_platform(
    workdir: Path, env: Mapping[str, str], ready_within: float = 180
) -> Iterator[RunningPlatform]:
    """Start `python -m pesnet.devtools.run` in `workdir` (its output in `run.log`), wait
    until it says it is ready (never over a half-seeded meeting), and stop it with Ctrl-C
    (SIGINT) at the end, as a person would; killed if it does not stop within a minute."""
    output = workdir / "run.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pesnet.devtools.run"],
            cwd=workdir,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    started = time.monotonic()
    while READY_LINE not in output.read_text():
        if process.poll() is not None or time.monotonic() - started > ready_within:
            process.kill()
            process.wait(timeout=30)
            raise PlatformDidNotStart(
                f"make run did not become ready:\n{output.read_text()[-3000:]}"
            )
        time.sleep(0.5)
    try:
        yield RunningPlatform(process, workdir, time.monotonic() - started)
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes], within: float = 60) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
