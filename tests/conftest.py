"""The test harness: a real RabbitMQ and a real MongoDB-wire server.

- RabbitMQ: `RABBITMQ_URL`, else 127.0.0.1:5672 (guest/guest). Each test run gets
  its own virtual host, created and deleted here.
- MongoDB: `MONGODB_URL`, else testcontainers' MongoDB where Docker runs, else the
  embedded SecantusDB server in a child process. Each test gets its own databases.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from pesnet.devtools.embedded_mongo import EmbeddedMongo
from pesnet.devtools.rabbit import TestVhost, ensure_management, management_url
from pesnet.devtools.smtp_sink import SmtpSink
from pesnet.shared.mongo import Client, make_client
from pesnet.shared.settings import ServiceSettings


def _docker_available() -> bool:
    docker = shutil.which("docker")
    if not docker:
        return False
    return subprocess.run([docker, "info"], capture_output=True, check=False).returncode == 0


@pytest.fixture(scope="session")
def mongo_url() -> Iterator[str]:
    if url := os.environ.get("MONGODB_URL"):
        yield url
    elif _docker_available():
        from testcontainers.mongodb import MongoDbContainer

        # a replica set: transactions and change streams need one
        with MongoDbContainer("mongo:8").with_command("--replSet rs0 --bind_ip_all") as container:
            container.exec(
                "mongosh --quiet --eval \"rs.initiate({_id:'rs0',members:[{_id:0,host:'localhost:27017'}]})\""
            )
            yield container.get_connection_url() + "/?directConnection=true"
    else:
        with EmbeddedMongo() as server:
            yield server.url


@pytest.fixture(scope="session")
def test_vhost() -> Iterator[TestVhost]:
    base = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    vhost = TestVhost(base).create()
    try:
        yield vhost
    finally:
        vhost.delete()


@pytest.fixture(scope="session")
def rabbit_url(test_vhost: TestVhost) -> str:
    return test_vhost.url


@pytest.fixture(scope="session")
def management(rabbit_url: str) -> Iterator[httpx.Client]:
    """RabbitMQ's management API as the run's broker user (users, permissions, exports)."""
    parts = urlsplit(rabbit_url)
    if not ensure_management(rabbit_url):
        pytest.fail(
            f"RabbitMQ's management API does not answer at {management_url(rabbit_url)}: "
            "`rabbitmq-plugins enable rabbitmq_management` (.ci/run and `make run` do it)"
        )
    with httpx.Client(
        base_url=f"{management_url(rabbit_url)}/api",
        auth=(parts.username or "guest", parts.password or "guest"),
        timeout=10,
    ) as client:
        yield client


@pytest.fixture
def unique(test_vhost: TestVhost) -> Iterator[str]:
    """A name part for one test's databases and queues; its queues go at the test's end
    (they would collect every later event of the run)."""
    value = uuid.uuid4().hex[:8]
    yield value
    test_vhost.delete_queues(containing=value)


@pytest.fixture
def make_settings(mongo_url: str, rabbit_url: str, unique: str) -> Callable[..., ServiceSettings]:
    """Settings for a service under test: its own database, fast outbox polling."""

    def build(
        service: str, settings_class: type[ServiceSettings] = ServiceSettings, **overrides: Any
    ) -> ServiceSettings:
        values: dict[str, Any] = {
            "PESNET_SERVICE": service,
            "PESNET_ENV": "test",
            "RABBITMQ_URL": rabbit_url,
            "MONGODB_URL": mongo_url,
            "PESNET_DATABASE": f"test_{unique}_{service}",
            # queues outlive a test within the run's vhost: a unique name keeps one
            # test's leftover events away from the next test's consumers
            "PESNET_QUEUE": f"{service}.{unique}",
            "PESNET_OUTBOX_POLL_SECONDS": 0.2,
            "PESNET_DELIVERY_LIMIT": 3,
            # tests register dozens of people from their one client address, and try one
            # address many times (the limits' own test sets them low)
            "PESNET_REGISTRATIONS_PER_ADDRESS": 100_000,
            "PESNET_REGISTRATIONS_PER_EMAIL": 100_000,
            **overrides,
        }
        return settings_class.model_validate(values)

    return build


@pytest.fixture
async def mongo_client(mongo_url: str) -> AsyncIterator[Client]:
    client = make_client(mongo_url)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
def smtp_sink(tmp_path: Path) -> Iterator[SmtpSink]:
    with SmtpSink(tmp_path / "maildir") as sink:
        yield sink


class RunningService:
    """A service app with its lifespan running, and an HTTP client on it."""

    def __init__(self, app: FastAPI, http: httpx.AsyncClient) -> None:
        self.app = app
        self.http = http


@pytest.fixture
def start_service() -> Callable[[FastAPI], Any]:
    """`async with start_service(app) as svc:` runs the app's lifespan (broker,
    database, relay, consumers) and gives an httpx client bound to it."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[RunningService]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield RunningService(app, http)

    return run
