"""The cluster drill's harness (`make test-cluster`, never plain `make test`): three
RabbitMQ nodes started and clustered on this machine by scripts/rabbitmq_cluster.sh,
the platform run on them as `make run` runs it, with `RABBITMQ_URL` listing the three
nodes (the services connect to one and move to another when it goes), and the fault
suite's producer, ledger and checks (tests/faults/conftest.py). The nodes are stopped
and their data deleted at the end."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.conftest import platform  # noqa: F401  (the fault suite's platform, on the cluster)

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "scripts" / "rabbitmq_cluster.sh"
NODES = (1, 2, 3)


def node_name(n: int) -> str:
    return f"pesnet-c{n}@localhost"


def amqp_port(n: int) -> int:
    return 5689 + n


def management(n: int) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://127.0.0.1:{15689 + n}/api", auth=("guest", "guest"), timeout=30
    )


def cluster(*args: str) -> None:
    subprocess.run([str(CLUSTER), *args], check=True, timeout=600)


@pytest.fixture(scope="session")
def rabbit_url() -> Iterator[str]:
    """The three nodes, as the services are given them."""
    cluster("start")
    try:
        yield ",".join(f"amqp://guest:guest@127.0.0.1:{amqp_port(n)}/" for n in NODES)
    finally:
        cluster("stop")
