"""The deployment forms as operators get them, read once for every test that needs them:
the kustomize overlays rendered by `kubectl kustomize`, the compose file, and the
operators' CRD schemas kept in deploy/k8s/crds/."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs in the dev lock

ROOT = Path(__file__).resolve().parents[1]
OVERLAYS = ("dev", "production")
APPS = ("registration", "agenda", "actionplan", "notifications", "identity")
CRDS = ROOT / "deploy" / "k8s" / "crds"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"

Manifest = dict[str, Any]
# the API groups of the kinds the manifests use that Kubernetes itself serves; any other
# group is an operator's (custom resources, validated against deploy/k8s/crds/)
BUILT_IN_GROUPS = {"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io"}

HAVE_KUBECTL = shutil.which("kubectl") is not None


@cache
def render(overlay: str) -> tuple[Manifest, ...]:
    """`kubectl kustomize deploy/k8s/overlays/<overlay>`: every object it renders."""
    result = subprocess.run(
        ["kubectl", "kustomize", str(ROOT / "deploy" / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return tuple(d for d in yaml.safe_load_all(result.stdout) if isinstance(d, dict))


def is_built_in(doc: Manifest) -> bool:
    return str(doc["apiVersion"]).rpartition("/")[0] in BUILT_IN_GROUPS


def of_kind(docs: tuple[Manifest, ...], kind: str) -> dict[str, Manifest]:
    """The objects of one kind, by name."""
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def container(deployment: Manifest) -> Manifest:
    """A Deployment's (only) container."""
    containers: list[Manifest] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


@cache
def crds() -> dict[tuple[str, str], Manifest]:
    """The kept CustomResourceDefinitions by (group, kind)."""
    found: dict[tuple[str, str], Manifest] = {}
    for path in sorted(CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        assert crd["kind"] == "CustomResourceDefinition", path
        found[(crd["spec"]["group"], crd["spec"]["names"]["kind"])] = crd
    return found


def crd_header(path: Path) -> dict[str, str]:
    """The provenance a kept CRD's header records (repository, tag, commit, ...)."""
    fields: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.startswith("# "):
            break
        key, sep, value = line[2:].partition(": ")
        if sep:
            fields[key] = value
    return fields


def compose() -> Manifest:
    document: Manifest = yaml.safe_load(COMPOSE_FILE.read_text())
    return document
