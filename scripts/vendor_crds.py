"""Vendor the operators' CustomResourceDefinitions the manifests use into deploy/k8s/crds/.

    python scripts/vendor_crds.py OWNER/REPO=CHECKOUT [...]

CHECKOUT is a git clone (or bare mirror) of the operator's repository; the file is read
at the release tag below with `git show`, so the result does not depend on what the clone
has checked out. Each CRD is kept as upstream wrote it except for two trims, so that the
repository holds what offline validation needs and not 1.5 MB of prose: only the versions
the manifests use, and no `description` keywords. The header of each file records the
repository, tag, commit, path and the SHA-256 of the upstream file.
`tests/unit/deploy/test_custom_resources.py` validates every custom resource of both
overlays against these schemas.

To upgrade an operator: change its tag here, run the script, run the tests, and read the
operator's release notes for what the new schema refuses.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs in the dev lock

OUT = Path(__file__).resolve().parent.parent / "deploy" / "k8s" / "crds"


@dataclass(frozen=True)
class Source:
    repository: str
    tag: str
    path: str
    versions: tuple[str, ...]

    @property
    def file_name(self) -> str:
        return Path(self.path).name


SOURCES = (
    Source(
        "rabbitmq/cluster-operator",
        "v2.22.3",
        "config/crd/bases/rabbitmq.com_rabbitmqclusters.yaml",
        ("v1beta1",),
    ),
    Source(
        "rabbitmq/messaging-topology-operator",
        "v1.20.1",
        "config/crd/bases/rabbitmq.com_users.yaml",
        ("v1beta1",),
    ),
    Source(
        "rabbitmq/messaging-topology-operator",
        "v1.20.1",
        "config/crd/bases/rabbitmq.com_permissions.yaml",
        ("v1beta1",),
    ),
    Source(
        "mongodb/mongodb-kubernetes",
        "1.10.0",
        "config/crd/bases/mongodbcommunity.mongodb.com_mongodbcommunity.yaml",
        ("v1",),
    ),
    Source(
        "kedacore/keda",
        "v2.20.2",
        "config/crd/bases/keda.sh_scaledobjects.yaml",
        ("v1alpha1",),
    ),
    Source(
        "kedacore/keda",
        "v2.20.2",
        "config/crd/bases/keda.sh_triggerauthentications.yaml",
        ("v1alpha1",),
    ),
    Source(
        "cert-manager/cert-manager",
        "v1.21.1",
        "deploy/crds/cert-manager.io_certificates.yaml",
        ("v1",),
    ),
    Source(
        "cert-manager/cert-manager",
        "v1.21.1",
        "deploy/crds/cert-manager.io_issuers.yaml",
        ("v1",),
    ),
    # monitoring: Prometheus Operator (kube-prometheus-stack) scrapes and alerts
    Source(
        "prometheus-operator/prometheus-operator",
        "v0.93.0",
        "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
        ("v1",),
    ),
    Source(
        "prometheus-operator/prometheus-operator",
        "v0.93.0",
        "example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml",
        ("v1",),
    ),
    Source(
        "prometheus-operator/prometheus-operator",
        "v0.93.0",
        "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
        ("v1",),
    ),
)


def without_descriptions(schema: Any) -> Any:
    """An OpenAPI v3 schema without its `description` keywords. Property names are
    data, not keywords: a property called `description` stays."""
    if isinstance(schema, list):
        return [without_descriptions(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "description" and isinstance(value, str):
            continue
        if key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            kept[key] = {name: without_descriptions(sub) for name, sub in value.items()}
        else:
            kept[key] = without_descriptions(value)
    return kept


def trimmed(crd: dict[str, Any], versions: tuple[str, ...]) -> dict[str, Any]:
    spec = dict(crd["spec"])
    spec["versions"] = [
        {**v, "schema": without_descriptions(v["schema"])}
        for v in spec["versions"]
        if v["name"] in versions
    ]
    missing = set(versions) - {v["name"] for v in spec["versions"]}
    if missing:
        raise SystemExit(f"{crd['metadata']['name']}: no version {sorted(missing)} upstream")
    return {
        "apiVersion": crd["apiVersion"],
        "kind": crd["kind"],
        "metadata": {"name": crd["metadata"]["name"]},
        "spec": spec,
    }


def vendor(source: Source, checkout: Path) -> Path:
    def git(*args: str) -> str:
        return subprocess.run(  # noqa: S603
            ["git", "-C", str(checkout), *args],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    upstream = git("show", f"{source.tag}:{source.path}")
    commit = git("rev-list", "-n", "1", source.tag).strip()
    crd = yaml.safe_load(upstream)
    header = (
        f"# {crd['spec']['names']['kind']} ({crd['metadata']['name']}), vendored by "
        "scripts/vendor_crds.py for offline validation\n"
        f"# repository: {source.repository}\n"
        f"# tag: {source.tag}\n"
        f"# commit: {commit}\n"
        f"# path: {source.path}\n"
        f"# upstream sha256: {hashlib.sha256(upstream.encode()).hexdigest()}\n"
        f"# kept: versions {', '.join(source.versions)}; removed: description keywords\n"
    )
    body = yaml.safe_dump(trimmed(crd, source.versions), sort_keys=False, width=100)
    target = OUT / source.file_name
    target.write_text(header + body)
    return target


def main(argv: list[str]) -> int:
    checkouts = dict(arg.split("=", 1) for arg in argv)
    unknown = set(checkouts) - {s.repository for s in SOURCES}
    if unknown or not checkouts:
        print(__doc__, file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        if source.repository in checkouts:
            target = vendor(source, Path(checkouts[source.repository]))
            print(f"wrote {target.relative_to(OUT.parent.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
