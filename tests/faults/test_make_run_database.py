"""`make run` looks after the embedded database it started as it looks after the
services: killed, it is started again on its data, and the platform is whole again
without anyone's help; while it is down, a write answers 503 (problem details,
`Retry-After`) within a second instead of hanging."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pesnet.devtools.platform import PlatformDidNotStart, RunningPlatform, running_platform
from pesnet.devtools.run import service_ports
from tests.faults.conftest import PORT_OFFSET
from tests.support import eventually, vhost_of_its_own

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(600)]

# ports of their own: the drill's platform may run at the same time
PORTS = service_ports(PORT_OFFSET + 20)


@pytest.fixture(scope="module")
def own_database_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """`make run` with no MONGODB_URL: it starts (and supervises) the embedded database.
    A vhost of its own: the drill's platform may still run, with the same queue names."""
    workdir = tmp_path_factory.mktemp("make-run-database")
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URL", "SMTP_HOST")}
    env.update(
        {
            "PESNET_SECRETARIAT_TOKEN": "dev-secretariat-token",
            "PESNET_RUN_PORT_OFFSET": str(PORT_OFFSET + 20),
        }
    )
    try:
        with (
            vhost_of_its_own() as rabbit_url,
            running_platform(workdir, {**env, "RABBITMQ_URL": rabbit_url}) as running,
        ):
            yield running
    except PlatformDidNotStart as error:
        pytest.fail(str(error))


def url(service: str, path: str) -> str:
    return f"http://127.0.0.1:{PORTS[service]}{path}"


def database_pid(workdir: Path) -> int:
    return int((workdir / ".run" / "pids" / "mongo.pid").read_text())


def registration(tag: str) -> dict[str, str]:
    return {
        "given_name": "Test",
        "family_name": tag,
        "email": f"db.{tag}@example.org",
        "country": "SEN",
        "institution": "ANPE",
        "position": "Officer",
        "role": "delegate",
        "language": "fr",
    }


async def test_make_run_restarts_its_database_and_writes_meanwhile_answer_503_at_once(
    own_database_platform: RunningPlatform,
) -> None:
    workdir = own_database_platform.workdir
    victim = database_pid(workdir)
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as http:
        started = time.monotonic()
        during = await http.post(
            url("registration", "/meetings/pesnet-demo/registrations"),
            json=registration(uuid.uuid4().hex[:6]),
        )
        answered_in = time.monotonic() - started
        if during.status_code == 503:  # (else the database was back already)
            assert answered_in < 1.0
            assert during.headers["content-type"] == "application/problem+json"
            assert int(during.headers["retry-after"]) > 0

        async def whole_again() -> bool:
            if not (workdir / ".run" / "pids" / "mongo.pid").exists():
                return False
            if database_pid(workdir) == victim:
                return False
            for service in PORTS:
                try:
                    health = await http.get(url(service, "/healthz"))
                except httpx.TransportError:
                    return False
                if health.status_code != 200:
                    return False
            return True

        await eventually(whole_again, within=120)
        back_after = time.monotonic() - killed
        after = await http.post(
            url("registration", "/meetings/pesnet-demo/registrations"),
            json=registration(uuid.uuid4().hex[:6]),
        )
        assert after.status_code == 201, after.text
    assert "mongo restarted" in own_database_platform.log()
    print(
        f"\n[faults] kill -9 of make run's database: restarted by make run (pid {victim} -> "
        f"{database_pid(workdir)}), every service healthy again after {back_after:.1f} s; "
        f"a registration while it was down: {during.status_code} after {answered_in:.2f} s"
    )
