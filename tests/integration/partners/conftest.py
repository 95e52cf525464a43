"""Partner fixtures: the CLI run as operators run it, in this test run's vhost (the root
conftest's `management` client looks behind it). Partner users are global to the broker, so
each test's partner has a unique name and is deleted afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httpx
import pytest
from faststream.rabbit import RabbitBroker

from pesnet.devtools.rabbit import management_url
from pesnet.shared.partner_management import PARTNER_TAG


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def vhost(rabbit_url: str) -> str:
    return quote(urlsplit(rabbit_url).path[1:] or "/", safe="")


@pytest.fixture
def partners_cli(rabbit_url: str, management: httpx.Client) -> Iterator[Callable[..., CliResult]]:
    """Run `python -m pesnet.shared.partners ...` in the run's vhost (dev/test defaults for
    the management API); every partner it adds is deleted at the end of the test."""
    made: set[str] = set()

    def run(*args: str, env: dict[str, str] | None = None) -> CliResult:
        base = {
            "PATH": os.environ.get("PATH", ""),
            "PESNET_ENV": "test",
            "RABBITMQ_URL": rabbit_url,
            "RABBITMQ_MANAGEMENT_URL": management_url(rabbit_url),
        }
        process = subprocess.run(
            [sys.executable, "-m", "pesnet.shared.partners", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env if env is not None else base,
            check=False,
        )
        if args[0] == "add" and process.returncode == 0:
            made.add(args[1])
        return CliResult(process.returncode, process.stdout, process.stderr)

    yield run
    for name in made:
        # never another user (the broker's own `guest` included): partners only
        user = management.get(f"/users/{quote(name, safe='')}")
        if user.status_code == 200 and PARTNER_TAG in user.json().get("tags", []):
            management.delete(f"/users/{quote(name, safe='')}")


@pytest.fixture
async def admin_broker(rabbit_url: str) -> AsyncIterator[RabbitBroker]:
    broker = RabbitBroker(rabbit_url, logger=None)
    await broker.connect()
    try:
        yield broker
    finally:
        await broker.stop()
