"""A generated service as a container image: build it, run it, read what the engine says.

Everything framework-specific comes from the generated files (``.env.example`` says which
settings production requires, the Makefile's ``docker-run`` which ones it forwards), like the
e2e harness, so a new template is covered by adding it to ``copier.yml``.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.containers.engine import LABEL, SERVICE_LABEL, Engine, EngineError
from tests.e2e.harness import GeneratedService, free_port

#: Image size and build time per ``framework-db``, printed at the end of the run (conftest.py).
REPORT: dict[str, dict[str, float]] = {}

#: The port the container is told to listen on (not the image's 8000, to prove PORT is read).
CONTAINER_PORT = 8080
#: The PostgreSQL password of the run: random, as production settings refuse well-known ones
#: (compose.yaml reads it from POSTGRES_PASSWORD, as its users set it).
DB_PASSWORD = secrets.token_hex(16)


def database_url(host: str) -> str:
    """The URL of the ``service`` database of the postgres stand-in named ``host``."""
    return f"postgresql://postgres:{DB_PASSWORD}@{host}:5432/service"


class ContainerService(GeneratedService):
    """A generated service whose Docker image these tests build and run."""

    @property
    def name(self) -> str:
        return f"ct-{self.framework}-{self.db}"

    @property
    def image(self) -> str:
        # compose.yaml names the app's image `<name>:latest`, so compose reuses this build.
        return f"{self.name}:latest"

    def build(self, engine: Engine) -> float:
        """``docker build`` the generated Dockerfile as it is; return the seconds it took."""
        started = time.monotonic()
        engine.docker(
            "build", "-q", "--label", f"{SERVICE_LABEL}={self.framework}-{self.db}",
            "-t", self.image, ".", cwd=self.path, timeout=1200,
        )  # fmt: skip
        return time.monotonic() - started

    def run_settings(self, database_url: str | None) -> dict[str, str]:
        """Production settings for ``docker run``: what `.env.example` marks required in
        production, and what the Makefile's docker-run forwards from the environment."""
        example = dict(
            line.split("=", 1)
            for line in (self.path / ".env.example").read_text().splitlines()
            if "=" in line and not line.startswith("#")
        )
        settings: dict[str, str] = {}
        makefile = (self.path / "Makefile").read_text()
        run_args = re.search(r"^DOCKER_RUN_ARGS \?=(.*)$", makefile, re.MULTILINE)
        for forwarded in re.findall(r"-e ([A-Z_]+)(?=\s|$)", run_args.group(1) if run_args else ""):
            settings[forwarded] = example.get(forwarded, "")
        for required in self.settings_required_in_production():
            if required == "DATABASE_URL":
                assert database_url, "the service requires a database but none was started"
                settings[required] = database_url
            else:
                settings[required] = secrets.token_hex(32)
        return settings


@dataclass
class Container:
    """A container of the private engine, inspected through ``docker inspect``."""

    engine: Engine
    id: str
    url: str = ""
    extra: list[str] = field(default_factory=list)

    def inspect(self) -> dict[str, Any]:
        data: list[dict[str, Any]] = json.loads(self.engine.docker("inspect", self.id).stdout)
        return data[0]

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.inspect()["State"]
        return state

    def health(self) -> str:
        health = self.state().get("Health") or {}
        return str(health.get("Status", "none"))

    def logs(self) -> str:
        done = self.engine.docker("logs", "--tail", "60", self.id, check=False)
        return done.stdout + done.stderr

    def wait_healthy(self, timeout: float = 90) -> float:
        """Wait until the engine's own HEALTHCHECK says healthy; return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            state = self.state()
            if not state["Running"]:
                raise AssertionError(f"the container exited ({state['ExitCode']}):\n{self.logs()}")
            if self.health() == "healthy":
                return time.monotonic() - started
            time.sleep(1)
        raise AssertionError(
            f"not healthy within {timeout}s (health: {self.health()}):\n"
            f"{json.dumps(self.state().get('Health'), indent=1)[-2000:]}\n{self.logs()}"
        )

    def exec(self, *command: str) -> str:
        return self.engine.docker("exec", self.id, *command).stdout

    def remove(self) -> None:
        self.engine.docker("rm", "-f", "-v", self.id, *self.extra, check=False)


@contextlib.contextmanager
def network(engine: Engine, name: str) -> Iterator[str]:
    """A labelled user-defined bridge network (container names resolve on it)."""
    engine.docker("network", "create", "--label", LABEL, name)
    try:
        yield name
    finally:
        engine.docker("network", "rm", name, check=False)


def run_postgres(engine: Engine, name: str, net: str) -> Container:
    """The postgres:16 stand-in on ``net`` as ``name``, waited for until its cluster answers."""
    cid = engine.docker(
        "run", "-d", "--label", LABEL, "--name", name, "--network", net,
        "-e", "POSTGRES_USER=postgres", "-e", f"POSTGRES_PASSWORD={DB_PASSWORD}",
        "-e", "POSTGRES_DB=service", "postgres:16",
    ).stdout.strip()  # fmt: skip
    container = Container(engine, cid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready = engine.docker("exec", cid, "pg_isready", "-q", "-d", "service", check=False)
        if ready.returncode == 0:
            return container
        time.sleep(0.5)
    container.remove()
    raise EngineError(f"the postgres stand-in did not become ready:\n{container.logs()}")


def run_service(engine: Engine, service: ContainerService, settings: dict[str, str],
                net: str | None) -> Container:  # fmt: skip
    """``docker run`` the service's image with HOST/PORT and its production settings."""
    env_args = [arg for key, value in settings.items() for arg in ("-e", f"{key}={value}")]
    cid = engine.docker(
        "run", "-d", "--label", LABEL, "--name", f"{service.name}-run",
        *(["--network", net] if net else []),
        "-e", "HOST=0.0.0.0", "-e", f"PORT={CONTAINER_PORT}", *env_args,
        "-p", f"127.0.0.1:{free_port()}:{CONTAINER_PORT}", service.image,
    ).stdout.strip()  # fmt: skip
    container = Container(engine, cid)
    ports = container.inspect()["NetworkSettings"]["Ports"]
    host_port = ports[f"{CONTAINER_PORT}/tcp"][0]["HostPort"]
    container.url = f"http://127.0.0.1:{host_port}"
    return container


def get(url: str, timeout: float = 30) -> httpx.Response:
    """GET that retries only while the published port is not yet forwarding."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def health_events(engine: Engine, since: float, names: list[str]) -> list[tuple[int, str, str]]:
    """(time in ns, container name, status) of the start and health events since ``since``."""
    done = engine.docker(
        "events", "--since", f"{since:.3f}", "--until", f"{time.time():.3f}",
        "--filter", "event=start", "--filter", "event=health_status",
        *[arg for name in names for arg in ("--filter", f"container={name}")],
        "--format", "{{.TimeNano}}\t{{.Actor.Attributes.name}}\t{{.Status}}",
    )  # fmt: skip
    events = []
    for line in done.stdout.splitlines():
        nanos, name, status = line.split("\t")
        events.append((int(nanos), name, status))
    return sorted(events)


def sizes_table() -> str:
    """Image size and build time per framework and database, for the terminal summary."""
    lines = [f"{'service image':<22}{'size (MB)':>10}{'build (s)':>11}"]
    for key in sorted(REPORT):
        row = REPORT[key]
        lines.append(f"{key:<22}{row['size'] / 1e6:>10.1f}{row['build_s']:>11.0f}")
    return "\n".join(lines)


def image_size(engine: Engine, image: str) -> int:
    return int(engine.docker("image", "inspect", image, "--format", "{{.Size}}").stdout)


def compose_containers(engine: Engine, project: str) -> dict[str, str]:
    """service name -> container name of a compose project (v1 names: project_service_1)."""
    done = engine.docker(
        "ps", "-a", "--filter", f"label=com.docker.compose.project={project}",
        "--format", '{{.Names}}\t{{.Label "com.docker.compose.service"}}',
    )  # fmt: skip
    found: dict[str, str] = {}
    for line in done.stdout.splitlines():
        name, service = line.split("\t")
        found[service] = name
    return found
