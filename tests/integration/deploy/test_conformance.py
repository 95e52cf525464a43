"""Deployed as operators deploy it. Each form — the rendered production overlay and
docker-compose.yml with a filled-in `.env` — is taken as it is: every service's
environment exactly as its Deployment (or compose service) gives it, the Secrets made as
docs/operations.md says (and as the operators' controllers make theirs), the broker and
database accounts the form declares made with exactly the rights it declares. The five
services then start from it as real processes (never in dev mode) and a person walks
through: the first administrator, made as the guide says, signs in at identity; a
delegate registers; the administrator accredits them on registration with identity's
access token; the audit names that administrator; the mail's links point at the
configured public addresses. What the test changes to run it on one machine is in
`platform.py`'s docstring. The other way round (removing any one variable a form gives
a service makes it refuse to start naming it): test_every_variable_counts.py."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aio_pika
import httpx
import pytest
from aiormq.exceptions import ChannelAccessRefused

from pesnet.devtools.ports import free_port
from tests.deployment import APPS, HAVE_KUBECTL, Manifest, of_kind
from tests.integration.deploy.conftest import BrokerAccounts
from tests.integration.deploy.forms import (
    compose_env,
    compose_form,
    kubernetes_env,
    kubernetes_form,
    with_path,
)
from tests.integration.deploy.platform import (
    LOCALHOST,
    Address,
    AuthenticatedDatabase,
    LocalNetwork,
    MailRelay,
    ServiceProcesses,
    certificate_authority,
)
from tests.support import eventually

# each test starts all five services from a manifest: more than the default 120 s on a busy machine
pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
# the Kubernetes form is what `kubectl kustomize` renders
needs_kubectl = pytest.mark.skipif(not HAVE_KUBECTL, reason="kubectl is not installed")

ADMIN = "secretariat"


# --- running a form ------------------------------------------------------------------


def namespaced(name: str, namespace: str) -> list[str]:
    return [
        name,
        f"{name}.{namespace}",
        f"{name}.{namespace}.svc",
        f"{name}.{namespace}.svc.cluster.local",
    ]


def broker_address(rabbit_url: str) -> Address:
    parts = urlsplit(rabbit_url)
    return Address(parts.hostname or LOCALHOST, parts.port or 5672)


def kubernetes_on_this_machine(
    docs: tuple[Manifest, ...],
    cluster: dict[str, dict[str, str]],
    rabbit_url: str,
    database: AuthenticatedDatabase,
    relay: MailRelay,
    accounts: BrokerAccounts,
) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """The accounts the manifests declare, made; each service's environment, mapped."""
    namespace = next(iter(of_kind(docs, "Namespace")))
    permissions = {
        p["spec"]["userReference"]["name"]: p["spec"] for p in of_kind(docs, "Permission").values()
    }
    for name, user in of_kind(docs, "User").items():
        credentials = cluster[f"{name}-user-credentials"]
        granted = permissions[name]
        assert granted["vhost"] == "/"
        accounts.make(
            credentials["username"],
            credentials["password"],
            user["spec"].get("tags", []),
            granted["permissions"],
        )
    ((cluster_name, _),) = of_kind(docs, "RabbitmqCluster").items()
    ((mongo_name, mongo),) = of_kind(docs, "MongoDBCommunity").items()
    for user in mongo["spec"]["users"]:
        password = cluster[user["passwordSecretRef"]["name"]]["password"]
        roles = [{"role": r["name"], "db": r["db"]} for r in user["roles"]]
        database.make_user(user["name"], password, roles)

    ports = {service: free_port() for service in APPS}
    network = LocalNetwork(vhost=unquote(urlsplit(rabbit_url).path[1:]))
    for name, service in of_kind(docs, "Service").items():
        app = service["spec"]["selector"]["app.kubernetes.io/name"]
        for port in service["spec"]["ports"]:
            network.route(namespaced(name, namespace), port["port"], Address(LOCALHOST, ports[app]))
    network.route(namespaced(cluster_name, namespace), 5672, broker_address(rabbit_url))
    network.database_hosts = {
        f"{mongo_name}-{i}.{mongo_name}-svc.{namespace}.svc.cluster.local"
        for i in range(mongo["spec"]["members"])
    }
    network.database = database.address
    mail = of_kind(docs, "ConfigMap")["pesnet-notifications-config"]["data"]
    network.route([mail["SMTP_HOST"]], int(mail["SMTP_PORT"]), relay.address)
    envs = {
        service: with_path(
            network.environment(kubernetes_env(docs, service, cluster), ports[service])
        )
        for service in APPS
    }
    return envs, ports


def compose_on_this_machine(
    project: Manifest,
    dotenv: dict[str, str],
    rabbit_url: str,
    database: AuthenticatedDatabase,
    relay: MailRelay,
    accounts: BrokerAccounts,
    workdir: Path,
) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """The users render-users.sh and deploy/mongo/users.json declare, made; each
    service's environment, mapped."""
    rabbit_env = compose_env(project, "rabbitmq", dotenv)
    rendered = subprocess.run(
        ["sh", "deploy/rabbitmq/render-users.sh"],
        env={**rabbit_env, "PATH": "/usr/bin:/bin", "PESNET_DEFINITIONS_DIR": str(workdir)},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert not rendered.stderr
    definitions = json.loads((workdir / "00-users.json").read_text())
    passwords = {f"pesnet-{s}": rabbit_env[f"RABBITMQ_{s.upper()}_PASSWORD"] for s in APPS}
    grants = {p["user"]: p for p in definitions["permissions"]}
    for user in definitions["users"]:
        if user["name"] in passwords:  # the services' users (the administrator is for people)
            accounts.make(user["name"], passwords[user["name"]], user["tags"], grants[user["name"]])
    init_env = compose_env(project, "mongo-init", dotenv)
    root = Path(__file__).resolve().parents[3]
    for user in json.loads((root / "deploy" / "mongo" / "users.json").read_text())["users"]:
        database.make_user(user["user"], init_env[user["passwordVariable"]], user["roles"])

    ports = {service: free_port() for service in APPS}
    network = LocalNetwork(vhost=unquote(urlsplit(rabbit_url).path[1:]))
    for service in APPS:
        network.route([service], 8000, Address(LOCALHOST, ports[service]))
    network.route(["rabbitmq"], 5672, broker_address(rabbit_url))
    network.database_hosts = {"mongo"}
    network.database = database.address
    network.route(["mailpit"], 1025, relay.address)
    envs = {
        service: with_path(
            network.environment(compose_env(project, service, dotenv), ports[service])
        )
        for service in APPS
    }
    return envs, ports


async def walk(envs: dict[str, dict[str, str]], ports: dict[str, int], relay: MailRelay) -> None:
    """A person's first day on the deployed platform."""

    def url(service: str, path: str) -> str:
        return f"http://{LOCALHOST}:{ports[service]}{path}"

    # the first administrator, as docs/operations.md says: identity's CLI in its container
    password = secrets.token_urlsafe(18)
    made = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "pesnet.identity", "create-admin", ADMIN],
        env={**envs["identity"], "PESNET_ADMIN_PASSWORD": password},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    account_id = re.search(r"created: (\S+)", made.stdout)
    assert account_id, made.stdout
    async with httpx.AsyncClient(timeout=30) as http:
        signed_in = await http.post(
            url("identity", "/auth/token"), json={"username": ADMIN, "password": password}
        )
        assert signed_in.status_code == 200, signed_in.text
        staff = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        openid = (await http.get(url("identity", "/.well-known/openid-configuration"))).json()
        assert openid["token_endpoint"].startswith(envs["identity"]["PESNET_IDENTITY_PUBLIC_URL"])

        # the administrator opens a meeting on agenda; registration hears of it over the bus
        meeting = f"conformance-{secrets.token_hex(3)}"
        start = datetime.now(UTC).date() + timedelta(days=40)
        scheduled = await http.post(
            url("agenda", "/meetings"),
            headers=staff,
            json={
                "id": meeting,
                "number": 77,
                "title": {"ar": "اجتماع", "en": "Meeting", "fr": "Réunion"},
                "timezone": "Africa/Casablanca",
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=1)).isoformat(),
                "country": "MAR",
                "registration_open": True,
            },
        )
        assert scheduled.status_code == 201, scheduled.text

        async def registration_knows_it() -> bool:
            probe = await http.get(
                url("registration", f"/meetings/{meeting}/registrations"), headers=staff
            )
            return probe.status_code == 200

        # the meeting reaches registration over the bus (1-2 s; generous for a busy machine)
        await eventually(registration_knows_it, within=60)

        # a delegate registers; the administrator accredits them with identity's token
        email = f"delegate.{secrets.token_hex(3)}@example.org"
        registered = await http.post(
            url("registration", f"/meetings/{meeting}/registrations"),
            json={
                "given_name": "Amina",
                "family_name": "Benali",
                "email": email,
                "country": "MAR",
                "institution": "ANAPEC",
                "position": "Director",
                "role": "delegate",
                "language": "en",
            },
        )
        assert registered.status_code == 201, registered.text
        registration_id = registered.json()["id"]
        confirmed = await http.post(
            url("registration", f"/registrations/{registration_id}/confirm"), headers=staff
        )
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["status"] == "confirmed"

        # the audit names the person who did it
        audit = await http.get(
            url("registration", "/audit"), params={"meeting_id": meeting}, headers=staff
        )
        assert audit.status_code == 200, audit.text
        by_action = {entry["action"]: entry["actor"] for entry in audit.json()}
        assert by_action["participant.confirmed"] == account_id.group(1), audit.json()
        assert "secretariat" not in by_action.values()  # never the shared token

    # the mails' links point at the addresses people use
    async def mailed_twice() -> bool:
        return len(relay.mails_to(email)) >= 2

    await eventually(mailed_twice, within=60)
    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in relay.mails_to(email)]  # type: ignore[union-attr]
    public = envs["registration"]["PESNET_REGISTRATION_PUBLIC_URL"].rstrip("/")
    assert any(f"{public}/registrations/{registration_id}?token=" in t for t in texts), texts
    preferences = envs["notifications"]["NOTIFICATIONS_PUBLIC_URL"].rstrip("/")
    assert all(f"{preferences}/preferences?token=" in t for t in texts), texts


@asynccontextmanager
async def running(
    envs: dict[str, dict[str, str]], ports: dict[str, int], logs: Path
) -> AsyncIterator[None]:
    """The five services started from their environments, ready, and stopped after."""
    processes = ServiceProcesses(logs)
    try:
        for service in APPS:
            processes.start(service, envs[service])
        await processes.until_ready(ports)
        try:
            yield
        except AssertionError as failed:
            # what the services said is what tells why (a stalled consumer, a refusal)
            said = "\n".join(f"--- {name}\n{processes.log(name, 2500)}" for name in APPS)
            raise AssertionError(f"{failed}\n{said}") from failed
    finally:
        processes.stop()


async def keda_may_only_look(url: str, queue: str) -> None:
    """KEDA's user reads a queue's depth (a passive declare) and can do nothing else."""
    connection = await aio_pika.connect(url, timeout=10)
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        assert declared.declaration_result.message_count is not None
        with pytest.raises(ChannelAccessRefused):
            await declared.get(no_ack=True, fail=False)
    finally:
        await connection.close()


@needs_kubectl
async def test_the_production_overlay_runs_signs_people_in_and_holds_least_privilege(
    form_rabbit_url: str,
    database: AuthenticatedDatabase,
    broker_accounts: BrokerAccounts,
    tmp_path: Path,
) -> None:
    docs, cluster = kubernetes_form()
    database.drop_platform_databases()
    authority = certificate_authority(tmp_path)
    with MailRelay(tmp_path / "mail", tls=authority.server_context) as relay:
        envs, ports = kubernetes_on_this_machine(
            docs, cluster, form_rabbit_url, database, relay, broker_accounts
        )
        # the relay's certificate comes from a CA the cluster trusts (STARTTLS, verified)
        assert envs["notifications"]["SMTP_STARTTLS"] == "true"
        envs["notifications"]["SSL_CERT_FILE"] = str(authority.ca_file)
        for name in broker_accounts.made:
            assert "administrator" not in broker_accounts.tags_of(name)
        async with running(envs, ports, tmp_path):
            await walk(envs, ports, relay)
            keda = cluster["pesnet-keda-user-credentials"]
            broker = urlsplit(envs["registration"]["RABBITMQ_URL"])
            await keda_may_only_look(
                f"amqp://{keda['username']}:{keda['password']}"
                f"@{broker.hostname}:{broker.port}{broker.path}",
                "registration",
            )


async def test_compose_runs_signs_people_in_and_holds_least_privilege(
    form_rabbit_url: str,
    database: AuthenticatedDatabase,
    broker_accounts: BrokerAccounts,
    tmp_path: Path,
) -> None:
    project, dotenv = compose_form(tmp_path)
    database.drop_platform_databases()
    with MailRelay(tmp_path / "mail") as relay:
        envs, ports = compose_on_this_machine(
            project, dotenv, form_rabbit_url, database, relay, broker_accounts, tmp_path
        )
        async with running(envs, ports, tmp_path):
            await walk(envs, ports, relay)
