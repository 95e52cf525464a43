"""`make run`: the whole platform on one machine, on embedded defaults.

Starts what is missing (RabbitMQ if installed but down; the embedded MongoDB-wire
server and the SMTP sink when no URLs are set), the five services as separate
processes (identity creates the development administrator; the others verify its
access tokens with its JWKS), waits until each is healthy, loads the seed data
through the services' own APIs, prints where everything is, and stops it all on
Ctrl-C.
A service process that dies is started again, after 1 s, 2 s, 4 s ... (at most
`MAX_BACKOFF_SECONDS`; the count starts over once it has stayed up a minute), and so is
the embedded database that `make run` started (on the same port and data: the services
reconnect by themselves); `.run/pids/<name>.pid` names each current process.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from pesnet.devtools.embedded_mongo import EmbeddedMongo
from pesnet.devtools.ports import free_port, port_open
from pesnet.devtools.rabbit import ensure_management, management_url
from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.identity.settings import DEV_ADMIN_PASSWORD, DEV_ADMIN_USERNAME
from pesnet.shared.failover import broker_urls
from pesnet.shared.settings import DEV_RABBITMQ_URL, DEV_SECRETARIAT_TOKEN


@dataclass(frozen=True)
class Service:
    name: str
    port: int


SERVICES = (
    Service("registration", 8001),
    Service("agenda", 8002),
    Service("actionplan", 8003),
    Service("notifications", 8004),
    Service("identity", 8005),
)


def service_ports(offset: int = 0) -> dict[str, int]:
    """Each service's port under `PESNET_RUN_PORT_OFFSET` = `offset`."""
    return {s.name: s.port + offset for s in SERVICES}


# Seeding order: plans and the meeting first (the meeting opens registration by event).
SEED_ORDER = ("actionplan", "agenda", "registration", "notifications")
MAX_BACKOFF_SECONDS = 30.0
STABLE_AFTER_SECONDS = 60.0


class Supervisor:
    """Restarts a service process that died, with exponential backoff."""

    def __init__(self, start: Callable[[str], subprocess.Popen[bytes]]) -> None:
        self.start = start
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.started_at: dict[str, float] = {}
        self.failures: dict[str, int] = {}
        self.due: dict[str, float] = {}

    def launch(self, name: str) -> None:
        self.processes[name] = process = self.start(name)
        self.started_at[name] = time.monotonic()
        # written whole or not at all: a reader never sees an empty file
        path = pid_file(name)
        path.with_suffix(".tmp").write_text(str(process.pid))
        path.with_suffix(".tmp").replace(path)

    def check(self) -> None:
        now = time.monotonic()
        for name, process in self.processes.items():
            if name in self.due or process.poll() is None:
                continue
            if now - self.started_at[name] > STABLE_AFTER_SECONDS:
                self.failures[name] = 0
            delay = min(2.0 ** self.failures.get(name, 0), MAX_BACKOFF_SECONDS)
            self.failures[name] = self.failures.get(name, 0) + 1
            self.due[name] = now + delay
            say(
                f"{name} exited with code {process.returncode}; restarting it in {delay:.0f}s "
                f"(restart {self.failures[name]}); see .run/logs/{name}.log"
            )
        for name, when in list(self.due.items()):
            if now >= when:
                del self.due[name]
                self.launch(name)
                say(f"{name} restarted (pid {self.processes[name].pid})")

    def stop(self) -> None:
        self.due.clear()
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def pid_file(name: str) -> Path:
    """`.run/pids/<service>.pid`: the current process of a service (for the fault tests)."""
    path = Path.cwd() / ".run" / "pids"
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{name}.pid"


def say(text: str) -> None:
    print(f"[make run] {text}", flush=True)


def ensure_rabbitmq(url: str) -> None:
    url = broker_urls(url)[0]  # a cluster's nodes: the first one
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5672
    server = shutil.which("rabbitmq-server")
    if not port_open(host, port) and host in ("127.0.0.1", "localhost") and server:
        say("RabbitMQ is installed but not running: starting it (rabbitmq-server -detached)")
        subprocess.run([server, "-detached"], check=False)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not port_open(host, port):
            time.sleep(0.5)
    if not port_open(host, port):
        raise SystemExit(
            f"No RabbitMQ at {host}:{port}. Install it (Debian: `apt-get install rabbitmq-server`, "
            "then `rabbitmq-server -detached`), or run one in Docker "
            "(`docker run -d -p 5672:5672 rabbitmq:3-management`), or set RABBITMQ_URL."
        )
    # partner users (python -m pesnet.shared.partners) are made through the management API
    if not ensure_management(url):
        say(
            f"RabbitMQ's management API does not answer at {management_url(url)}; partners need it "
            "(`rabbitmq-plugins enable rabbitmq_management`)"
        )


async def wait_healthy(ports: dict[str, int], within: float) -> None:
    deadline = time.monotonic() + within
    pending = dict(ports)
    async with httpx.AsyncClient(timeout=2.0) as http:
        while pending:
            for name, port in list(pending.items()):
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        say(f"{name} is healthy on http://127.0.0.1:{port}")
                        del pending[name]
                except httpx.HTTPError:
                    pass
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"not healthy after {within:.0f}s: {', '.join(pending)}")
            await asyncio.sleep(0.3)


async def seed(ports: dict[str, int], token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=60.0, headers=headers) as http:
        for name in SEED_ORDER:
            response = await http.post(f"http://127.0.0.1:{ports[name]}/dev/seed")
            if response.status_code == 404:
                continue
            response.raise_for_status()
            say(f"seeded {name}")
    try:
        module = importlib.import_module("pesnet.devtools.seed_meeting4")
    except ModuleNotFoundError:
        return
    async with (
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{ports['registration']}", timeout=60.0
        ) as reg,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['agenda']}", timeout=60.0) as agenda,
    ):
        await module.seed_meeting4(reg, agenda, token)
    say("published the 4th meeting's programme; pesnet-demo is open with its programme")


def platform_env(
    *,
    rabbit_url: str,
    mongo_url: str,
    smtp: tuple[str, str],
    mailbox: Path,
    ports: dict[str, int],
    token: str,
) -> dict[str, str]:
    """The environment every service of the platform starts with (`make run`, and the
    benchmark, which starts the same platform on its own ports)."""
    smtp_host, smtp_port = smtp
    identity_url = f"http://127.0.0.1:{ports['identity']}"
    admin_username = os.environ.get("PESNET_DEV_ADMIN_USERNAME") or DEV_ADMIN_USERNAME
    admin_password = os.environ.get("PESNET_DEV_ADMIN_PASSWORD") or DEV_ADMIN_PASSWORD
    base_env = {
        **os.environ,
        "PESNET_ENV": "dev",
        "RABBITMQ_URL": rabbit_url,
        "MONGODB_URL": mongo_url,
        "PESNET_SECRETARIAT_TOKEN": token,
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": smtp_port,
        "PESNET_DEV_MAILBOX": str(mailbox),
        # every service verifies identity's access tokens with its published keys
        "PESNET_JWKS_URL": f"{identity_url}/.well-known/jwks.json",
        "PESNET_IDENTITY_PUBLIC_URL": identity_url,
        # the pages' links to the programme, and where staff sign in
        "PESNET_AGENDA_PUBLIC_URL": f"http://127.0.0.1:{ports['agenda']}",
        "PESNET_IDENTITY_URL": identity_url,
        "PESNET_DEV_ADMIN_USERNAME": admin_username,
        "PESNET_DEV_ADMIN_PASSWORD": admin_password,
        "PYTHONUNBUFFERED": "1",
    }
    # the drill, the benchmark and the acceptance run register hundreds of people from
    # this one address (the per-e-mail limit still holds)
    base_env.setdefault("PESNET_REGISTRATIONS_PER_ADDRESS", "100000")
    # A demo wants programme-change mails in seconds, not after a 10-minute digest window.
    base_env.setdefault("NOTIFICATIONS_DIGEST_WINDOW_SECONDS", "20")
    # the mails' preferences links point at this run's notifications (ports may be shifted)
    base_env.setdefault("NOTIFICATIONS_PUBLIC_URL", f"http://127.0.0.1:{ports['notifications']}")
    return base_env


@dataclass
class Backing:
    """What the platform runs on that this runner started itself (and stops last): the
    embedded MongoDB-wire server (supervised like a service: restarted if it dies), the
    SMTP sink, the services' log files."""

    database: Supervisor | None = None
    sink: SmtpSink | None = None
    logs: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def check(self) -> None:
        if self.database:
            self.database.check()

    def stop(self) -> None:
        if self.sink:
            self.sink.stop()
        if self.database:
            self.database.stop()
        self.logs.close()


# the embedded database, supervised under this name (`.run/pids/mongo.pid`, `mongo.log`)
DATABASE = "mongo"


def start_database(mongo: EmbeddedMongo, root: Path) -> subprocess.Popen[bytes]:
    """The embedded database's process (again: on the same port and data)."""
    mongo.start(log_file=root / "logs" / "mongo.log")
    assert mongo.process is not None
    return mongo.process


def database_url(root: Path, backing: Backing) -> str:
    """`MONGODB_URL`, else an embedded MongoDB-wire server started now."""
    url = os.environ.get("MONGODB_URL")
    if url:
        return url
    mongo = EmbeddedMongo(storage_path=root / "mongo", port=free_port())
    backing.database = Supervisor(lambda _: start_database(mongo, root))
    backing.database.launch(DATABASE)
    say(f"embedded MongoDB-wire server (SecantusDB) on {mongo.url}, data in .run/mongo")
    return mongo.url


def smtp_server(mailbox: Path, backing: Backing) -> tuple[str, str]:
    """`SMTP_HOST`/`SMTP_PORT`, else an SMTP sink started now that keeps the mails."""
    host = os.environ.get("SMTP_HOST")
    if host:
        return host, os.environ.get("SMTP_PORT", "25")
    backing.sink = SmtpSink(mailbox, free_port()).start()
    say(f"SMTP sink on 127.0.0.1:{backing.sink.port}, mails kept in .run/mailbox")
    return "127.0.0.1", str(backing.sink.port)


def service_starter(
    base_env: dict[str, str], ports: dict[str, int], logs: Path, backing: Backing
) -> Callable[[str], subprocess.Popen[bytes]]:
    """How a service process starts (and restarts): its port, its log file."""
    files = {
        s.name: backing.logs.enter_context((logs / f"{s.name}.log").open("ab")) for s in SERVICES
    }

    def start_service(name: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", f"pesnet.{name}"],
            env={**base_env, "PESNET_SERVICE": name, "PESNET_HTTP_PORT": str(ports[name])},
            stdout=files[name],
            stderr=subprocess.STDOUT,
            # own session: Ctrl-C reaches only this runner, which stops the services
            # before the database they need to shut down cleanly
            start_new_session=True,
        )

    return start_service


def say_ready(ports: dict[str, int], base_env: dict[str, str], token: str) -> None:
    """Where everything is, and how to sign in."""
    admin_username = base_env["PESNET_DEV_ADMIN_USERNAME"]
    admin_password = base_env["PESNET_DEV_ADMIN_PASSWORD"]
    identity_url = base_env["PESNET_IDENTITY_URL"]
    say("the platform is up:")
    for service in SERVICES:
        say(f"  {service.name:<14} http://127.0.0.1:{ports[service.name]}  (docs: /docs)")
    say(f"  mailbox        http://127.0.0.1:{ports['notifications']}/dev/mailbox")
    registration = f"http://127.0.0.1:{ports['registration']}"
    say("pages (ar/en/fr: add ?lang=ar|en|fr):")
    say(f"  registration form   {registration}/meetings/pesnet-demo/register")
    say(f"  check-in desk       {registration}/desk   (staff: sign in)")
    say(f"  secretariat console {registration}/console   (staff: sign in)")
    say("  manage page         the manage link of each confirmation mail")
    say("  preferences page    the preferences link at the foot of each mail")
    say(f"  secretariat token (dev only): {token}")
    say(f"  administrator (dev only): {admin_username} / {admin_password}")
    say(
        f"  access token: curl -s -X POST {identity_url}/auth/token "
        "-H 'content-type: application/json' "
        f"""-d '{{"username":"{admin_username}","password":"{admin_password}"}}'"""
    )
    say("  logs: .run/logs/*.log   -   Ctrl-C stops everything")
    say("ready")


def stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and SIGTERM both end up in `main`'s `finally`, whatever phase
    (start-up, seeding, running) they arrive in. SIGINT is set explicitly: a shell
    without job control starts background commands with it ignored."""

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def main() -> int:
    root = Path.cwd() / ".run"
    (root / "logs").mkdir(parents=True, exist_ok=True)
    offset = int(os.environ.get("PESNET_RUN_PORT_OFFSET", "0"))
    token = os.environ.get("PESNET_SECRETARIAT_TOKEN", DEV_SECRETARIAT_TOKEN)
    rabbit_url = os.environ.get("RABBITMQ_URL", DEV_RABBITMQ_URL)
    ensure_rabbitmq(rabbit_url)
    backing = Backing()
    mailbox = root / "mailbox"
    ports = service_ports(offset)
    base_env = platform_env(
        rabbit_url=rabbit_url,
        mongo_url=database_url(root, backing),
        smtp=smtp_server(mailbox, backing),
        mailbox=mailbox,
        ports=ports,
        token=token,
    )
    supervisor = Supervisor(service_starter(base_env, ports, root / "logs", backing))
    stop_on_signals()
    try:
        for service in SERVICES:
            supervisor.launch(service.name)
        asyncio.run(wait_healthy(ports, within=60))
        try:
            asyncio.run(seed(ports, token))
        except Exception as exc:  # never "ready" over a half-seeded meeting
            say(f"seeding failed: {type(exc).__name__}: {exc}; see .run/logs/")
            return 1
        say_ready(ports, base_env, token)
        while True:
            supervisor.check()
            backing.check()
            time.sleep(0.2)
    except KeyboardInterrupt:
        return 0
    except (TimeoutError, httpx.HTTPError) as exc:
        say(f"start-up failed: {exc}; see .run/logs/")
        return 1
    finally:
        say("stopping")
        supervisor.stop()
        backing.stop()
        say("stopped")


if __name__ == "__main__":
    raise SystemExit(main())
