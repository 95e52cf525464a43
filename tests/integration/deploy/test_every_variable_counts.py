"""Every variable a deployment form gives a service counts: removing any one of them from
the rendered production overlay (its Deployment's `env`, or the ConfigMap key its
`envFrom` takes) or from docker-compose.yml makes the service refuse to start naming it,
unless its absence is harmless by design or switches a feature off by design (both listed
below, with why) or the service never reads it. The check runs what `python -m pesnet.<service>` runs before it serves (its
settings, then building its app) in this process, for speed; one case runs the process
itself. The complete environments pass the same check, and start for real in
test_conformance.py."""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from pesnet.shared.settings import load_settings
from tests.deployment import APPS, HAVE_KUBECTL, Manifest, container, of_kind
from tests.integration.deploy.forms import (
    NotGiven,
    compose_env,
    compose_form,
    kubernetes_env,
    kubernetes_form,
    with_path,
)

needs_kubectl = pytest.mark.skipif(not HAVE_KUBECTL, reason="kubectl is not installed")

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
# Variables whose absence switches a feature off by design (the service starts without
# it): that the forms give them, and give them right, test_shared_link_keys.py checks.
SWITCHES_OFF = {
    "PESNET_DELEGATION_LINK_KEYS": "no head of delegation's consultation link is offered or taken",
    "PESNET_ACTIONPLAN_PUBLIC_URL": "registration offers no consultation link",
}


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
        elif (
            name in reads
            and name not in SWITCHES_OFF
            and not (name in HARMLESS_TO_REMOVE and service in HARMLESS_FOR.get(name, {service}))
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


@needs_kubectl
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


@needs_kubectl
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
