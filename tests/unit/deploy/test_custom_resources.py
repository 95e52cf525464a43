"""Every custom resource the overlays render (RabbitmqCluster, User, Permission,
MongoDBCommunity, ScaledObject, TriggerAuthentication, Certificate, Issuer) validates
offline against its operator's real CRD schema, kept in deploy/k8s/crds/ with its source
and version, as strictly as `kubectl apply --validate=strict` would: an unknown field is an
error, not silently dropped. Nothing is left unvalidated: every rendered kind is either a
built-in one (test_k8s.py) or has a kept CRD.

What offline validation cannot do: CEL rules (`x-kubernetes-validations`) and the
operators' admission webhooks are not run."""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the dev lock
import pytest

from tests.deployment import (
    CRDS,
    HAVE_KUBECTL,
    OVERLAYS,
    Manifest,
    crd_header,
    crds,
    is_built_in,
    of_kind,
    render,
)

pytestmark = pytest.mark.skipif(not HAVE_KUBECTL, reason="kubectl is not installed")

# a DNS-1123 subdomain, what the API server requires of an object's name
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def strict(schema: Any) -> Any:
    """A CRD's structural OpenAPI v3 schema as a JSON Schema (draft 4, which OpenAPI 3.0
    follows): objects refuse properties they do not declare unless the schema says it
    keeps unknown fields; `nullable` admits null; int-or-string admits both."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            converted[key] = {name: strict(sub) for name, sub in value.items()}
        else:
            converted[key] = strict(value)
    if converted.pop("x-kubernetes-int-or-string", False):
        converted.pop("type", None)
        converted["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if converted.pop("nullable", False) and "type" in converted:
        converted["type"] = [converted["type"], "null"]
    keeps_unknown = converted.get("x-kubernetes-preserve-unknown-fields") is True
    if "properties" in converted and "additionalProperties" not in converted and not keeps_unknown:
        converted["additionalProperties"] = False
    return converted


def schema_for(resource: Manifest) -> dict[str, Any]:
    group, _, version = resource["apiVersion"].rpartition("/")
    crd = crds().get((group, resource["kind"]))
    assert crd is not None, f"no CRD kept for {resource['apiVersion']} {resource['kind']}"
    served = {v["name"]: v for v in crd["spec"]["versions"] if v.get("served")}
    assert version in served, f"{resource['kind']}: version {version} not served by the CRD"
    converted: dict[str, Any] = strict(served[version]["schema"]["openAPIV3Schema"])
    return converted


def violations(resource: Manifest) -> list[str]:
    validator = jsonschema.Draft4Validator(schema_for(resource))
    found = [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in validator.iter_errors(resource)
    ]
    if not NAME.match(resource["metadata"]["name"]):
        found.append(f"metadata.name: {resource['metadata']['name']!r} is not a DNS name")
    return found


def custom_resources(overlay: str) -> list[Manifest]:
    return [d for d in render(overlay) if not is_built_in(d)]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_custom_resource_validates_against_its_operators_crd(overlay: str) -> None:
    resources = custom_resources(overlay)
    problems = {
        f"{r['kind']}/{r['metadata']['name']}": found for r in resources if (found := violations(r))
    }
    assert not problems, problems
    kinds = {r["kind"] for r in resources}
    assert {"RabbitmqCluster", "User", "Permission", "MongoDBCommunity"} <= kinds
    assert {"ScaledObject", "TriggerAuthentication"} <= kinds


def test_production_has_the_certificate_and_its_issuer() -> None:
    kinds = {r["kind"] for r in custom_resources("production")}
    assert {"Certificate", "Issuer"} <= kinds


def test_the_validation_refuses_what_an_operator_would() -> None:
    """The check is not vacuous: a misspelt field, a wrong type and a missing required
    field are each refused."""
    cluster = next(iter(of_kind(render("production"), "RabbitmqCluster").values()))
    misspelt = copy.deepcopy(cluster)
    misspelt["spec"]["replica"] = misspelt["spec"].pop("replicas")
    assert any("replica" in v for v in violations(misspelt))
    permission = next(iter(of_kind(render("production"), "Permission").values()))
    wrong_type = copy.deepcopy(permission)
    wrong_type["spec"]["permissions"]["read"] = [".*"]
    assert any("spec.permissions.read" in v for v in violations(wrong_type))
    missing = copy.deepcopy(permission)
    del missing["spec"]["vhost"]
    assert any("vhost" in v for v in violations(missing))
    scaled = next(iter(of_kind(render("production"), "ScaledObject").values()))
    no_target = copy.deepcopy(scaled)
    del no_target["spec"]["scaleTargetRef"]
    assert any("scaleTargetRef" in v for v in violations(no_target))


def test_each_kept_crd_records_where_it_comes_from() -> None:
    paths = sorted(CRDS.glob("*.yaml"))
    assert len(paths) == len(crds())
    for path in paths:
        header = crd_header(path)
        for field in ("repository", "tag", "commit", "path", "upstream sha256"):
            assert header.get(field), f"{path.name}: no {field} in its header"
        assert re.fullmatch(r"[0-9a-f]{40}", header["commit"]), path.name
        assert re.fullmatch(r"[0-9a-f]{64}", header["upstream sha256"]), path.name
