"""Outside dev mode a service starts only with what it needs to work for real: the
credentials, identity's published keys, and addresses people and services can reach;
the shared secretariat token is off unless switched on, and then long and random. A
refused configuration names the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from pesnet.identity.settings import Settings as IdentitySettings
from pesnet.notifications.settings import Settings as NotificationsSettings
from pesnet.registration.settings import Settings as RegistrationSettings
from pesnet.shared.settings import ServiceSettings, url_problem

PRODUCTION: dict[str, Any] = {
    "PESNET_ENV": "production",
    "RABBITMQ_URL": "amqp://svc:pw@broker:5672/",
    "MONGODB_URL": "mongodb://svc:pw@db:27017/admin?replicaSet=rs0",
    "PESNET_JWKS_URL": "http://identity:8005/.well-known/jwks.json",
}
REGISTRATION = {
    **PRODUCTION,
    "PESNET_BADGE_SECRET": "a-badge-secret",
    "PESNET_MANAGE_LINK_KEYS": "a-manage-link-key",
    "PESNET_REGISTRATION_PUBLIC_URL": "https://registration.pesnet.example.org",
    "PESNET_AGENDA_PUBLIC_URL": "https://agenda.pesnet.example.org",
}
NOTIFICATIONS = {
    **PRODUCTION,
    "NOTIFICATIONS_LINK_SECRET": "a-link-secret",
    "PESNET_MANAGE_LINK_KEYS": "a-manage-link-key",
    "SMTP_HOST": "smtp.example.org",
    "SMTP_PORT": "587",
    "NOTIFICATIONS_PUBLIC_URL": "https://notifications.pesnet.example.org",
}
IDENTITY = {
    **{k: v for k, v in PRODUCTION.items() if k != "PESNET_JWKS_URL"},
    "PESNET_IDENTITY_SIGNING_KEYS": "-----BEGIN PRIVATE KEY-----\n...",
    "PESNET_IDENTITY_PUBLIC_URL": "https://identity.pesnet.example.org",
}
STRONG_TOKEN = "q3Zk8v1XbN0pRt5sWm2yLc7dFh9gJa4E"  # 32 characters, 32 different


@pytest.fixture(autouse=True)
def no_settings_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings also read the environment: only the values a test gives count here."""
    prefixes = ("PESNET_", "RABBITMQ_", "MONGODB_", "SMTP_", "NOTIFICATIONS_")
    for name in list(os.environ):
        if name.startswith(prefixes):
            monkeypatch.delenv(name)


def refused(settings_class: type[ServiceSettings], values: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as error:
        settings_class.model_validate(values)
    return str(error.value)


@pytest.mark.parametrize(
    ("settings_class", "values"),
    [
        (ServiceSettings, PRODUCTION),
        (RegistrationSettings, REGISTRATION),
        (NotificationsSettings, NOTIFICATIONS),
        (IdentitySettings, IDENTITY),
    ],
)
def test_a_complete_production_configuration_starts_without_a_shared_token(
    settings_class: type[ServiceSettings], values: dict[str, Any]
) -> None:
    settings = settings_class.model_validate(values)
    assert settings.secretariat_token_enabled is False
    assert settings.secretariat_token is None


@pytest.mark.parametrize(
    ("settings_class", "values", "name"),
    [
        (ServiceSettings, PRODUCTION, "RABBITMQ_URL"),
        (ServiceSettings, PRODUCTION, "MONGODB_URL"),
        (ServiceSettings, PRODUCTION, "PESNET_JWKS_URL"),
        (RegistrationSettings, REGISTRATION, "PESNET_BADGE_SECRET"),
        (RegistrationSettings, REGISTRATION, "PESNET_MANAGE_LINK_KEYS"),
        (NotificationsSettings, NOTIFICATIONS, "PESNET_MANAGE_LINK_KEYS"),
        (RegistrationSettings, REGISTRATION, "PESNET_REGISTRATION_PUBLIC_URL"),
        (RegistrationSettings, REGISTRATION, "PESNET_AGENDA_PUBLIC_URL"),
        (NotificationsSettings, NOTIFICATIONS, "NOTIFICATIONS_LINK_SECRET"),
        (NotificationsSettings, NOTIFICATIONS, "SMTP_HOST"),
        (NotificationsSettings, NOTIFICATIONS, "SMTP_PORT"),
        (NotificationsSettings, NOTIFICATIONS, "NOTIFICATIONS_PUBLIC_URL"),
        (IdentitySettings, IDENTITY, "PESNET_IDENTITY_SIGNING_KEYS"),
        (IdentitySettings, IDENTITY, "PESNET_IDENTITY_PUBLIC_URL"),
    ],
)
def test_each_required_setting_is_named_when_missing(
    settings_class: type[ServiceSettings], values: dict[str, Any], name: str
) -> None:
    without = {k: v for k, v in values.items() if k != name}
    assert name in refused(settings_class, without)


@pytest.mark.parametrize("name", ["RABBITMQ_URL", "MONGODB_URL"])
def test_a_reference_kubernetes_could_not_expand_is_named(name: str) -> None:
    """A URL a manifest assembles from a Secret's keys (`$(RABBITMQ_PASSWORD)`) whose key
    is missing arrives unexpanded: refused, naming the missing variable."""
    value = "amqp://svc:$(RABBITMQ_PASSWORD)@broker:5672/"
    message = refused(ServiceSettings, {**PRODUCTION, name: value})
    assert f"{name} holds $(RABBITMQ_PASSWORD), which was never set" in message


def test_identity_needs_no_published_keys_of_its_own() -> None:
    assert IdentitySettings.model_validate(IDENTITY).jwks_url is None


@pytest.mark.parametrize(
    ("settings_class", "values", "name"),
    [
        (RegistrationSettings, REGISTRATION, "PESNET_REGISTRATION_PUBLIC_URL"),
        (RegistrationSettings, REGISTRATION, "PESNET_AGENDA_PUBLIC_URL"),
        (RegistrationSettings, REGISTRATION, "PESNET_IDENTITY_URL"),
        (NotificationsSettings, NOTIFICATIONS, "NOTIFICATIONS_PUBLIC_URL"),
        (IdentitySettings, IDENTITY, "PESNET_IDENTITY_PUBLIC_URL"),
        (ServiceSettings, PRODUCTION, "PESNET_JWKS_URL"),
    ],
)
@pytest.mark.parametrize("address", ["http://0.0.0.0:8000", "http://[::]:8000", "0.0.0.0:8000"])
def test_an_address_nobody_can_reach_is_refused_naming_the_setting(
    settings_class: type[ServiceSettings], values: dict[str, Any], name: str, address: str
) -> None:
    message = refused(settings_class, {**values, name: address})
    assert name in message
    assert address in message


@pytest.mark.parametrize(
    ("value", "usable"),
    [
        ("https://registration.pesnet.example.org", True),
        ("http://identity:8005/.well-known/jwks.json", True),
        ("http://127.0.0.1:8001", True),  # a port-forward on a workstation
        ("http://0.0.0.0:8001", False),
        ("http://[::]:8001", False),
        ("ftp://files.example.org", False),
        ("https://", False),
        ("registration.pesnet.example.org", False),
        ("http://host:notaport", False),
    ],
)
def test_what_counts_as_a_usable_address(value: str, usable: bool) -> None:
    assert (url_problem(value) is None) is usable


def test_dev_and_test_mode_keep_their_shared_token_and_defaults() -> None:
    for env in ("dev", "test"):
        settings = NotificationsSettings.model_validate({"PESNET_ENV": env})
        assert settings.secretariat_token is not None
        assert settings.smtp_host == "127.0.0.1"
        assert settings.public_url.startswith("http://127.0.0.1")
    # the token outside checks set under `make run` (dev mode) is short: dev mode allows it
    dev = ServiceSettings.model_validate(
        {"PESNET_ENV": "dev", "PESNET_SECRETARIAT_TOKEN": "checks-secretariat-token"}
    )
    assert dev.secretariat_token is not None
    assert dev.secretariat_token.get_secret_value() == "checks-secretariat-token"


def test_a_switched_on_shared_token_must_be_long_and_random() -> None:
    switched_on = {**PRODUCTION, "PESNET_SECRETARIAT_TOKEN_ENABLED": "true"}
    assert "PESNET_SECRETARIAT_TOKEN" in refused(ServiceSettings, switched_on)
    for weak in ("x", "dev-secretariat-token", "a" * 40, "ab" * 20, STRONG_TOKEN[:31]):
        message = refused(ServiceSettings, {**switched_on, "PESNET_SECRETARIAT_TOKEN": weak})
        assert "PESNET_SECRETARIAT_TOKEN must be" in message
        assert weak not in message  # a secret never appears in an error
    strong = ServiceSettings.model_validate(
        {**switched_on, "PESNET_SECRETARIAT_TOKEN": STRONG_TOKEN}
    )
    assert strong.secretariat_token is not None
    # given but not switched on: ignored, never accepted
    ignored = ServiceSettings.model_validate(
        {**PRODUCTION, "PESNET_SECRETARIAT_TOKEN": STRONG_TOKEN}
    )
    assert ignored.secretariat_token is None


def test_a_service_refusing_its_configuration_says_which_setting_and_exits() -> None:
    env = {k: str(v) for k, v in REGISTRATION.items() if k != "PESNET_BADGE_SECRET"}
    started = subprocess.run(
        [sys.executable, "-m", "pesnet.registration"],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 2
    assert "registration: configuration refused" in started.stderr
    assert "PESNET_BADGE_SECRET" in started.stderr
    assert "Traceback" not in started.stderr
