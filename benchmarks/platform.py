"""The platform as `make run` starts it (embedded database on disk, the five services as
separate processes, seeded through their APIs), on ports and a RabbitMQ virtual host of
its own so that it never meets another run; notifications with one or more replicas."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from pesnet.devtools.embedded_mongo import EmbeddedMongo
from pesnet.devtools.ports import free_port
from pesnet.devtools.run import SERVICES, platform_env, seed, wait_healthy
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN

ROOT = Path(__file__).resolve().parent.parent


class Platform:
    def __init__(
        self,
        workdir: Path,
        *,
        rabbit_url: str,
        mongo_url: str,
        smtp_port: int,
        profile_dir: Path | None = None,
    ) -> None:
        self.workdir = workdir
        self.profile_dir = profile_dir
        self.token = os.environ.get("PESNET_SECRETARIAT_TOKEN", DEV_SECRETARIAT_TOKEN)
        self.ports = {s.name: free_port() for s in SERVICES}
        self.env = platform_env(
            rabbit_url=rabbit_url,
            mongo_url=mongo_url,
            smtp=("127.0.0.1", str(smtp_port)),
            mailbox=workdir / "mailbox",
            ports=self.ports,
            token=self.token,
        )
        # programme notices without a digest window: the fan-out measures the platform,
        # not the window (`benchmarks/scale.py`)
        self.env["NOTIFICATIONS_DIGEST_WINDOW_SECONDS"] = "0"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        (workdir / "logs").mkdir(parents=True, exist_ok=True)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def launch(self, name: str, replica: int = 1) -> str:
        key = name if replica == 1 else f"{name}-{replica}"
        port = self.ports[name] if replica == 1 else free_port()
        module = f"pesnet.{name}"
        command = [module]
        if self.profile_dir is not None:
            self.profile_dir.mkdir(parents=True, exist_ok=True)
            out = self.profile_dir / f"{key}.txt"
            command = ["benchmarks.profiled", str(out), module]
        # every service counts its database commands (`counted.py`, read by `op_counts`)
        counts = self.workdir / "counts" / f"{key}.json"
        counts.parent.mkdir(exist_ok=True)
        command = [sys.executable, "-m", "benchmarks.counted", str(counts), *command]
        log = (self.workdir / "logs" / f"{key}.log").open("ab")
        self.processes[key] = subprocess.Popen(  # noqa: S603
            command,
            env={**self.env, "PESNET_SERVICE": name, "PESNET_HTTP_PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        log.close()
        if replica != 1:
            self.ports[key] = port
        return key

    async def start(self) -> None:
        for service in SERVICES:
            self.launch(service.name)
        await wait_healthy(self.ports, within=120)
        await seed(self.ports, self.token)

    async def add_replica(self, name: str, replica: int) -> None:
        key = self.launch(name, replica)
        await wait_healthy({key: self.ports[key]}, within=120)

    def stop_service(self, name: str) -> None:
        """Stop every replica of a service (SIGTERM, as an operator would)."""
        for key in [k for k in self.processes if k == name or k.startswith(f"{name}-")]:
            process = self.processes.pop(key)
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    async def restart_service(self, name: str) -> None:
        """Start one replica of a stopped service, on its port, and wait until healthy."""
        self.launch(name)
        await wait_healthy({name: self.ports[name]}, within=120)

    def peak_memory_mib(self) -> dict[str, float]:
        """Each process's peak resident memory (VmHWM) so far."""
        peaks: dict[str, float] = {}
        for key, process in self.processes.items():
            try:
                status = Path(f"/proc/{process.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[key] = round(int(line.split()[1]) / 1024, 1)
        return peaks

    async def op_counts(self) -> dict[str, dict[str, int]]:
        """Each process's database commands so far, by command and collection (each
        writes them when signalled: `benchmarks.counted`)."""
        asked = {}
        for key, process in self.processes.items():
            path = self.workdir / "counts" / f"{key}.json"
            asked[key] = (path, path.stat().st_mtime_ns if path.exists() else 0)
            if process.poll() is None:
                process.send_signal(signal.SIGUSR1)
        found: dict[str, dict[str, int]] = {}
        for _ in range(100):
            for key, (path, before) in asked.items():
                if key not in found and path.exists() and path.stat().st_mtime_ns != before:
                    with contextlib.suppress(ValueError):
                        found[key] = json.loads(path.read_text())
            if len(found) == len(asked):
                break
            await asyncio.sleep(0.05)
        return found

    def pids(self) -> dict[str, int]:
        return {key: process.pid for key, process in self.processes.items()}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def broker_pid() -> int | None:
    """The local RabbitMQ node (its CPU is counted too; read only): the one whose pid
    file `RABBITMQ_PID_FILE` names, else the only one running (None where several run
    and none is named: another node's CPU is not this run's)."""
    if pid_file := os.environ.get("RABBITMQ_PID_FILE"):
        with contextlib.suppress(OSError, ValueError):
            return int(Path(pid_file).read_text().split()[0])
        return None
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if (entry / "comm").read_text().strip() == "beam.smp":
                found.append(int(entry.name))
    return found[0] if len(found) == 1 else None


def peak_memory_of(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def database(workdir: Path) -> EmbeddedMongo:
    """The embedded server as `make run` starts it: on disk, syncing each commit."""
    mongo = EmbeddedMongo(storage_path=workdir / "mongo", port=free_port())
    mongo.start(log_file=workdir / "logs" / "mongo.log")
    return mongo
