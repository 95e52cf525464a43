"""The production overlay's monitoring: Prometheus scrapes every service and RabbitMQ,
the alert rules are valid and do what they say (`promtool check rules` and `promtool
test rules` on the rendered PrometheusRule), and the rules and the Grafana dashboard
name only metrics that exist: the `pesnet_*` ones the services export (their registries,
built here as the services build them), the `rabbitmq_*` ones RabbitMQ's per-queue
endpoint serves."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # no stubs in the dev lock
from fastapi import FastAPI

from pesnet.shared.metrics import metric_names
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.topology import PARTNER_MAX_LENGTH
from tests.deployment import HAVE_KUBECTL, ROOT, of_kind, render

MONITORING = ROOT / "deploy" / "k8s" / "monitoring"
SERVICES = {"registration", "agenda", "actionplan", "notifications", "identity"}
# what RabbitMQ's `/metrics/detailed?family=queue_coarse_metrics&family=queue_consumer_count`
# serves (rabbitmq_prometheus plugin), the families the PodMonitor asks for
RABBITMQ_DETAILED = {
    "rabbitmq_detailed_queue_messages",
    "rabbitmq_detailed_queue_messages_ready",
    "rabbitmq_detailed_queue_messages_unacked",
    "rabbitmq_detailed_queue_process_reductions_total",
    "rabbitmq_detailed_queue_consumers",
}
METRIC = re.compile(r"\b(?:pesnet|rabbitmq)_[a-z0-9_]+\b")
needs_kubectl = pytest.mark.skipif(not HAVE_KUBECTL, reason="kubectl is not installed")


def exported_metrics() -> set[str]:
    """Every series name the five services can expose, from the registries their
    bootstraps fill (no connection is made: building an app connects nothing)."""
    from pesnet.actionplan.bootstrap import build_app as actionplan
    from pesnet.actionplan.settings import Settings as ActionPlanSettings
    from pesnet.agenda.bootstrap import build_app as agenda
    from pesnet.agenda.settings import Settings as AgendaSettings
    from pesnet.identity.bootstrap import build_app as identity
    from pesnet.identity.settings import Settings as IdentitySettings
    from pesnet.notifications.bootstrap import build_app as notifications
    from pesnet.notifications.settings import Settings as NotificationsSettings
    from pesnet.registration.bootstrap import build_app as registration
    from pesnet.registration.settings import Settings as RegistrationSettings

    names: set[str] = set()
    builds: tuple[tuple[Callable[[Any], FastAPI], type[ServiceSettings]], ...] = (
        (registration, RegistrationSettings),
        (agenda, AgendaSettings),
        (actionplan, ActionPlanSettings),
        (notifications, NotificationsSettings),
        (identity, IdentitySettings),
    )
    for build, settings_class in builds:
        settings = settings_class.model_validate(
            {"PESNET_ENV": "test", "MONGODB_URL": "mongodb://127.0.0.1:9/?replicaSet=rs0"}
        )
        names |= metric_names(build(settings).state.runtime.metrics)
    return names


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((MONITORING / "pesnet-dashboard.json").read_text())
    return loaded


def rule_spec() -> dict[str, Any]:
    rule: dict[str, Any] = yaml.safe_load((MONITORING / "prometheus-rule.yaml").read_text())
    return dict(rule["spec"])


def expressions() -> dict[str, str]:
    """`{where: PromQL}` of every alert rule and dashboard query."""
    found = {
        f"alert {r['alert']}": str(r["expr"])
        for group in rule_spec()["groups"]
        for r in group["rules"]
    }
    for panel in dashboard()["panels"]:
        for target in panel["targets"]:
            found[f"panel {panel['title']!r} {target['refId']}"] = str(target["expr"])
    for variable in dashboard()["templating"]["list"]:
        if variable["type"] == "query":
            found[f"variable {variable['name']}"] = str(variable["query"])
    return found


def test_rules_and_dashboard_name_only_metrics_that_exist() -> None:
    exported = exported_metrics()
    # the kernel's and each service's own, as they are named on /metrics
    assert {
        "pesnet_http_requests_total",
        "pesnet_outbox_oldest_unpublished_age_seconds",
        "pesnet_messages_dead_lettered_total",
        "pesnet_mails_total",
        "pesnet_webhook_deliveries_total",
        "pesnet_sign_ins_total",
    } <= exported
    unknown = {
        where: sorted(set(METRIC.findall(expr)) - exported - RABBITMQ_DETAILED)
        for where, expr in expressions().items()
    }
    assert not {where: names for where, names in unknown.items() if names}
    used = {name for expr in expressions().values() for name in METRIC.findall(expr)}
    # the dashboard shows every metric family the services export
    families = {re.sub(r"_(total|bucket|sum|count)$", "", n) for n in exported}
    assert not {f for f in families if not any(u.startswith(f) for u in used)}


def test_the_partner_queue_alert_follows_the_partner_queue_bound() -> None:
    rule = next(
        r
        for group in rule_spec()["groups"]
        for r in group["rules"]
        if r["alert"] == "PesnetPartnerQueueNearBound"
    )
    assert str(rule["expr"]).endswith(f"> {int(PARTNER_MAX_LENGTH * 0.8)}")
    policy = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text())
    bounds = [
        p["definition"]["max-length"] for p in policy["policies"] if p["pattern"] == "^partner\\."
    ]
    assert bounds == [PARTNER_MAX_LENGTH]


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool (Debian: prometheus) is not installed"
)
def test_alert_rules_pass_promtool_check_and_their_unit_tests(tmp_path: Path) -> None:
    (tmp_path / "pesnet-rules.yaml").write_text(yaml.safe_dump(rule_spec(), sort_keys=False))
    shutil.copy(MONITORING / "rules-test.yaml", tmp_path / "rules-test.yaml")
    checked = subprocess.run(
        ["promtool", "check", "rules", "pesnet-rules.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(
        ["promtool", "test", "rules", "rules-test.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    # every alert has a unit test
    tests = yaml.safe_load((MONITORING / "rules-test.yaml").read_text())["tests"]
    tested_alerts = {t["alertname"] for case in tests for t in case["alert_rule_test"]}
    alerts = {r["alert"] for group in rule_spec()["groups"] for r in group["rules"]}
    assert alerts == tested_alerts


@needs_kubectl
def test_production_scrapes_every_service_and_rabbitmq_and_alerts() -> None:
    docs = render("production")
    monitors = of_kind(docs, "ServiceMonitor")
    assert set(monitors) == {"pesnet-services"}
    selector = monitors["pesnet-services"]["spec"]["selector"]["matchExpressions"][0]
    services = {
        d["metadata"]["name"]
        for d in docs
        if d["kind"] == "Service"
        and d["metadata"]["labels"]["app.kubernetes.io/name"] in selector["values"]
    }
    assert services == SERVICES
    for name in SERVICES:
        service = of_kind(docs, "Service")[name]
        assert "http" in {p["name"] for p in service["spec"]["ports"]}
    pods = of_kind(docs, "PodMonitor")["pesnet-rabbitmq"]["spec"]
    cluster = next(iter(of_kind(docs, "RabbitmqCluster")))
    assert pods["selector"]["matchLabels"] == {"app.kubernetes.io/name": cluster}
    assert {e["path"] for e in pods["podMetricsEndpoints"]} == {"/metrics", "/metrics/detailed"}
    rules = of_kind(docs, "PrometheusRule")["pesnet"]["spec"]
    assert rules == rule_spec()
    dashboards = of_kind(docs, "ConfigMap")["pesnet-grafana-dashboard"]
    assert json.loads(dashboards["data"]["pesnet-dashboard.json"]) == dashboard()
