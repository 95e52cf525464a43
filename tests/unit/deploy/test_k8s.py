"""deploy/k8s renders with kustomize (dev and production) into manifests whose built-in
objects validate against the Kubernetes schemas offline (kubernetes-validate, strict, at
three Kubernetes versions; the custom resources: test_custom_resources.py) and hold what
operators rely on. No cluster is needed. Whether the services start and work with what
the manifests give them: tests/integration/deploy/."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml  # type: ignore[import-untyped]  # no stubs in the dev lock

from scripts.generate_rabbitmq_definitions import K8S_USERS, render_k8s_users, service_permissions
from tests.deployment import (
    APPS,
    HAVE_KUBECTL,
    OVERLAYS,
    ROOT,
    Manifest,
    container,
    is_built_in,
    of_kind,
    render,
)

pytestmark = pytest.mark.skipif(not HAVE_KUBECTL, reason="kubectl is not installed")

# the oldest supported, the one kubectl here speaks, the newest kubernetes-validate knows
KUBERNETES_VERSIONS = ("1.30.0", "1.32.0", "1.37.0")
CONSUMERS = {
    "registration": ["registration"],
    "agenda": ["agenda"],
    "actionplan": ["actionplan"],
    "notifications": ["notifications", "notifications.webhooks"],
}


def env_of(deployment: Manifest) -> dict[str, Manifest]:
    return {e["name"]: e for e in container(deployment)["env"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_built_in_kinds_validate_against_the_kubernetes_schemas(overlay: str, version: str) -> None:
    checked = 0
    for doc in render(overlay):
        if not is_built_in(doc):
            continue  # custom resources: test_custom_resources.py
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(
                f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}"
            )
        checked += 1
    assert checked >= 3 * len(APPS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_deployment_service_budget_and_one_autoscaler(overlay: str) -> None:
    docs = render(overlay)
    for kind in ("Deployment", "Service", "PodDisruptionBudget"):
        assert set(APPS) <= set(of_kind(docs, kind)), kind
    scaled = of_kind(docs, "ScaledObject")
    hpas = of_kind(docs, "HorizontalPodAutoscaler")
    # consumers scale on their queues' depth (KEDA), identity on CPU; never both
    assert set(scaled) == set(CONSUMERS)
    assert set(hpas) == {"identity"}
    for name, scaler in scaled.items():
        assert scaler["spec"]["scaleTargetRef"]["name"] == name
        assert scaler["spec"]["minReplicaCount"] <= scaler["spec"]["maxReplicaCount"]
        queues = [
            t["metadata"]["queueName"]
            for t in scaler["spec"]["triggers"]
            if t["type"] == "rabbitmq"
        ]
        assert queues == CONSUMERS[name]
    namespace = of_kind(docs, "Namespace")
    for trigger in (t for s in scaled.values() for t in s["spec"]["triggers"]):
        if trigger["type"] == "rabbitmq":
            # KEDA lives in its own namespace: the broker's name must carry ours
            host = urlsplit(trigger["metadata"]["host"]).hostname
            assert host == f"pesnet-rabbitmq.{next(iter(namespace))}.svc"
            assert trigger["authenticationRef"]["name"] == "pesnet-rabbitmq-keda"
    assert of_kind(docs, "Service")["identity"]["spec"]["ports"][0]["port"] == 8005


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_fixed_replica_count_fights_the_autoscalers(overlay: str) -> None:
    for name, deployment in of_kind(render(overlay), "Deployment").items():
        assert "replicas" not in deployment["spec"], name


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("app", APPS)
def test_deployment_is_locked_down_and_probed_apart(overlay: str, app: str) -> None:
    deployment = of_kind(render(overlay), "Deployment")[app]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    main = container(deployment)
    assert main["securityContext"]["readOnlyRootFilesystem"] is True
    assert main["securityContext"]["allowPrivilegeEscalation"] is False
    assert main["image"].rpartition(":")[2] not in ("", "latest")
    assert main["resources"]["requests"]
    assert main["resources"]["limits"]["memory"]
    # alive is not ready: a database outage takes a pod out of the Service, never restarts it
    assert main["startupProbe"]["httpGet"]["path"] == "/livez"
    assert main["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert main["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert env_of(deployment)["PESNET_SERVICE"]["value"] == app


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_names_its_images(overlay: str) -> None:
    kustomization = yaml.safe_load(
        (ROOT / "deploy" / "k8s" / "overlays" / overlay / "kustomization.yaml").read_text()
    )
    named = {image["name"] for image in kustomization["images"]}
    assert named == {f"pesnet/{app}" for app in APPS}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_references_never_values(overlay: str) -> None:
    docs = render(overlay)
    assert not [d for d in docs if d["kind"] == "Secret"], "Secrets are created by operators"
    secretish = ("SECRET", "TOKEN", "PASSWORD", "KEYS", "MONGODB_URL", "USERNAME")
    for name, deployment in of_kind(docs, "Deployment").items():
        for var in container(deployment)["env"]:
            if any(word in var["name"] for word in secretish):
                assert "value" not in var, f"{name}: {var['name']} has a literal value"
                assert var["valueFrom"]["secretKeyRef"]["name"]
        # the broker URL is assembled from the user's Secret, never written out
        assert "$(RABBITMQ_PASSWORD)" in env_of(deployment)["RABBITMQ_URL"]["value"]
    for config in of_kind(docs, "ConfigMap").values():
        assert not any(word in key for key in config["data"] for word in secretish[:4])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_connects_to_the_broker_as_its_own_unprivileged_user(overlay: str) -> None:
    docs = render(overlay)
    users = of_kind(docs, "User")
    permissions = of_kind(docs, "Permission")
    expected = service_permissions()
    for app, deployment in of_kind(docs, "Deployment").items():
        env = env_of(deployment)
        refs = {
            env[v]["valueFrom"]["secretKeyRef"]["name"]
            for v in ("RABBITMQ_USERNAME", "RABBITMQ_PASSWORD")
        }
        # the Topology Operator writes a User's generated credentials to <name>-user-credentials
        assert refs == {f"pesnet-{app}-user-credentials"}
        assert f"pesnet-{app}" in users
        granted = permissions[f"pesnet-{app}"]["spec"]
        assert granted["userReference"]["name"] == f"pesnet-{app}"
        assert granted["vhost"] == "/"
        assert set(granted["permissions"].values()) == {expected[app]}
    for name, user in users.items():
        assert not user["spec"].get("tags"), f"{name} has management tags"
    keda = permissions["pesnet-keda"]["spec"]["permissions"]
    assert set(keda.values()) == {"^$"}
    # another service's queue, a partner's, the default exchange: none is in any pattern
    for app, pattern in expected.items():
        allowed = re.compile(pattern)
        assert allowed.match("pesnet.events")
        assert not allowed.match("partner.ilo")
        assert not allowed.match("amq.default")
        for other, queues in CONSUMERS.items():
            if other != app:
                assert not any(allowed.match(q) for q in queues), (app, other)


def test_the_broker_users_are_generated_from_the_code() -> None:
    assert K8S_USERS.read_text() == render_k8s_users(), (
        "run `python scripts/generate_rabbitmq_definitions.py` and commit deploy/k8s"
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rabbitmq_is_version_4_with_a_disruption_budget(overlay: str) -> None:
    docs = render(overlay)
    ((name, cluster),) = of_kind(docs, "RabbitmqCluster").items()
    assert cluster["spec"]["replicas"] == (3 if overlay == "production" else 1)
    assert re.match(r"rabbitmq:4\.\d+\.\d+", cluster["spec"]["image"])
    budget = of_kind(docs, "PodDisruptionBudget")[name]
    # the labels the Cluster Operator puts on the cluster's pods
    assert budget["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == name
    assert budget["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_mongodb_is_a_sized_replica_set_with_a_user_per_service(overlay: str) -> None:
    docs = render(overlay)
    ((name, mongo),) = of_kind(docs, "MongoDBCommunity").items()
    spec = mongo["spec"]
    assert spec["members"] == (3 if overlay == "production" else 1)
    assert "SCRAM" in spec["security"]["authentication"]["modes"]
    containers = {
        c["name"]: c for c in spec["statefulSet"]["spec"]["template"]["spec"]["containers"]
    }
    for part in ("mongod", "mongodb-agent"):
        assert containers[part]["resources"]["requests"]["memory"]
        assert containers[part]["resources"]["limits"]["memory"]
    users = {u["name"]: u for u in spec["users"]}
    for app, deployment in of_kind(docs, "Deployment").items():
        secret = env_of(deployment)["MONGODB_URL"]["valueFrom"]["secretKeyRef"]["name"]
        assert users[app]["connectionStringSecretName"] == secret
        assert users[app]["roles"] == [{"name": "readWrite", "db": f"pesnet_{app}"}]
    assert users["backup"]["roles"] == [{"name": "backup", "db": "admin"}]
    budget = of_kind(docs, "PodDisruptionBudget")[name]
    # the operator labels the replica set's pods `app: <name>-svc`
    assert budget["spec"]["selector"]["matchLabels"] == {"app": f"{name}-svc"}


def test_production_is_reachable_over_tls_at_the_public_urls() -> None:
    docs = render("production")
    ((_, ingress),) = of_kind(docs, "Ingress").items()
    ((_, certificate),) = of_kind(docs, "Certificate").items()
    ((issuer_name, _),) = of_kind(docs, "Issuer").items()
    hosts = {rule["host"]: rule for rule in ingress["spec"]["rules"]}
    assert set(certificate["spec"]["dnsNames"]) == set(hosts)
    assert certificate["spec"]["issuerRef"] == {"kind": "Issuer", "name": issuer_name}
    ((tls,),) = [ingress["spec"]["tls"]]
    assert tls["secretName"] == certificate["spec"]["secretName"]
    assert set(tls["hosts"]) == set(hosts)
    for host, rule in hosts.items():
        backend = rule["http"]["paths"][0]["backend"]["service"]["name"]
        assert host.startswith(f"{backend}.")
    urls = next(
        c for n, c in of_kind(docs, "ConfigMap").items() if n.startswith("pesnet-public-urls")
    )
    for url in urls["data"].values():
        parts = urlsplit(url)
        assert parts.scheme == "https"
        assert parts.hostname in hosts, url


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_that_share_link_keys_read_the_same_secret(overlay: str) -> None:
    deployments = of_kind(render(overlay), "Deployment")
    for variable, services in (
        ("PESNET_MANAGE_LINK_KEYS", ("registration", "notifications")),
        ("PESNET_DELEGATION_LINK_KEYS", ("registration", "actionplan")),
    ):
        references = []
        for name in services:
            env = env_of(deployments[name])
            assert variable in env, f"{overlay}: {name} is not given {variable}"
            ref = env[variable]["valueFrom"]["secretKeyRef"]
            assert not ref.get("optional"), f"{name}: {variable} must be required"
            references.append((ref["name"], ref["key"]))
        assert len(set(references)) == 1, (variable, references)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_gives_the_public_addresses_registration_links_to(overlay: str) -> None:
    docs = render(overlay)
    name, urls = next(
        (n, c["data"])
        for n, c in of_kind(docs, "ConfigMap").items()
        if n.startswith("pesnet-public-urls")
    )
    env_from = container(of_kind(docs, "Deployment")["registration"])["envFrom"]
    assert name in {source["configMapRef"]["name"] for source in env_from}
    for key in (
        "PESNET_REGISTRATION_PUBLIC_URL",
        "PESNET_AGENDA_PUBLIC_URL",
        # without it no head of delegation is offered a consultation link
        "PESNET_ACTIONPLAN_PUBLIC_URL",
    ):
        assert urls.get(key), f"{overlay}: pesnet-public-urls has no {key}"


def test_production_backs_the_databases_up_inside_the_cluster() -> None:
    docs = render("production")
    ((_, job),) = of_kind(docs, "CronJob").items()
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (dump,) = pod["containers"]
    assert "mongodump" in " ".join(dump["args"])
    url = next(e for e in dump["env"] if e["name"] == "MONGODB_URL")
    assert url["valueFrom"]["secretKeyRef"]["name"] == "pesnet-mongodb-backup"
    volumes = {v["name"]: v for v in pod["volumes"]}
    claim = volumes["backups"]["persistentVolumeClaim"]["claimName"]
    assert claim in of_kind(docs, "PersistentVolumeClaim")
    assert pod["securityContext"]["runAsNonRoot"] is True


def secret_references(doc: Manifest) -> set[str]:
    """The names of the Secrets an object reads (secretKeyRef, secretTargetRef, a
    MongoDB user's password)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("secretKeyRef", "passwordSecretRef"):
                if isinstance(node.get(key), dict):
                    found.add(node[key]["name"])
            if "parameter" in node and "name" in node and "key" in node:  # secretTargetRef
                found.add(node["name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return found


def test_the_guide_lists_every_secret_operators_create() -> None:
    docs = render("production")
    guide = (ROOT / "docs" / "operations.md").read_text()
    made_by_controllers = {f"{name}-user-credentials" for name in of_kind(docs, "User")} | {
        user["connectionStringSecretName"]
        for mongo in of_kind(docs, "MongoDBCommunity").values()
        for user in mongo["spec"]["users"]
    }
    for doc in docs:
        for name in secret_references(doc) - made_by_controllers:
            generic = re.sub(
                r"^pesnet-mongodb-[a-z]+-password$", "pesnet-mongodb-<user>-password", name
            )
            assert f"`{generic}`" in guide, f"docs/operations.md does not say who creates {name}"
    for name in made_by_controllers:
        generic = re.sub(
            r"^pesnet-(\w+)-user-credentials$", "pesnet-<service>-user-credentials", name
        )
        generic = re.sub(r"^pesnet-mongodb-\w+$", "pesnet-mongodb-<user>", generic)
        assert generic in guide or f"`{name}`" in guide, name
