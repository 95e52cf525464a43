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
`platform.py`'s docstring.

And the other way round: removing any one variable a form gives a service either makes
the service refuse to start naming it, or is harmless by design (listed below, with why)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib
import io
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aio_pika
import httpx
import pytest
from aiormq.exceptions import ChannelAccessRefused

from pesnet.devtools.ports import free_port
from pesnet.shared.settings import load_settings
from tests.deployment import APPS, HAVE_KUBECTL, Manifest, compose, container, of_kind, render
from tests.integration.deploy.conftest import BrokerAccounts
from tests.integration.deploy.forms import (
    NotGiven,
    cluster_secrets,
    compose_env,
    filled_env_example,
    kubernetes_env,
    read_dotenv,
    write_dotenv,
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

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not HAVE_KUBECTL, reason="kubectl is not installed"),
]

ADMIN = "secretariat"
COMPOSE_PUBLIC_URLS = {
    "PESNET_REGISTRATION_PUBLIC_URL": "https://registration.compose.example.org",
    "PESNET_AGENDA_PUBLIC_URL": "https://agenda.compose.example.org",
    "NOTIFICATIONS_PUBLIC_URL": "https://notifications.compose.example.org",
    "PESNET_IDENTITY_PUBLIC_URL": "https://identity.compose.example.org",
}
# Variables a form may give a service whose absence is harmless by design: the service
# reads them, and its default is right in production too.
HARMLESS_TO_REMOVE = {
    "PESNET_ENV": "production is the default",
    "PESNET_SERVICE": "the image sets it",
    "PESNET_HTTP_HOST": "the image sets it",
    "PESNET_HTTP_PORT": "the image sets it",
    "LOG_LEVEL": "INFO is the default",
    "PESNET_PREFETCH": "16 is the default",
    "PESNET_DELIVERY_LIMIT": "5 is the default",
    "PESNET_IDENTITY_URL": "registration derives it from PESNET_JWKS_URL",
    "SMTP_STARTTLS": "a relay on port 25 inside the network may not offer it",
    "SMTP_FROM": "the platform's own sender is the default",
    "SMTP_USERNAME": "a relay may take mail without an account",
    "SMTP_PASSWORD": "a relay may take mail without an account",
    "PESNET_JWKS_URL": "identity verifies its tokens with its own keys",
}
HARMLESS_FOR = {"PESNET_JWKS_URL": {"identity"}}


# --- the environments each form gives ------------------------------------------------


def with_path(env: Mapping[str, str]) -> dict[str, str]:
    """A container has a PATH; the processes here get this interpreter's."""
    return {**env, "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin"}


def kubernetes_form() -> tuple[tuple[Manifest, ...], dict[str, dict[str, str]]]:
    docs = render("production")
    return docs, cluster_secrets(docs)


def compose_form(workdir: Path) -> tuple[Manifest, dict[str, str]]:
    """docker-compose.yml and an `.env` written from .env.example as an operator would,
    read back the way compose reads it."""
    dotenv = workdir / ".env"
    write_dotenv(dotenv, filled_env_example(COMPOSE_PUBLIC_URLS))
    return compose(), read_dotenv(dotenv)


# --- the startup check: what `python -m pesnet.<service>` does before serving -----------


def refusal(service: str, env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch) -> str | None:
    """Load the service's settings from exactly `env` and build its app (nothing is
    connected), as its `__main__` does before it serves: None if it would start, else
    what it says (which must name the setting)."""
    settings_class = importlib.import_module(f"pesnet.{service}.settings").Settings
    build_app = importlib.import_module(f"pesnet.{service}.bootstrap").build_app
    with monkeypatch.context() as patch:
        for name in list(os.environ):
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        said = io.StringIO()
        try:
            with contextlib.redirect_stderr(said):
                build_app(load_settings(settings_class))
        except SystemExit:
            return said.getvalue()
        except Exception as exc:  # the app refused to be built: its message
            return f"{type(exc).__name__}: {exc}"
    return None


def read_by(service: str) -> set[str]:
    """The variables a service's settings read (their aliases, and PESNET_WEBHOOK_*)."""
    settings_class = importlib.import_module(f"pesnet.{service}.settings").Settings
    names = {f.alias for f in settings_class.model_fields.values() if f.alias}
    if service == "notifications":
        names |= {"PESNET_WEBHOOK_SECRET_KEYS"}
    return names


def check_every_removal(
    service: str,
    given: list[str],
    env_without: Callable[[str], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> list[str]:
    """Remove each variable the form gives `service`, one at a time: the service must
    refuse naming it, unless its absence is harmless by design or the service never
    reads it. Returns what went wrong."""
    wrong = []
    reads = read_by(service)
    for name in given:
        try:
            env = env_without(name)
        except NotGiven as exc:  # the form itself refuses (compose's `:?`)
            if name not in str(exc):
                wrong.append(f"{service} without {name}: the form's refusal does not name it")
            continue
        said = refusal(service, env, monkeypatch)
        if said is not None:
            if name not in said:
                wrong.append(f"{service} without {name}: refused without naming it: {said}")
        elif name in reads and not (
            name in HARMLESS_TO_REMOVE and service in HARMLESS_FOR.get(name, {service})
        ):
            wrong.append(f"{service} without {name}: starts anyway, and nothing says why")
    return wrong


def without_kubernetes_variable(
    docs: tuple[Manifest, ...], service: str, name: str
) -> tuple[Manifest, ...]:
    """The manifests with `name` removed from what they give `service`: its `env` entry,
    else the key of the ConfigMap its `envFrom` takes it from."""
    edited = copy.deepcopy(docs)
    deployment = of_kind(edited, "Deployment")[service]
    spec = container(deployment)
    if any(v["name"] == name for v in spec["env"]):
        spec["env"] = [v for v in spec["env"] if v["name"] != name]
        return edited
    configs = of_kind(edited, "ConfigMap")
    for source in spec.get("envFrom", []):
        data = configs[source["configMapRef"]["name"]]["data"]
        if name in data:
            del data[name]
            return edited
    raise AssertionError(f"{service} is not given {name}")


def kubernetes_given(docs: tuple[Manifest, ...], service: str) -> list[str]:
    spec = container(of_kind(docs, "Deployment")[service])
    configs = of_kind(docs, "ConfigMap")
    from_maps = [
        key
        for source in spec.get("envFrom", [])
        for key in configs[source["configMapRef"]["name"]]["data"]
    ]
    return [*from_maps, *(v["name"] for v in spec["env"])]


@pytest.mark.parametrize("service", APPS)
def test_the_production_overlay_gives_each_service_what_it_needs_and_nothing_goes_unnoticed(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, cluster = kubernetes_form()
    assert refusal(service, kubernetes_env(docs, service, cluster), monkeypatch) is None
    wrong = check_every_removal(
        service,
        kubernetes_given(docs, service),
        lambda name: kubernetes_env(
            without_kubernetes_variable(docs, service, name), service, cluster
        ),
        monkeypatch,
    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", APPS)
def test_compose_gives_each_service_what_it_needs_and_nothing_goes_unnoticed(
    service: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project, dotenv = compose_form(tmp_path)
    assert refusal(service, compose_env(project, service, dotenv), monkeypatch) is None

    def without(name: str) -> dict[str, str]:
        edited = copy.deepcopy(project)
        del edited["services"][service]["environment"][name]
        return compose_env(edited, service, dotenv)

    given = list(project["services"][service]["environment"])
    wrong = check_every_removal(service, given, without, monkeypatch)
    assert not wrong, "\n".join(wrong)


def test_an_empty_required_value_in_dotenv_stops_compose_naming_it(tmp_path: Path) -> None:
    project, dotenv = compose_form(tmp_path)
    for name in (
        "PESNET_IDENTITY_SIGNING_KEYS",
        "RABBITMQ_AGENDA_PASSWORD",
        "NOTIFICATIONS_PUBLIC_URL",
    ):
        service = next(s for s in APPS if name in str(project["services"][s]["environment"]))
        with pytest.raises(NotGiven, match=name):
            compose_env(project, service, {**dotenv, name: ""})


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

        await eventually(registration_knows_it, within=30)

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


async def test_the_production_overlay_runs_signs_people_in_and_holds_least_privilege(
    rabbit_url: str,
    database: AuthenticatedDatabase,
    broker_accounts: BrokerAccounts,
    tmp_path: Path,
) -> None:
    docs, cluster = kubernetes_form()
    database.drop_platform_databases()
    authority = certificate_authority(tmp_path)
    with MailRelay(tmp_path / "mail", tls=authority.server_context) as relay:
        envs, ports = kubernetes_on_this_machine(
            docs, cluster, rabbit_url, database, relay, broker_accounts
        )
        # the relay's certificate comes from a CA the cluster trusts (STARTTLS, verified)
        assert envs["notifications"]["SMTP_STARTTLS"] == "true"
        envs["notifications"]["SSL_CERT_FILE"] = str(authority.ca_file)
        for name in broker_accounts.made:
            assert "administrator" not in broker_accounts.tags_of(name)
        processes = ServiceProcesses(tmp_path)
        try:
            for service in APPS:
                processes.start(service, envs[service])
            await processes.until_ready(ports)
            await walk(envs, ports, relay)
            keda = cluster["pesnet-keda-user-credentials"]
            vhost_url = urlsplit(envs["registration"]["RABBITMQ_URL"])
            await keda_may_only_look(
                f"amqp://{keda['username']}:{keda['password']}@{vhost_url.hostname}:{vhost_url.port}{vhost_url.path}",
                "registration",
            )
        finally:
            processes.stop()


async def test_compose_runs_signs_people_in_and_holds_least_privilege(
    rabbit_url: str,
    database: AuthenticatedDatabase,
    broker_accounts: BrokerAccounts,
    tmp_path: Path,
) -> None:
    project, dotenv = compose_form(tmp_path)
    database.drop_platform_databases()
    with MailRelay(tmp_path / "mail") as relay:
        envs, ports = compose_on_this_machine(
            project, dotenv, rabbit_url, database, relay, broker_accounts, tmp_path
        )
        processes = ServiceProcesses(tmp_path)
        try:
            for service in APPS:
                processes.start(service, envs[service])
            await processes.until_ready(ports)
            await walk(envs, ports, relay)
        finally:
            processes.stop()


def test_a_service_started_without_a_required_variable_exits_naming_it(tmp_path: Path) -> None:
    """The process itself, as a container would run it: status 2 and the setting's name."""
    docs, cluster = kubernetes_form()
    edited = without_kubernetes_variable(docs, "identity", "PESNET_IDENTITY_SIGNING_KEYS")
    env = with_path(kubernetes_env(edited, "identity", cluster))
    started = subprocess.run(
        [sys.executable, "-m", "pesnet.identity"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 2
    assert "identity: configuration refused" in started.stderr
    assert "PESNET_IDENTITY_SIGNING_KEYS" in started.stderr
