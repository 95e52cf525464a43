"""deploy/k8s renders with kustomize (dev and production) into manifests that validate
against the Kubernetes schemas offline (kubernetes-validate), plus a structural check of
the two operators' kinds, and hold what operators rely on. No cluster is needed."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml  # type: ignore[import-untyped]  # no stubs in the dev lock

ROOT = Path(__file__).resolve().parents[3]
OVERLAYS = ("dev", "production")
APPS = ("registration", "agenda", "actionplan", "notifications", "identity")
CRD_KINDS = {"RabbitmqCluster", "MongoDBCommunity"}
KUBERNETES_VERSION = "1.30.0"

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


@cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    result = subprocess.run(
        ["kubectl", "kustomize", str(ROOT / "deploy" / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return tuple(d for d in yaml.safe_load_all(result.stdout) if isinstance(d, dict))


def of_kind(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in render(overlay) if d["kind"] == kind}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_built_in_kinds_validate_against_the_kubernetes_schemas(overlay: str) -> None:
    checked = 0
    for doc in render(overlay):
        if doc["kind"] in CRD_KINDS:
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(
                f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}"
            )
        checked += 1
    assert checked >= 4 * len(APPS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_deployment_service_budget_and_autoscaler(overlay: str) -> None:
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"):
        assert set(APPS) <= set(of_kind(overlay, kind)), kind
    for name, hpa in of_kind(overlay, "HorizontalPodAutoscaler").items():
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert of_kind(overlay, "Service")["identity"]["spec"]["ports"][0]["port"] == 8005


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("app", APPS)
def test_deployment_is_locked_down_and_probed(overlay: str, app: str) -> None:
    deployment = of_kind(overlay, "Deployment")[app]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    main = container(deployment)
    assert main["securityContext"]["readOnlyRootFilesystem"] is True
    assert main["securityContext"]["allowPrivilegeEscalation"] is False
    assert main["image"].rpartition(":")[2] not in ("", "latest")
    assert main["resources"]["requests"]
    assert main["resources"]["limits"]["memory"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert main[probe]["httpGet"]["path"] == "/healthz"
    env = {e["name"]: e for e in main["env"]}
    assert env["PESNET_SERVICE"]["value"] == app


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_references_never_values(overlay: str) -> None:
    docs = render(overlay)
    assert not [d for d in docs if d["kind"] == "Secret"], "Secrets are created by operators"
    secretish = ("SECRET", "TOKEN", "PASSWORD", "KEYS", "MONGODB_URL")
    for name, deployment in of_kind(overlay, "Deployment").items():
        for var in container(deployment)["env"]:
            if any(word in var["name"] for word in secretish):
                assert "value" not in var, f"{name}: {var['name']} has a literal value"
                assert var["valueFrom"]["secretKeyRef"]["name"]
        # the broker URL is assembled from the operator's Secret, never written out
        url = next(v for v in container(deployment)["env"] if v["name"] == "RABBITMQ_URL")
        assert "$(RABBITMQ_PASSWORD)" in url["value"]
    for config in of_kind(overlay, "ConfigMap").values():
        assert not any(word in key for key in config["data"] for word in secretish[:4])


def required(doc: dict[str, Any], *path: str) -> Any:
    node: Any = doc
    for key in path:
        assert isinstance(node, dict), f"{doc['kind']}: {'.'.join(path)} is not a mapping"
        assert key in node, f"{doc['kind']}: {'.'.join(path)} is required"
        node = node[key]
    return node


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rabbitmq_cluster_is_a_well_formed_custom_resource(overlay: str) -> None:
    clusters = of_kind(overlay, "RabbitmqCluster")
    assert len(clusters) == 1
    ((name, cluster),) = clusters.items()
    assert cluster["apiVersion"] == "rabbitmq.com/v1beta1"
    replicas = required(cluster, "spec", "replicas")
    assert isinstance(replicas, int)
    assert replicas == (3 if overlay == "production" else 1)
    assert isinstance(required(cluster, "spec", "image"), str)
    # the services read the operator's generated default-user Secret
    for deployment in of_kind(overlay, "Deployment").values():
        refs = {
            v["valueFrom"]["secretKeyRef"]["name"]
            for v in container(deployment)["env"]
            if v["name"].startswith("RABBITMQ_") and "valueFrom" in v
        }
        assert refs == {f"{name}-default-user"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_mongodb_is_a_well_formed_replica_set_resource(overlay: str) -> None:
    resources = of_kind(overlay, "MongoDBCommunity")
    assert len(resources) == 1
    (mongo,) = resources.values()
    assert mongo["apiVersion"] == "mongodbcommunity.mongodb.com/v1"
    assert required(mongo, "spec", "type") == "ReplicaSet"
    members = required(mongo, "spec", "members")
    assert members == (3 if overlay == "production" else 1)
    assert isinstance(required(mongo, "spec", "version"), str)
    assert "SCRAM" in required(mongo, "spec", "security", "authentication", "modes")
    users = {u["name"]: u for u in required(mongo, "spec", "users")}
    for user in users.values():
        for field in ("db", "passwordSecretRef", "roles", "scramCredentialsSecretName"):
            assert field in user, f"user {user['name']} lacks {field}"
        assert user["passwordSecretRef"]["name"]
    # each service connects as its own user, which may write its own database only
    for app, deployment in of_kind(overlay, "Deployment").items():
        env = {v["name"]: v for v in container(deployment)["env"]}
        secret = env["MONGODB_URL"]["valueFrom"]["secretKeyRef"]["name"]
        assert users[app]["connectionStringSecretName"] == secret
        assert users[app]["roles"] == [{"name": "readWrite", "db": f"pesnet_{app}"}]
