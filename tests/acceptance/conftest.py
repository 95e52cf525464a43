"""`make run` as a person runs it, in a vhost of its own: its queues bear the services'
names, and left in the run's vhost they would collect every later test's events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import vhost_of_its_own


@pytest.fixture(scope="session")
def rabbit_url() -> Iterator[str]:
    with vhost_of_its_own() as url:
        yield url
