"""docker-compose.yml, checked statically (no Docker engine on these machines): what
operators rely on, and that the broker it starts has the code's topology and users."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # no stubs in the dev lock

from scripts.generate_rabbitmq_definitions import OUT as DEFINITIONS
from scripts.generate_rabbitmq_definitions import render as render_definitions
from scripts.generate_rabbitmq_definitions import service_permissions

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
APPS = ("registration", "agenda", "actionplan", "notifications", "identity")
RENDER_USERS = ROOT / "deploy" / "rabbitmq" / "render-users.sh"


def one_shot(name: str) -> bool:
    """A job other containers wait for to complete (it has no health to check)."""
    return any(
        isinstance(s.get("depends_on"), dict)
        and s["depends_on"].get(name, {}).get("condition") == "service_completed_successfully"
        for s in SERVICES.values()
    )


def test_every_application_service_is_there() -> None:
    assert set(APPS) <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_long_running_service_has_a_health_check(name: str) -> None:
    if one_shot(name):
        assert SERVICES[name].get("restart") == "no"
        return
    check = SERVICES[name].get("healthcheck")
    assert check, f"{name} has no health check in docker-compose.yml"
    assert check["test"][0] in ("CMD", "CMD-SHELL")


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_image_is_pinned(name: str) -> None:
    image = SERVICES[name].get("image")
    assert image, f"{name} names no image (a build alone gets an implicit latest tag)"
    repository, _, tag = image.rpartition(":")
    assert repository
    assert "/" not in tag
    assert tag not in ("", "latest")
    assert re.search(r"\d", tag), f"{name}: {image} is not pinned to a version"


def test_no_default_credentials() -> None:
    assert "guest" not in COMPOSE_TEXT.lower()
    for name in APPS:
        env = SERVICES[name]["environment"]
        for key in ("RABBITMQ_URL", "MONGODB_URL"):
            assert "${" in env[key], f"{name}: {key} must come from the environment"
    secrets = {
        "registration": (
            "PESNET_BADGE_SECRET",
            "PESNET_MANAGE_LINK_KEYS",
            "PESNET_DELEGATION_LINK_KEYS",
        ),
        "actionplan": ("PESNET_DELEGATION_LINK_KEYS",),
        "notifications": (
            "PESNET_WEBHOOK_SECRET_KEYS",
            "NOTIFICATIONS_LINK_SECRET",
            "PESNET_MANAGE_LINK_KEYS",
        ),
        "identity": ("PESNET_IDENTITY_SIGNING_KEYS",),
    }
    for name, keys in secrets.items():
        for key in keys:
            value = SERVICES[name]["environment"][key]
            assert value.startswith("${")
            assert ":?" in value, f"{name}: {key} must be required"
    # services that share link keys get the same variable (one value in .env)
    for key, services in (
        ("PESNET_MANAGE_LINK_KEYS", ("registration", "notifications")),
        ("PESNET_DELEGATION_LINK_KEYS", ("registration", "actionplan")),
    ):
        assert {SERVICES[name]["environment"][key] for name in services} == {
            f"${{{key}:?set {key}}}"
        }
    # the shared secretariat token is off outside dev mode: compose does not give it
    assert "PESNET_SECRETARIAT_TOKEN" not in COMPOSE_TEXT


def test_each_service_connects_as_its_own_user() -> None:
    for name in APPS:
        env = SERVICES[name]["environment"]
        assert env["RABBITMQ_URL"].startswith(f"amqp://pesnet-{name}:${{RABBITMQ_{name.upper()}_")
        assert env["MONGODB_URL"].startswith(f"mongodb://{name}:${{MONGO_{name.upper()}_")
        assert env["PESNET_ENV"] == "production"


def test_registration_is_told_every_public_address_its_pages_link_to() -> None:
    env = SERVICES["registration"]["environment"]
    for key in (
        "PESNET_REGISTRATION_PUBLIC_URL",
        "PESNET_AGENDA_PUBLIC_URL",
        # without it no head of delegation is offered a consultation link
        "PESNET_ACTIONPLAN_PUBLIC_URL",
    ):
        assert env[key] == f"${{{key}:?set {key}}}", key


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_env_example_names_every_variable_without_a_secret_value() -> None:
    used = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE_TEXT))
    values = env_example()
    assert used <= set(values), f"missing in .env.example: {used - set(values)}"
    assert set(values) <= used, f"not used by compose: {set(values) - used}"
    secretish = ("PASSWORD", "SECRET", "TOKEN", "KEY")
    secrets = {k: v for k, v in values.items() if any(word in k for word in secretish)}
    assert secrets
    assert all(v == "" for v in secrets.values()), "no secret values in .env.example"


def test_mongodb_is_a_replica_set_with_authentication_and_a_user_per_service() -> None:
    command = SERVICES["mongo"]["command"]
    assert "--replSet" in command
    assert "--auth" in command
    assert "--keyFile" in command
    users = {
        u["user"]: u
        for u in json.loads((ROOT / "deploy" / "mongo" / "users.json").read_text())["users"]
    }
    init_env = SERVICES["mongo-init"]["environment"]
    for name in APPS:
        url = SERVICES[name]["environment"]["MONGODB_URL"]
        assert "replicaSet=rs0" in url
        assert users[name]["roles"] == [{"role": "readWrite", "db": f"pesnet_{name}"}]
        variable = users[name]["passwordVariable"]
        assert f"${{{variable}:?" in url
        assert f"${{{variable}:?" in init_env[variable]
    assert users["backup"]["roles"] == [{"role": "backup", "db": "admin"}]
    init = (ROOT / "deploy" / "mongo" / "init.js").read_text()
    assert "rs.initiate" in init
    assert "/init/users.json" in init
    # the first user can be made only from 127.0.0.1 of mongod's own network namespace
    assert SERVICES["mongo-init"]["network_mode"] == "service:mongo"


def test_rabbitmq_loads_the_deploy_definitions() -> None:
    rabbit = SERVICES["rabbitmq"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in rabbit["volumes"] if m.startswith("./")}
    conf_target = next(t for t, s in mounts.items() if s.endswith("rabbitmq.conf"))
    assert conf_target.startswith("/etc/rabbitmq/")
    conf = (ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text()
    directory = re.search(r"^load_definitions\s*=\s*(\S+)", conf, re.M)
    assert directory
    assert mounts[f"{directory.group(1)}/definitions.json"] == "./deploy/rabbitmq/definitions.json"
    script = next(t for t, s in mounts.items() if s.endswith("render-users.sh"))
    assert rabbit["entrypoint"] == ["sh", script]
    assert "00-users.json" in RENDER_USERS.read_text()


def test_committed_topology_is_generated_from_the_code() -> None:
    assert DEFINITIONS.read_text() == render_definitions(), (
        "run `python scripts/generate_rabbitmq_definitions.py` and commit deploy/rabbitmq"
    )


def test_committed_topology_has_the_platform_exchanges_and_queues() -> None:
    definitions = json.loads(DEFINITIONS.read_text())
    exchanges = {e["name"]: e for e in definitions["exchanges"]}
    assert set(exchanges) == {"pesnet.events", "pesnet.public", "pesnet.unrouted", "pesnet.dlx"}
    assert exchanges["pesnet.events"]["arguments"] == {"alternate-exchange": "pesnet.unrouted"}
    queues = {q["name"]: q for q in definitions["queues"]}
    for service in ("registration", "agenda", "actionplan", "notifications"):
        assert queues[service]["arguments"]["x-queue-type"] == "quorum"
        assert queues[service]["arguments"]["x-dead-letter-exchange"] == "pesnet.dlx"
        assert f"{service}.dlq" in queues
    assert not any(name.startswith("partner.") for name in queues)


def render_users(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    values = {
        "PATH": os.environ.get("PATH", ""),
        "RABBITMQ_ADMIN_USER": "pesnet-admin",
        "RABBITMQ_ADMIN_PASSWORD": "admin-pw",
        **{f"RABBITMQ_{app.upper()}_PASSWORD": f'{app} pw with spaces & "quotes"' for app in APPS},
        "PESNET_DEFINITIONS_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        ["sh", str(RENDER_USERS)], env=values, capture_output=True, text=True, check=False
    )


def test_render_users_hashes_passwords_as_rabbitmq_does(tmp_path: Path) -> None:
    result = render_users(tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "00-users.json").read_text()
    assert "pw with spaces" not in text
    users = {u["name"]: u for u in json.loads(text)["users"]}
    raw = base64.b64decode(users["pesnet-registration"]["password_hash"])
    salt, digest = raw[:4], raw[4:]
    assert digest == hashlib.sha256(salt + b'registration pw with spaces & "quotes"').digest()
    assert users["pesnet-admin"]["tags"] == ["administrator"]
    for app in APPS:
        assert users[f"pesnet-{app}"]["tags"] == []


def test_each_services_user_may_touch_its_own_queues_and_the_exchanges_only(
    tmp_path: Path,
) -> None:
    assert render_users(tmp_path).returncode == 0
    permissions = {
        p["user"]: p for p in json.loads((tmp_path / "00-users.json").read_text())["permissions"]
    }
    expected = service_permissions()
    assert set(expected) == set(APPS)
    for app in APPS:
        granted = permissions[f"pesnet-{app}"]
        assert granted["configure"] == granted["write"] == granted["read"] == expected[app]
    definitions = json.loads(DEFINITIONS.read_text())
    consumers = {
        b["destination"]
        for b in definitions["bindings"]
        if b["source"] == "pesnet.events" and b["destination_type"] == "queue"
    }
    for app in APPS:
        pattern = re.compile(expected[app])
        own = {q for q in consumers if q == app or q.startswith(f"{app}.")}
        for name in [*own, *(f"{q}.dlq" for q in own), "pesnet.events", "pesnet.dlx"]:
            assert pattern.match(name), (app, name)
        others = consumers - own
        for name in [*others, "partner.ilo", "amq.default", "pesnet.eventsx"]:
            assert not pattern.match(name), (app, name)


@pytest.mark.parametrize(
    "env",
    [
        {"RABBITMQ_ADMIN_USER": "guest"},
        {"RABBITMQ_ADMIN_USER": "pesnet-agenda"},
        {"RABBITMQ_REGISTRATION_PASSWORD": ""},
        {"RABBITMQ_ADMIN_PASSWORD": ""},
    ],
)
def test_render_users_refuses_guest_and_missing_values(tmp_path: Path, env: dict[str, str]) -> None:
    result = render_users(tmp_path, **env)
    assert result.returncode != 0
    assert not (tmp_path / "00-users.json").exists()
