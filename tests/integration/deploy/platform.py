"""This machine standing in for a cluster (or a compose project): its names mapped to the
broker, database and mail relay the test runs, the accounts the manifests declare made
there with exactly the rights they declare, and the five services started as processes
with the environment their form gives them.

What the stand-in changes, and only that:
- names: an in-cluster or compose host name and port (`pesnet-rabbitmq:5672`,
  `identity:8005`, the replica set's members, the mail relay) become this machine's
  address for the same thing; the broker's default vhost becomes the test run's vhost;
  the replica set's member list becomes the one embedded server (`directConnection`);
- listening: each container's port 8000 becomes a free local port on 127.0.0.1;
- trust: the notifications process trusts the test's own certificate authority
  (`SSL_CERT_FILE`), as a cluster with a private CA would, so that the SMTP relay's
  STARTTLS is verified for real.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import mailbox
import re
import secrets
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import httpx
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pymongo import MongoClient

from pesnet.devtools.embedded_mongo import EmbeddedMongo
from pesnet.devtools.ports import free_port
from pesnet.devtools.smtp_sink import MaildirHandler

LOCALHOST = "127.0.0.1"
START_WITHIN_SECONDS = 90


@dataclass(frozen=True)
class Address:
    host: str
    port: int


@dataclass
class LocalNetwork:
    """Where each name of the form's network is on this machine."""

    routes: dict[Address, Address] = field(default_factory=dict)
    database_hosts: set[str] = field(default_factory=set)
    database: Address | None = None
    vhost: str = "/"

    def route(self, names: list[str], port: int, to: Address) -> None:
        for name in names:
            self.routes[Address(name, port)] = to

    def url(self, value: str) -> str:
        """`value` with its host mapped, if it is a URL to a name of the network."""
        if value.startswith(("mongodb://", "mongodb+srv://")):
            return self._database_url(value)
        try:
            parts = urlsplit(value)
            port = parts.port
        except ValueError:
            return value
        defaults = {"amqp": 5672, "http": 80, "https": 443}
        if parts.scheme not in defaults or not parts.hostname:
            return value
        target = self.routes.get(Address(parts.hostname, port or defaults[parts.scheme]))
        if target is None:
            return value
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@" if userinfo else ""
        path = parts.path
        if parts.scheme == "amqp":
            assert unquote(path or "/") == "/", f"a vhost other than the default: {value}"
            path = "/" + quote(self.vhost, safe="")
        return urlunsplit(
            (parts.scheme, f"{netloc}{target.host}:{target.port}", path, parts.query, "")
        )

    def _database_url(self, value: str) -> str:
        match = re.fullmatch(
            r"mongodb://(?:(?P<user>[^@/]*)@)?(?P<hosts>[^/?]+)(?P<path>/[^?]*)?(?:\?(?P<q>.*))?",
            value,
        )
        assert match, f"not a MongoDB URL: {value}"
        hosts = {h.rpartition(":")[0] or h for h in match["hosts"].split(",")}
        if not hosts <= self.database_hosts or self.database is None:
            return value
        options = [(k, v) for k, v in parse_qsl(match["q"] or "") if k != "replicaSet"]
        options.append(("directConnection", "true"))
        user = f"{match['user']}@" if match["user"] else ""
        return (
            f"mongodb://{user}{self.database.host}:{self.database.port}{match['path'] or '/'}"
            f"?{urlencode(options)}"
        )

    def environment(self, env: Mapping[str, str], listen_port: int) -> dict[str, str]:
        """`env` as the process on this machine gets it."""
        mapped = {name: self.url(value) for name, value in env.items()}
        if "SMTP_HOST" in mapped:
            relay = Address(mapped["SMTP_HOST"], int(mapped.get("SMTP_PORT") or 25))
            if relay in self.routes:
                mapped["SMTP_HOST"] = self.routes[relay].host
                mapped["SMTP_PORT"] = str(self.routes[relay].port)
        mapped["PESNET_HTTP_HOST"] = LOCALHOST
        mapped["PESNET_HTTP_PORT"] = str(listen_port)
        return mapped


class AuthenticatedDatabase:
    """The embedded MongoDB-wire server with authentication on, as the production
    replica set runs: users only with the roles the form declares (the test keeps a root
    user of its own to make them)."""

    ROOT_USER = "conformance-root"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.root_password = secrets.token_urlsafe(24)
        self.server: EmbeddedMongo | None = None

    def start(self) -> AuthenticatedDatabase:
        open_server = EmbeddedMongo(self.directory / "data").start()
        client: MongoClient[dict[str, Any]]
        with MongoClient(open_server.url) as client:
            client.admin.command(
                "createUser",
                self.ROOT_USER,
                pwd=self.root_password,
                roles=[{"role": "root", "db": "admin"}],
            )
        open_server.stop()
        self.server = EmbeddedMongo(self.directory / "data", port=open_server.port, auth=True)
        self.server.start(log_file=self.directory / "database.log")
        return self

    @property
    def address(self) -> Address:
        assert self.server is not None
        return Address(LOCALHOST, self.server.port)

    @contextmanager
    def root(self) -> Iterator[MongoClient[dict[str, Any]]]:
        client: MongoClient[dict[str, Any]]
        url = (
            f"mongodb://{self.ROOT_USER}:{self.root_password}@{LOCALHOST}:{self.address.port}"
            "/admin?directConnection=true"
        )
        with MongoClient(url) as client:
            yield client

    def make_user(self, name: str, password: str, roles: list[dict[str, str]]) -> None:
        with self.root() as client:
            exists = client.admin.command("usersInfo", name)["users"]
            command = "updateUser" if exists else "createUser"
            client.admin.command(command, name, pwd=password, roles=roles)

    def drop_platform_databases(self) -> None:
        with self.root() as client:
            for name in client.list_database_names():
                if name.startswith("pesnet_"):
                    client.drop_database(name)

    def stop(self) -> None:
        if self.server:
            self.server.stop()


@dataclass
class CertificateAuthority:
    """A throw-away CA and a certificate it signed for 127.0.0.1, for the mail relay."""

    ca_file: Path
    server_context: ssl.SSLContext


def certificate_authority(directory: Path) -> CertificateAuthority:
    now = datetime.datetime.now(datetime.UTC)

    def certificate(
        subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, Any], ca: bool
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOCALHOST))]),
                critical=False,
            )
        return builder.sign(issuer[1], hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("pesnet conformance CA", ca_key, ("pesnet conformance CA", ca_key), True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = certificate(LOCALHOST, leaf_key, ("pesnet conformance CA", ca_key), False)
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain = directory / "relay.pem"
    chain.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain)
    return CertificateAuthority(ca_file, context)


class MailRelay:
    """An SMTP relay that keeps what it receives in a Maildir; with a TLS context it
    requires STARTTLS before it takes a mail."""

    def __init__(self, directory: Path, tls: ssl.SSLContext | None = None) -> None:
        self.directory = directory
        self.port = free_port()
        self.controller = Controller(
            MaildirHandler(directory),
            hostname=LOCALHOST,
            port=self.port,
            enable_SMTPUTF8=True,
            tls_context=tls,
            require_starttls=tls is not None,
        )

    def __enter__(self) -> MailRelay:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()

    @property
    def address(self) -> Address:
        return Address(LOCALHOST, self.port)

    def mails_to(self, recipient: str) -> list[EmailMessage]:
        found = []
        for message in mailbox.Maildir(str(self.directory), create=True):
            parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
            if recipient in str(parsed["To"]):
                assert isinstance(parsed, EmailMessage)
                found.append(parsed)
        return found


class ServiceProcesses:
    """The five services as processes; their output in `<service>.log`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, service: str, env: Mapping[str, str]) -> None:
        with (self.directory / f"{service}.log").open("wb") as log:
            self.processes[service] = subprocess.Popen(
                [sys.executable, "-m", f"pesnet.{service}"],
                env=dict(env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self, service: str, last: int = 3000) -> str:
        return (self.directory / f"{service}.log").read_text(errors="replace")[-last:]

    async def until_ready(self, ports: Mapping[str, int]) -> None:
        """Alive (`/livez`) and ready (`/healthz`), each; a process that exits instead
        fails with its last output, which names the setting it refused."""
        deadline = time.monotonic() + START_WITHIN_SECONDS
        pending = dict(ports)
        async with httpx.AsyncClient(timeout=3) as http:
            while pending:
                for service, port in list(pending.items()):
                    process = self.processes[service]
                    if process.poll() is not None:
                        raise AssertionError(
                            f"{service} did not start with its form's environment "
                            f"(exit {process.returncode}):\n{self.log(service)}"
                        )
                    try:
                        alive = await http.get(f"http://{LOCALHOST}:{port}/livez")
                        ready = await http.get(f"http://{LOCALHOST}:{port}/healthz")
                    except httpx.HTTPError:
                        continue
                    if alive.status_code == 200 and ready.status_code == 200:
                        del pending[service]
                if pending and time.monotonic() > deadline:
                    logs = "\n".join(f"--- {s}\n{self.log(s, 1500)}" for s in pending)
                    raise AssertionError(f"not ready in time: {', '.join(pending)}\n{logs}")
                await asyncio.sleep(0.3)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
