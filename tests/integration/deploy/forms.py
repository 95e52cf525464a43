"""What each deployment form gives a service, read the way the platform that runs it
would: a container's environment as Kubernetes builds it from a rendered Deployment
(image ENV, `envFrom`, `env` with `$(VAR)` references, Secrets and ConfigMaps), or as
docker compose builds it from docker-compose.yml and an `.env` file (`${VAR:?...}`
interpolation). And the secrets operators create, generated the way the operations guide
says, with the ones the operators' controllers make from the custom resources.

Nothing here starts anything; `platform.py` maps the in-cluster names to this machine
and runs the services."""

from __future__ import annotations

import base64
import os
import re
import secrets
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import quote

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.deployment import ROOT, Manifest, compose, container, of_kind, render

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
# the container's interpreter paths: the test runs the services from its own environment
INTERPRETER_VARIABLES = {"PATH", "PYTHONPATH"}

Secrets = dict[str, dict[str, str]]


class NotGiven(LookupError):
    """The form does not give what a service needs (a Secret no one creates, a variable
    compose refuses to leave empty): the message names it."""


# --- the image ---------------------------------------------------------------------


def image_env(service: str) -> dict[str, str]:
    """The ENV of deploy/Dockerfile's last stage for `--build-arg SERVICE=service`."""
    stages = DOCKERFILE.read_text().replace("\\\n", " ").split("\nFROM ")
    env: dict[str, str] = {}
    for line in stages[-1].splitlines():
        if line.startswith("ENV "):
            for name, value in re.findall(r"(\w+)=(\S+)", line[4:]):
                env[name] = value.replace("${SERVICE}", service)
    return {k: v for k, v in env.items() if k not in INTERPRETER_VARIABLES}


# --- Kubernetes ----------------------------------------------------------------------

REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def expand(value: str, defined: Mapping[str, str]) -> str:
    """Kubernetes' `$(VAR)` expansion: a variable defined before is replaced, an unknown
    reference stays as written, `$$` is a literal `$`."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return defined.get(match.group(1), match.group(0))

    return REFERENCE.sub(one, value)


def kubernetes_env(docs: tuple[Manifest, ...], service: str, cluster: Secrets) -> dict[str, str]:
    """The environment of `service`'s container as the kubelet would start it."""
    deployment = of_kind(docs, "Deployment")[service]
    spec = container(deployment)
    configs = {name: c.get("data", {}) for name, c in of_kind(docs, "ConfigMap").items()}
    env = image_env(service)
    for source in spec.get("envFrom", []):
        ref = source["configMapRef"]
        if ref["name"] not in configs:
            if ref.get("optional"):
                continue
            raise NotGiven(f"{service}: ConfigMap {ref['name']} is rendered nowhere")
        env.update(configs[ref["name"]])
    for variable in spec.get("env", []):
        name = variable["name"]
        if "value" in variable:
            env[name] = expand(variable["value"], env)
            continue
        reference = variable["valueFrom"]
        if "secretKeyRef" in reference:
            ref, store, what = reference["secretKeyRef"], cluster, "Secret"
        else:
            ref, store, what = reference["configMapKeyRef"], configs, "ConfigMap"
        value = store.get(ref["name"], {}).get(ref["key"])
        if value is None:
            if ref.get("optional"):
                continue
            raise NotGiven(f"{service}: {name} needs {what} {ref['name']} key {ref['key']}")
        env[name] = value
    return env


def generated_password() -> str:
    """What the Topology Operator generates (RandomEncodedString(24)): URL-safe base64."""
    return base64.urlsafe_b64encode(os.urandom(24)).decode()


def signing_key_pem() -> str:
    """`openssl genpkey -algorithm ed25519`."""
    return (
        ed25519.Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def operator_secrets() -> Secrets:
    """The Secrets docs/operations.md tells operators to create, generated as it says."""
    return {
        "pesnet-secrets": {
            "badge-secret": secrets.token_urlsafe(32),
            "notifications-link-secret": secrets.token_urlsafe(32),
            "manage-link-keys": secrets.token_urlsafe(32),
            "delegation-link-keys": secrets.token_urlsafe(32),
            "webhook-secret-keys": Fernet.generate_key().decode(),
        },
        "pesnet-identity-keys": {"signing-keys": signing_key_pem()},
    }


def controller_secrets(docs: tuple[Manifest, ...], passwords: Secrets) -> Secrets:
    """The Secrets the operators' controllers make from the custom resources: a User's
    generated credentials (Topology Operator), a MongoDBCommunity user's connection
    string (MongoDB operator, `MongoAuthUserURI`) from its password Secret."""
    made: Secrets = {}
    for name in of_kind(docs, "User"):
        made[f"{name}-user-credentials"] = {
            "username": generated_password(),
            "password": generated_password(),
        }
    for name, mongo in of_kind(docs, "MongoDBCommunity").items():
        spec = mongo["spec"]
        namespace = mongo["metadata"]["namespace"]
        hosts = ",".join(
            f"{name}-{i}.{name}-svc.{namespace}.svc.cluster.local:27017"
            for i in range(spec["members"])
        )
        for user in spec["users"]:
            secret = user["passwordSecretRef"]["name"]
            password = passwords[secret]["password"]
            made[user["connectionStringSecretName"]] = {
                "connectionString.standard": (
                    f"mongodb://{quote(user['name'], safe='')}:{quote(password, safe='')}"
                    f"@{hosts}/{user['db']}?replicaSet={name}&ssl=false"
                )
            }
    return made


def mongodb_password_secrets(docs: tuple[Manifest, ...]) -> Secrets:
    """`pesnet-mongodb-<user>-password`, which operators create (`openssl rand -hex 24`)."""
    return {
        user["passwordSecretRef"]["name"]: {"password": secrets.token_hex(24)}
        for mongo in of_kind(docs, "MongoDBCommunity").values()
        for user in mongo["spec"]["users"]
    }


def cluster_secrets(docs: tuple[Manifest, ...]) -> Secrets:
    """Every Secret of a cluster where operators followed the guide."""
    passwords = mongodb_password_secrets(docs)
    return {**operator_secrets(), **passwords, **controller_secrets(docs, passwords)}


# --- compose -------------------------------------------------------------------------

INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])([^}]*))?\}")


def interpolate(value: str, dotenv: Mapping[str, str]) -> str:
    """Compose's interpolation of `${VAR}`, `${VAR:-default}`, `${VAR:?error}` (and their
    forms without `:`) from the `.env` values; NotGiven where compose refuses."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        given = dotenv.get(name)
        empty = given is None or (operator is not None and operator.startswith(":") and not given)
        if operator and operator.endswith("?") and empty:
            raise NotGiven(f"compose refuses to start: {name}: {argument}")
        if operator and operator.endswith("-") and empty:
            return argument
        return given or ""

    return INTERPOLATION.sub(one, value)


def compose_env(compose: Manifest, service: str, dotenv: Mapping[str, str]) -> dict[str, str]:
    """The environment of a compose service's container: the image's ENV (for the
    services built from deploy/Dockerfile), then its `environment` interpolated from `.env`."""
    definition = compose["services"][service]
    env = image_env(service) if "build" in definition else {}
    for name, value in definition.get("environment", {}).items():
        env[name] = interpolate(str(value), dotenv)
    return env


def write_dotenv(path: Path, values: Mapping[str, str]) -> None:
    """An `.env` as an operator writes it: values with line breaks in double quotes with
    the breaks written `\\n` (as .env.example says for the signing keys)."""
    lines = []
    for name, value in values.items():
        if "\n" in value:
            escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            lines.append(f'{name}="{escaped}"')
        else:
            lines.append(f"{name}={value}")
    path.write_text("\n".join(lines) + "\n")


def read_dotenv(path: Path) -> dict[str, str]:
    """Compose's reading of an env file (the subset .env.example uses): `NAME=value`,
    comments, double-quoted values with `\\n`, `\\"`, `\\\\` escapes."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), value[1:-1])
        values[name.strip()] = value
    return values


GENERATORS: dict[str, Callable[[], str]] = {
    "PESNET_IDENTITY_SIGNING_KEYS": signing_key_pem,
    "PESNET_WEBHOOK_SECRET_KEYS": lambda: Fernet.generate_key().decode(),
    # `openssl rand -base64 32`, as the guide says
    "PESNET_MANAGE_LINK_KEYS": lambda: base64.b64encode(os.urandom(32)).decode(),
    "PESNET_DELEGATION_LINK_KEYS": lambda: base64.b64encode(os.urandom(32)).decode(),
    # `openssl rand -base64 96 | tr -d '\n'`: base64 characters only
    "MONGO_REPLICA_SET_KEY": lambda: base64.b64encode(os.urandom(96)).decode(),
}


def filled_env_example(public_urls: Mapping[str, str]) -> dict[str, str]:
    """.env.example with every empty value generated (passwords and secrets as its
    comments say), the example values kept, and the public URLs given."""
    filled: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if name in public_urls:
            value = public_urls[name]
        elif not value and name in GENERATORS:
            value = GENERATORS[name]()
        elif not value and ("PASSWORD" in name or "SECRET" in name):
            value = secrets.token_urlsafe(32)
        filled[name] = value
    # the optional mail relay account stays empty (Mailpit): no password for no user
    for name in ("SMTP_USERNAME", "SMTP_PASSWORD"):
        filled[name] = ""
    return filled


# --- the two forms, as the tests take them ---------------------------------------------

COMPOSE_PUBLIC_URLS = {
    "PESNET_REGISTRATION_PUBLIC_URL": "https://registration.compose.example.org",
    "PESNET_AGENDA_PUBLIC_URL": "https://agenda.compose.example.org",
    "PESNET_ACTIONPLAN_PUBLIC_URL": "https://actionplan.compose.example.org",
    "NOTIFICATIONS_PUBLIC_URL": "https://notifications.compose.example.org",
    "PESNET_IDENTITY_PUBLIC_URL": "https://identity.compose.example.org",
}


def with_path(env: Mapping[str, str]) -> dict[str, str]:
    """A container has a PATH; the processes here get this interpreter's."""
    return {**env, "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin"}


def kubernetes_form() -> tuple[tuple[Manifest, ...], Secrets]:
    """The rendered production overlay and the Secrets of a cluster set up by the guide."""
    docs = render("production")
    return docs, cluster_secrets(docs)


def compose_form(workdir: Path) -> tuple[Manifest, dict[str, str]]:
    """docker-compose.yml and an `.env` written from .env.example as an operator would,
    read back the way compose reads it."""
    dotenv = workdir / ".env"
    write_dotenv(dotenv, filled_env_example(COMPOSE_PUBLIC_URLS))
    return compose(), read_dotenv(dotenv)
