"""Throw-away RabbitMQ virtual hosts, so that test runs never see each other's messages."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import uuid
from urllib.parse import quote, urlsplit, urlunsplit

import httpx


def vhost_url(base_url: str, vhost: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(vhost, safe=""), "", ""))


class TestVhost:
    """Creates `pesnet-test-<random>` through rabbitmqctl (local broker) or the
    management API (remote broker), and deletes it afterwards."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.name = f"pesnet-test-{uuid.uuid4().hex[:10]}"
        parts = urlsplit(base_url)
        self._user = parts.username or "guest"
        self._password = parts.password or "guest"
        self._host = parts.hostname or "127.0.0.1"
        self._ctl = (
            shutil.which("rabbitmqctl") if self._host in ("127.0.0.1", "localhost") else None
        )

    @property
    def url(self) -> str:
        return vhost_url(self.base_url, self.name)

    def _api(self, method: str, path: str, json: object | None = None) -> None:
        response = httpx.request(
            method,
            f"http://{self._host}:15672/api{path}",
            auth=(self._user, self._password),
            json=json,
            timeout=10,
        )
        response.raise_for_status()

    def _run_ctl(self, *args: str, attempts: int = 3) -> None:
        """rabbitmqctl, tried again: on a busy shared broker a call can fail or be killed
        (both commands are idempotent)."""
        assert self._ctl is not None
        for attempt in range(1, attempts + 1):
            done = subprocess.run([self._ctl, "-q", *args], check=False, timeout=120)  # noqa: S603
            if done.returncode == 0:
                return
            if attempt == attempts:
                done.check_returncode()
            time.sleep(2.0 * attempt)

    def create(self) -> TestVhost:
        if self._ctl:
            self._run_ctl("add_vhost", self.name)
            self._run_ctl("set_permissions", "-p", self.name, self._user, ".*", ".*", ".*")
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
            subprocess.run([self._ctl, "-q", "delete_vhost", self.name], check=False)  # noqa: S603
        else:
            with contextlib.suppress(httpx.HTTPError):
                self._api("DELETE", f"/vhosts/{quote(self.name, safe='')}")
