"""The signed links one service signs and another answers work as each deployment form
gives them: the rendered production overlay and docker-compose.yml with a filled-in
`.env`, read as the platform would (forms.py). A manage link registration signs opens at
notifications and the other way round; a confirmed head of delegation's consultation link
is offered by registration, pointing at actionplan's public address, and actionplan
takes it. A form that omits a service's keys or actionplan's public address fails here:
outside dev mode the consultation link is then silently off, so a service that starts is
not enough (test_every_variable_counts.py)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest

from pesnet.shared.delegation_links import DelegationLinks
from pesnet.shared.envelope import utcnow
from pesnet.shared.manage_links import ManageLinks
from tests.deployment import HAVE_KUBECTL
from tests.integration.deploy.forms import (
    compose_env,
    compose_form,
    kubernetes_env,
    kubernetes_form,
)

SERVICES = ("registration", "actionplan", "notifications")


def settings_of(service: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The service's settings from exactly `env` (never dev mode: the forms say production)."""
    settings_class = importlib.import_module(f"pesnet.{service}.settings").Settings
    with monkeypatch.context() as patch:
        for name in list(os.environ):
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        settings = settings_class()
    assert not settings.dev_mode
    return settings


def check_links(envs: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    registration, actionplan, notifications = (
        settings_of(service, envs[service], monkeypatch) for service in SERVICES
    )
    # a manage link signed by either service opens at the other
    signed = ManageLinks(notifications.manage_link_keys()).token("a-registration", 1)
    assert ManageLinks(registration.manage_link_keys()).read(signed) == ("a-registration", 1)

    # the consultation link: offered by registration, at actionplan's public address
    page = registration.consultation_page()
    public = envs["registration"].get("PESNET_ACTIONPLAN_PUBLIC_URL")
    assert public, "registration is not given PESNET_ACTIONPLAN_PUBLIC_URL"
    assert page == f"{public.rstrip('/')}/delegation"
    keys = registration.delegation_link_keys()
    assert keys, "registration is not given PESNET_DELEGATION_LINK_KEYS"
    assert actionplan.delegation_link_keys(), "actionplan is not given PESNET_DELEGATION_LINK_KEYS"
    token = DelegationLinks(keys).token("a-registration", "MAR", "a-meeting", now=utcnow())
    link = DelegationLinks(actionplan.delegation_link_keys()).read(token)
    assert link is not None, "actionplan does not take registration's consultation links"
    assert (link.registration_id, link.country) == ("a-registration", "MAR")


@pytest.mark.skipif(not HAVE_KUBECTL, reason="kubectl is not installed")
def test_the_production_overlay_gives_the_linked_services_the_same_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs, cluster = kubernetes_form()
    envs = {service: kubernetes_env(docs, service, cluster) for service in SERVICES}
    check_links(envs, monkeypatch)


def test_compose_gives_the_linked_services_the_same_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project, dotenv = compose_form(tmp_path)
    envs = {service: compose_env(project, service, dotenv) for service in SERVICES}
    check_links(envs, monkeypatch)
