"""Throw-away RabbitMQ virtual hosts, so that test runs never see each other's messages."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import uuid
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from pesnet.devtools.ports import port_open

MANAGEMENT_PORT = 15672


def management_url(amqp_url: str) -> str:
    """The management API of the broker at `amqp_url`: `RABBITMQ_MANAGEMENT_URL` where set
    (a node on other ports, such as a second local node), else its host on port 15672."""
    if configured := os.environ.get("RABBITMQ_MANAGEMENT_URL"):
        return configured.rstrip("/")
    return f"http://{urlsplit(amqp_url).hostname or '127.0.0.1'}:{MANAGEMENT_PORT}"


def vhost_url(base_url: str, vhost: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(vhost, safe=""), "", ""))


STALE_AFTER_SECONDS = 3600
PREFIX = "pesnet-test-"


class TestVhost:
    """Creates `pesnet-test-<epoch>-<random>` through the management API where it answers,
    else through rabbitmqctl (local broker). The API comes first: every rabbitmqctl call
    starts an Erlang node on a small shared port range, and a few test runs at once
    exhaust it.

    A run deletes its vhost at its end, and removes test vhosts more than an hour old that
    a killed run left behind: each vhost holds open files (its message stores), and a
    broker started with the usual limit of 1,024 open files runs out of file handles
    after a few dozen, which stalls every vhost and queue operation."""

    __test__ = False  # a fixture's helper, not a pytest test class

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.name = f"{PREFIX}{int(time.time())}-{uuid.uuid4().hex[:6]}"
        parts = urlsplit(base_url)
        self._user = parts.username or "guest"
        self._password = parts.password or "guest"
        self._host = parts.hostname or "127.0.0.1"
        self._management = management_url(base_url)
        local_ctl = (
            shutil.which("rabbitmqctl") if self._host in ("127.0.0.1", "localhost") else None
        )
        self._ctl = None if self._management_answers() else local_ctl

    @property
    def url(self) -> str:
        return vhost_url(self.base_url, self.name)

    def _management_answers(self) -> bool:
        try:
            return httpx.get(
                f"{self._management}/api/overview",
                auth=(self._user, self._password),
                timeout=3,
            ).is_success
        except httpx.HTTPError:
            return False

    def _api(self, method: str, path: str, json: object | None = None) -> None:
        response = httpx.request(
            method,
            f"{self._management}/api{path}",
            auth=(self._user, self._password),
            json=json,
            # a busy broker can take a while to start or delete a vhost
            timeout=120,
        )
        response.raise_for_status()

    def create(self) -> TestVhost:
        with contextlib.suppress(Exception):
            self._remove_stale()
        if self._ctl:
            subprocess.run(  # noqa: S603
                [self._ctl, "-q", "add_vhost", self.name], check=True, timeout=60
            )
            subprocess.run(  # noqa: S603
                [self._ctl, "-q", "set_permissions", "-p", self.name, self._user, ".*", ".*", ".*"],
                check=True,
                timeout=60,
            )
        else:
            vhost = quote(self.name, safe="")
            self._api("PUT", f"/vhosts/{vhost}")
            self._api(
                "PUT",
                f"/permissions/{vhost}/{quote(self._user, safe='')}",
                {"configure": ".*", "write": ".*", "read": ".*"},
            )
        return self

    def delete(self) -> None:
        if self._ctl:
            subprocess.run(  # noqa: S603
                [self._ctl, "-q", "delete_vhost", self.name], check=False, timeout=60
            )
        else:
            with contextlib.suppress(httpx.HTTPError):
                self._api("DELETE", f"/vhosts/{quote(self.name, safe='')}")

    def delete_queues(self, containing: str) -> int:
        """Delete this vhost's queues whose name contains `containing` (how many).

        Tests give their services' queues unique names, and those queues stay bound to
        `pesnet.events` after the test: left in place, every later event of the run is
        copied into every earlier test's queue (hundreds of queues and tens of thousands
        of messages by the end), until a broker with the usual 1,024 open files stops
        accepting connections. Deleting them between tests, when nothing publishes, is
        safe; an expiry policy is not (RabbitMQ 3.10 closes a publishing connection with
        INTERNAL_ERROR when a queue expires while a message is routed to it).

        Through the management API only: with rabbitmqctl alone this is left undone."""
        if self._ctl:
            return 0
        vhost = quote(self.name, safe="")
        try:
            names = self._queues_containing(vhost, containing)
        except httpx.HTTPError:
            return 0  # a broker that is down (a fault drill) keeps them; the vhost goes at the end
        for name in names:
            with contextlib.suppress(httpx.HTTPError):  # gone meanwhile
                self._api("DELETE", f"/queues/{vhost}/{quote(name, safe='')}")
        return len(names)

    def _queues_containing(self, vhost: str, containing: str) -> list[str]:
        response = httpx.get(
            f"{self._management}/api/queues/{vhost}?columns=name",
            auth=(self._user, self._password),
            timeout=60,
        )
        response.raise_for_status()
        return [q["name"] for q in response.json() if containing in q["name"]]

    def _remove_stale(self) -> None:
        if self._ctl:
            listed = subprocess.run(  # noqa: S603
                [self._ctl, "-q", "list_vhosts", "name"],
                check=True,
                timeout=60,
                capture_output=True,
                text=True,
            ).stdout.split()
        else:
            response = httpx.get(
                f"{self._management}/api/vhosts?columns=name",
                auth=(self._user, self._password),
                timeout=30,
            )
            response.raise_for_status()
            listed = [v["name"] for v in response.json()]
        now = time.time()
        for name in listed:
            stamp = name.removeprefix(PREFIX).split("-")[0]
            if not name.startswith(PREFIX) or not stamp.isdigit():
                continue
            if now - int(stamp) < STALE_AFTER_SECONDS:
                continue
            if self._ctl:
                subprocess.run(  # noqa: S603
                    [self._ctl, "-q", "delete_vhost", name], check=False, timeout=60
                )
            else:
                self._api("DELETE", f"/vhosts/{quote(name, safe='')}")


def ensure_management(amqp_url: str) -> bool:
    """Enable the management plugin on a local node whose management port does not answer
    (`rabbitmq-plugins enable` works online). True once the port answers."""
    api = urlsplit(management_url(amqp_url))
    host, port = api.hostname or "127.0.0.1", api.port or MANAGEMENT_PORT
    if port_open(host, port):
        return True
    plugins = shutil.which("rabbitmq-plugins")
    if host not in ("127.0.0.1", "localhost") or not plugins:
        return False
    subprocess.run(  # noqa: S603
        [plugins, "enable", "rabbitmq_management"], capture_output=True, check=False
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if port_open(host, port):
            return True
        time.sleep(0.5)
    return False
