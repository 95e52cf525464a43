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

from pesnet.shared.broker_definitions import service_permission_pattern
from scripts.generate_rabbitmq_definitions import OUT as DEFINITIONS
from scripts.generate_rabbitmq_definitions import render as render_definitions

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
        for key in ("RABBITMQ_URL", "PESNET_SECRETARIAT_TOKEN", "PESNET_BADGE_SECRET"):
            assert "${" in env[key], f"{name}: {key} must come from the environment"
    notifications = SERVICES["notifications"]["environment"]
    for key in ("PESNET_WEBHOOK_SECRET_KEYS", "NOTIFICATIONS_LINK_SECRET"):
        assert notifications[key].startswith("${")
        assert ":?" in notifications[key]


def test_env_example_names_every_variable_without_a_value() -> None:
    used = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE_TEXT))
    example = (ROOT / ".env.example").read_text()
    values = dict(
        line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#")
    )
    assert used <= set(values), f"missing in .env.example: {used - set(values)}"
    secrets = {k: v for k, v in values.items() if "PASSWORD" in k or "SECRET" in k or "TOKEN" in k}
    assert secrets
    assert all(v == "" for v in secrets.values()), "no secret values in .env.example"


def test_mongodb_is_a_single_node_replica_set() -> None:
    assert "--replSet" in SERVICES["mongo"]["command"]
    for name in APPS:
        assert "replicaSet=" in SERVICES[name]["environment"]["MONGODB_URL"]
    init = (ROOT / "deploy" / "mongo-init-replica-set.sh").read_text()
    assert "rs.initiate" in init


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
        "RABBITMQ_USER": "pesnet",
        "RABBITMQ_PASSWORD": 'pw with spaces & "quotes"',
        "RABBITMQ_ADMIN_USER": "pesnet-admin",
        "RABBITMQ_ADMIN_PASSWORD": "admin-pw",
        "PESNET_DEFINITIONS_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        ["sh", str(RENDER_USERS)], env=values, capture_output=True, text=True, check=False
    )


def test_render_users_hashes_passwords_as_rabbitmq_does(tmp_path: Path) -> None:
    assert render_users(tmp_path).returncode == 0
    text = (tmp_path / "00-users.json").read_text()
    assert "pw with spaces" not in text
    users = {u["name"]: u for u in json.loads(text)["users"]}
    raw = base64.b64decode(users["pesnet"]["password_hash"])
    salt, digest = raw[:4], raw[4:]
    assert digest == hashlib.sha256(salt + b'pw with spaces & "quotes"').digest()
    assert users["pesnet-admin"]["tags"] == ["administrator"]
    assert users["pesnet"]["tags"] == []


def test_services_user_may_touch_the_platform_topology_only(tmp_path: Path) -> None:
    assert render_users(tmp_path).returncode == 0
    permissions = {
        p["user"]: p for p in json.loads((tmp_path / "00-users.json").read_text())["permissions"]
    }
    definitions = json.loads(DEFINITIONS.read_text())
    consumers = {
        b["destination"]
        for b in definitions["bindings"]
        if b["source"] == "pesnet.events" and b["destination_type"] == "queue"
    }
    expected = service_permission_pattern(consumers)
    assert permissions["pesnet"]["configure"] == expected
    assert permissions["pesnet"]["write"] == expected
    assert permissions["pesnet"]["read"] == expected
    pattern = re.compile(expected)
    for name in [*consumers, *(f"{c}.dlq" for c in consumers), "pesnet.events", "pesnet.dlx"]:
        assert pattern.match(name), name
    for name in ("partner.ilo", "amq.default", "registration.other", "pesnet.eventsx"):
        assert not pattern.match(name), name


@pytest.mark.parametrize(
    "env",
    [{"RABBITMQ_USER": "guest"}, {"RABBITMQ_PASSWORD": ""}, {"RABBITMQ_ADMIN_USER": "pesnet"}],
)
def test_render_users_refuses_guest_and_missing_values(tmp_path: Path, env: dict[str, str]) -> None:
    result = render_users(tmp_path, **env)
    assert result.returncode != 0
    assert not (tmp_path / "00-users.json").exists()
