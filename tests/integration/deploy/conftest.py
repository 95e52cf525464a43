"""Fixtures of the deployment conformance tests: the authenticated database, and broker
accounts made for one test and removed after it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, unquote, urlsplit

import httpx
import pytest

from tests.integration.deploy.platform import AuthenticatedDatabase
from tests.support import vhost_of_its_own


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthenticatedDatabase]:
    server = AuthenticatedDatabase(tmp_path_factory.mktemp("database")).start()
    try:
        yield server
    finally:
        server.stop()


class BrokerAccounts:
    """Users made on the broker for one test, with permissions in the run's vhost only;
    every one is deleted at the end (users are global to the broker)."""

    def __init__(self, api: httpx.Client, vhost: str) -> None:
        self.api = api
        self.vhost = vhost
        self.made: list[str] = []

    def make(self, user: str, password: str, tags: list[str], permissions: dict[str, str]) -> None:
        name = quote(user, safe="")
        response = self.api.put(
            f"/users/{name}", json={"password": password, "tags": ",".join(tags)}
        )
        assert response.is_success, response.text
        self.made.append(user)
        granted = {k: permissions[k] for k in ("configure", "write", "read")}
        response = self.api.put(f"/permissions/{quote(self.vhost, safe='')}/{name}", json=granted)
        assert response.is_success, response.text

    def tags_of(self, user: str) -> list[str]:
        found = self.api.get(f"/users/{quote(user, safe='')}").json()
        tags = found["tags"]
        return tags if isinstance(tags, list) else [t for t in str(tags).split(",") if t]

    def remove_all(self) -> None:
        for user in self.made:
            self.api.delete(f"/users/{quote(user, safe='')}")


@pytest.fixture
def form_rabbit_url() -> Iterator[str]:
    """A vhost for one deployed form: its queues bear the services' names (see
    `vhost_of_its_own`), and the next form must not inherit what they collected."""
    with vhost_of_its_own() as url:
        yield url


@pytest.fixture
def broker_accounts(management: httpx.Client, form_rabbit_url: str) -> Iterator[BrokerAccounts]:
    accounts = BrokerAccounts(management, unquote(urlsplit(form_rabbit_url).path[1:]))
    try:
        yield accounts
    finally:
        accounts.remove_all()
