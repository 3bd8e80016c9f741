"""Every generated service's container, built and run by a real engine.

For each framework x database of copier.yml: ``docker build`` of the generated Dockerfile as it
is; ``docker run`` with HOST/PORT and the production settings the service documents; the
engine's own HEALTHCHECK must report ``healthy``; the contract's probes answer; every process
runs as the image's unprivileged numeric user; ``docker stop`` ends it with exit code 0 within
the grace period. Then ``docker-compose up -d`` of the generated compose.yaml: with PostgreSQL,
the service starts only once the database is healthy, is ready, and keeps an item written
through its API in that database; ``down -v`` removes it all. Last, the image runs under the
constraints its Kubernetes pod sets (read-only root, tmpfs /tmp, uid 10001, no capabilities,
no privilege escalation), with the pod's settings, after the migration Job's command.

Images are built one at a time (the stage runs without xdist) and the size of each is printed
at the end of the run.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.containers import service as svc
from tests.containers.engine import LABEL, Engine
from tests.e2e.conftest import MATRIX, _svcgen
from tests.e2e.harness import free_port

#: The image's user (templates/_shared/Dockerfile.jinja).
APP_UID = 10001
#: ``docker stop``'s grace period; the contract asks for an exit within 10 s of SIGTERM.
STOP_GRACE_S = 10
#: What the pod's securityContext and its /tmp emptyDir (deploy/kubernetes/base/) impose.
POD_CONSTRAINTS = (
    "--read-only", "--tmpfs", "/tmp:rw,nosuid,nodev,size=64m", "--user", f"{APP_UID}:{APP_UID}",
    "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
)  # fmt: skip
#: A final image stays small: a slim base and the virtualenv, no compilers and no caches.
MAX_IMAGE_MB = 400


@pytest.fixture(
    scope="session",
    params=[pytest.param(combo, id=f"{combo[0]}-{combo[1]}") for combo in MATRIX],
)
def built(
    request: pytest.FixtureRequest, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> svc.ContainerService:
    """The generated service with its image built (`<name>:latest`, as compose.yaml names it)."""
    framework, db = request.param
    service = svc.ContainerService(
        framework, db, tmp_path_factory.mktemp(f"ct-{framework}-{db}"), _svcgen()
    )
    service.generate().check()
    build_s = service.build(engine)
    svc.REPORT[f"{framework}-{db}"] = {
        "size": svc.image_size(engine, service.image),
        "build_s": build_s,
    }
    return service


@pytest.fixture(scope="session")
def container(built: svc.ContainerService, engine: Engine) -> Iterator[svc.Container]:
    """The image under ``docker run`` (beside a PostgreSQL container when it needs one)."""
    with contextlib.ExitStack() as stack:
        database_url = None
        net = None
        if built.db == "postgres":
            net = stack.enter_context(svc.network(engine, f"{built.name}-net"))
            database = svc.run_postgres(engine, f"{built.name}-db", net)
            stack.callback(database.remove)
            database_url = svc.database_url(f"{built.name}-db")
        running = svc.run_service(engine, built, built.run_settings(database_url), net)
        stack.callback(running.remove)
        yield running


def test_image_is_small_and_clean(built: svc.ContainerService, engine: Engine) -> None:
    """The final stage holds the virtualenv on the slim base: no compiler, no pip cache."""
    size_mb = svc.REPORT[f"{built.framework}-{built.db}"]["size"] / 1e6
    found = engine.docker(
        "run", "--rm", "--entrypoint", "sh", built.image, "-c",
        "for tool in gcc cc make; do command -v $tool; done;"
        " ls -d /root/.cache/pip /tmp/* /build 2>/dev/null; python --version",
        check=False,
    ).stdout  # fmt: skip
    *leftovers, version = found.strip().splitlines()
    print(f"{built.image}: {size_mb:.1f} MB, {version} (stand-in base)")
    assert not leftovers, f"the runtime image carries build leftovers: {leftovers}"
    assert size_mb < MAX_IMAGE_MB, f"{built.image} is {size_mb:.0f} MB"


def test_container_becomes_healthy(container: svc.Container) -> None:
    """The image's own HEALTHCHECK (probing PORT, here not 8000) reports healthy."""
    seconds = container.wait_healthy()
    print(f"healthy after {seconds:.0f}s")


def test_container_serves_probes(container: svc.Container) -> None:
    container.wait_healthy()
    live = svc.get(f"{container.url}/health/live")
    assert live.status_code == 200, live.text
    assert live.json() == {"status": "ok"}
    ready = svc.get(f"{container.url}/health/ready")
    assert ready.status_code == 200, f"{ready.text}\n{container.logs()}"
    assert ready.json()["status"] == "ok"
    document = svc.get(f"{container.url}/openapi.json")
    assert document.status_code == 200, document.text
    assert document.json()["openapi"].startswith("3.")
    assert "/items" in document.json()["paths"]


def test_container_runs_as_unprivileged_user(container: svc.Container) -> None:
    """Every process in the container (server and workers) has the image's numeric uid/gid."""
    container.wait_healthy()
    assert container.inspect()["Config"]["User"] == f"{APP_UID}:{APP_UID}"
    status = container.exec("sh", "-c", "grep -H '^[UG]id:' /proc/[0-9]*/status")
    by_pid: dict[str, list[str]] = {}
    for line in status.splitlines():
        path, _, ids = line.partition(":")
        by_pid.setdefault(path.split("/")[2], []).append(ids)
    assert "1" in by_pid, f"no PID 1 in the container's /proc:\n{status}"
    for pid, lines in by_pid.items():
        for ids in lines:
            # "Uid:\treal effective saved filesystem" (likewise Gid).
            assert set(ids.split()[1:]) == {str(APP_UID)}, f"process {pid}: {ids}"


def test_container_stops_cleanly(container: svc.Container, engine: Engine) -> None:
    """``docker stop`` (SIGTERM, then SIGKILL after the grace period) ends with exit code 0."""
    container.wait_healthy()
    started = time.monotonic()
    engine.docker("stop", "-t", str(STOP_GRACE_S), container.id, timeout=STOP_GRACE_S + 30)
    seconds = time.monotonic() - started
    state = container.state()
    print(f"stopped in {seconds:.1f}s with exit code {state['ExitCode']}")
    assert state["ExitCode"] == 0, f"exit code {state['ExitCode']}:\n{container.logs()}"
    assert not state["OOMKilled"]
    assert seconds < STOP_GRACE_S, f"took {seconds:.1f}s: killed at the end of the grace period"


def test_compose_up(built: svc.ContainerService, engine: Engine) -> None:
    """``docker-compose up -d`` of the generated compose.yaml, healthy and ready; ``down -v``.

    With PostgreSQL, the app container starts only after the database reported healthy, and an
    item written through the API is read back, and found in the database itself.
    """
    project = built.path.name  # compose names the project after its directory
    port = free_port()
    # What its README tells a user to set: compose.yaml holds no database password.
    env = {"PORT": str(port), "POSTGRES_PASSWORD": svc.DB_PASSWORD}
    since = time.time() - 1
    try:
        up = engine.compose(built.path, "up", "-d", "--no-build", timeout=300, **env)
        assert up.returncode == 0
        names = svc.compose_containers(engine, project)
        app = svc.Container(engine, names["app"], url=f"http://127.0.0.1:{port}")
        app.wait_healthy()
        if built.db == "postgres":
            events = svc.health_events(engine, since, list(names.values()))
            db_healthy = [
                t for t, name, s in events if name == names["postgres"] and s.endswith(": healthy")
            ]
            app_started = [t for t, name, s in events if name == names["app"] and s == "start"]
            assert db_healthy, f"the database never reported healthy: {events}"
            assert app_started, events
            assert app_started[0] > db_healthy[0], (
                f"the app started before the database was healthy: {events}"
            )

        ready = svc.get(f"{app.url}/health/ready")
        assert ready.status_code == 200, f"{ready.text}\n{app.logs()}"
        expected_checks = {"database": "ok"} if built.db == "postgres" else {}
        assert ready.json() == {"status": "ok", "checks": expected_checks}

        name = f"container-{uuid.uuid4().hex[:8]}"
        created = httpx.post(
            f"{app.url}/items", json={"name": name, "description": None}, timeout=10
        )
        assert created.status_code == 201, created.text
        read = svc.get(f"{app.url}/items/{created.json()['id']}")
        assert read.status_code == 200
        assert read.json() == created.json()
        if built.db == "postgres":
            stored = engine.compose(
                built.path, "exec", "-T", "postgres", "psql", "-U", "postgres", "-d", built.package,
                "-tAc", "select name from items", **env,
            ).stdout  # fmt: skip
            assert name in stored.split(), f"the item is not in PostgreSQL: {stored!r}"
    finally:
        down = engine.compose(built.path, "down", "-v", timeout=120, check=False, **env)
    assert down.returncode == 0, down.stdout + down.stderr
    left = engine.docker("ps", "-aq", "--filter", f"label=com.docker.compose.project={project}")
    assert left.stdout.strip() == "", "containers left after down -v"
    volumes = engine.docker(
        "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={project}"
    )
    assert volumes.stdout.strip() == "", "volumes left after down -v"


def _pod_settings(built: svc.ContainerService, database_url: str | None) -> dict[str, str]:
    """The environment the Deployment gives the pod: the ConfigMap's settings.env, the Secret's
    keys (what .env.example marks required in production) and MIGRATE_ON_START=false."""
    settings_env = built.path / "deploy" / "kubernetes" / "base" / "settings.env"
    settings = dict(
        line.split("=", 1)
        for line in settings_env.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    for key, value in built.run_settings(database_url).items():
        if key in built.settings_required_in_production():
            settings[key] = value
    if built.db == "postgres":
        settings["MIGRATE_ON_START"] = "false"
    return settings


def test_serves_under_pod_constraints(built: svc.ContainerService, engine: Engine) -> None:
    """The image runs as its Kubernetes pod runs it: read-only root file system, a tmpfs /tmp,
    uid 10001, every capability dropped, no privilege escalation, the pod's settings. With
    PostgreSQL the migration Job's command runs first, under the same constraints, and the
    service then stores an item in the migrated database."""
    with contextlib.ExitStack() as stack:
        net = None
        database_url = None
        if built.db == "postgres":
            net = stack.enter_context(svc.network(engine, f"{built.name}-pod-net"))
            database = svc.run_postgres(engine, f"{built.name}-pod-db", net)
            stack.callback(database.remove)
            database_url = svc.database_url(f"{built.name}-pod-db")
        settings = _pod_settings(built, database_url)
        env_args = [arg for key, value in settings.items() for arg in ("-e", f"{key}={value}")]
        network_args = ["--network", net] if net else []
        if built.db == "postgres":
            migrate = engine.docker(
                "run", "--rm", "--label", LABEL, *POD_CONSTRAINTS,
                *network_args, *env_args, built.image, "python", "-m", built.package, "migrate",
                check=False, timeout=120,
            )  # fmt: skip
            assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        port = settings["PORT"]
        cid = engine.docker(
            "run", "-d", "--label", LABEL, "--name", f"{built.name}-pod",
            *POD_CONSTRAINTS, *network_args, *env_args,
            "-p", f"127.0.0.1:{free_port()}:{port}", built.image,
        ).stdout.strip()  # fmt: skip
        pod = svc.Container(engine, cid)
        stack.callback(pod.remove)
        host_port = pod.inspect()["NetworkSettings"]["Ports"][f"{port}/tcp"][0]["HostPort"]
        pod.url = f"http://127.0.0.1:{host_port}"
        pod.wait_healthy()
        assert pod.inspect()["HostConfig"]["ReadonlyRootfs"] is True
        for path in ("/health/live", "/health/ready"):
            answer = svc.get(f"{pod.url}{path}")
            assert answer.status_code == 200, f"{path}: {answer.text}\n{pod.logs()}"
        created = httpx.post(f"{pod.url}/items", json={"name": "pod", "description": None})
        assert created.status_code == 201, f"{created.text}\n{pod.logs()}"
        # The Deployment's preStop hook runs `sleep` inside this container.
        pod.exec("sleep", "0")
        started = time.monotonic()
        engine.docker("stop", "-t", str(STOP_GRACE_S), cid, timeout=STOP_GRACE_S + 30)
        assert pod.state()["ExitCode"] == 0, pod.logs()
        assert time.monotonic() - started < STOP_GRACE_S
        errors = [line for line in pod.logs().splitlines() if "Read-only file system" in line]
        assert not errors, "\n".join(errors)
