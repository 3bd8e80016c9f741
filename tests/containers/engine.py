"""A private Docker engine and the stand-in base images the generated Dockerfiles need.

No engine runs on the CI machine and no image registry is reachable from it, so this module:

- installs Debian's ``docker.io``, ``docker-compose`` and ``debootstrap`` when they are missing
  (root and apt-get required; :func:`unavailable_reason` says in one line why not otherwise);
- starts ``dockerd`` on its own socket (:data:`SOCKET`) and data root (:data:`DATA_ROOT`),
  recording its pid, so that it never touches another engine and is stopped by that pid only;
- builds stand-ins for the ``python:<version>-slim-<debian>`` tags the generated Dockerfiles
  pin and ``postgres:16`` from a Debian root file
  system made by ``debootstrap --variant=minbase``, imported once. The data root persists, so a
  second run on the same machine finds the images (labelled with a digest of their inputs) and
  skips debootstrap and the builds.

Command line, used by ``.ci/run`` around the container stage::

    python -m tests.containers.engine start     # install, start dockerd, prepare the images
    python -m tests.containers.engine stop      # remove test containers, stop dockerd by its pid
    python -m tests.containers.engine sizes     # the built service images' sizes, side by side
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

#: The engine's socket, data root (persistent: it caches the base images) and state files.
SOCKET = Path(os.environ.get("SVCGEN_DOCKER_SOCKET", "/run/svcgen-docker.sock"))
DATA_ROOT = Path(os.environ.get("SVCGEN_DOCKER_DATA_ROOT", "/var/lib/svcgen-docker"))
EXEC_ROOT = Path("/run/svcgen-docker-exec")
PIDFILE = Path("/run/svcgen-docker.pid")
LOG = DATA_ROOT.with_name("svcgen-docker.log")
HOST = f"unix://{SOCKET}"

#: Every container and network the tests create carries this label, so teardown finds them all.
LABEL = "svcgen.tests=containers"
#: The images built from generated services carry this label (``sizes`` lists them).
SERVICE_LABEL = "svcgen.tests.service"

IMAGES_DIR = Path(__file__).resolve().parent / "images"
BASE_IMAGE = "svcgen-standin/debian:bookworm"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = os.environ.get("SVCGEN_DEBIAN_MIRROR", "http://deb.debian.org/debian")
#: The template's shared Dockerfile, whose ``python_images`` names the base image of each Python.
SHARED_DOCKERFILE = Path(__file__).resolve().parents[2] / "templates/_shared/Dockerfile.jinja"


def python_image_tags() -> list[str]:
    """The ``python:`` tags the generated Dockerfiles pin, read from the template itself.

    Debian bookworm's interpreter is 3.11; one stand-in serves every tag (the generated services
    require Python >= 3.11), and the tests print the interpreter each image really has.
    """
    text = SHARED_DOCKERFILE.read_text()
    start = text.index("python_images = {")
    mapping = text[start + len("python_images = ") : text.index("}", start) + 1]
    tags = sorted(set(json.loads(mapping).values()))
    if not tags:
        raise EngineError(f"no python_images in {SHARED_DOCKERFILE}")
    return [f"python:{tag}" for tag in tags]


POSTGRES_TAG = "16"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
TOOLS = {"dockerd": "docker.io", "docker-compose": "docker-compose", "debootstrap": "debootstrap"}


class EngineError(RuntimeError):
    """The engine could not be installed, started or prepared (a failure, not a skip)."""


def docker_cli() -> str:
    """The docker client shipped with the daemon (another one on PATH may not match its API)."""
    packaged = Path("/usr/bin/docker")
    return str(packaged) if packaged.exists() else (shutil.which("docker") or "docker")


def unavailable_reason() -> str | None:
    """One line saying why this machine cannot run the container tests, or None when it can."""
    if not sys.platform.startswith("linux"):
        return "the container tests run their own dockerd, which needs Linux"
    if os.geteuid() != 0:
        return "the container tests start their own dockerd and need root"
    missing = [pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None]
    if missing and shutil.which("apt-get") is None:
        return f"{', '.join(missing)} not installed and no apt-get to install them"
    return None


def install_tools() -> None:
    """apt-get install whatever of docker.io, docker-compose and debootstrap is missing."""
    missing = [pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None]
    if not missing:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *missing]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise EngineError(f"`{' '.join(command)}` failed:\n{done.stdout}{done.stderr}")


@dataclass
class Engine:
    """The private dockerd: start, stop (by recorded pid), and run docker/docker-compose on it."""

    host: str = HOST

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env.update(DOCKER_HOST=self.host, DOCKER_BUILDKIT="0", COMPOSE_DOCKER_CLI_BUILD="0")
        return env

    def docker(
        self, *args: str, timeout: float = 600, check: bool = True, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self._run([docker_cli(), *args], timeout, check, cwd)

    def compose(
        self, project_dir: Path, *args: str, timeout: float = 600, check: bool = True, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return self._run(["docker-compose", "--no-ansi", *args], timeout, check, project_dir, env)

    def _run(
        self,
        command: list[str],
        timeout: float,
        check: bool,
        cwd: Path | None,
        extra_env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            command,
            cwd=cwd,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise EngineError(
                f"`{' '.join(command)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )
        return done

    def responding(self) -> bool:
        return (
            self.docker(
                "version", "--format", "{{.Server.Version}}", check=False, timeout=20
            ).returncode
            == 0
        )

    def start(self, timeout: float = 60) -> bool:
        """Start dockerd unless ours already answers; True when this call started it."""
        if self.responding():
            return False
        DATA_ROOT.mkdir(parents=True, exist_ok=True)
        EXEC_ROOT.mkdir(parents=True, exist_ok=True)
        with LOG.open("ab") as log:
            process = subprocess.Popen(
                [
                    "dockerd", "--host", self.host, "--data-root", str(DATA_ROOT),
                    "--exec-root", str(EXEC_ROOT), "--pidfile", str(PIDFILE),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise EngineError(f"dockerd exited with {process.returncode}; see {LOG}")
            if self.responding():
                return True
            time.sleep(0.5)
        raise EngineError(f"dockerd did not answer on {self.host} within {timeout}s; see {LOG}")

    def remove_test_objects(self) -> None:
        """Remove the containers and networks the tests (or compose) made, and left-over volumes."""
        if not self.responding():
            return
        ids = {
            cid
            for label in (LABEL, "com.docker.compose.project")
            for cid in self.docker(
                "ps", "-aq", "--filter", f"label={label}", check=False
            ).stdout.split()
        }
        if ids:
            self.docker("rm", "-f", "-v", *ids, check=False)
        for label in (LABEL, "com.docker.compose.project"):
            networks = self.docker("network", "ls", "-q", "--filter", f"label={label}", check=False)
            for network in networks.stdout.split():
                self.docker("network", "rm", network, check=False)
        # Only this test engine's data root is affected: no volume here outlives a test.
        self.docker("volume", "prune", "-f", check=False)

    def stop(self, timeout: float = 30) -> None:
        """Stop the dockerd recorded in :data:`PIDFILE` (SIGTERM, then SIGKILL) and wait for it."""
        try:
            pid = int(PIDFILE.read_text().strip())
        except (OSError, ValueError):
            return
        if not _is_dockerd(pid):
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _is_dockerd(pid):
            time.sleep(0.2)
        if _is_dockerd(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(FileNotFoundError):
            PIDFILE.unlink()

    # Stand-in base images ----------------------------------------------------------------------

    def image_label(self, image: str, label: str) -> str | None:
        done = self.docker(
            "image", "inspect", image, "--format", "{{json .Config.Labels}}", check=False
        )
        if done.returncode != 0:
            return None
        return (json.loads(done.stdout) or {}).get(label)

    def prepare_images(self, log: bool = True) -> None:
        """Make sure the base, python and postgres stand-ins exist and match their inputs."""
        say = print if log else (lambda *_: None)
        if self.image_label(BASE_IMAGE, "svcgen.standin") is None:
            started = time.monotonic()
            self._import_debian_base()
            say(
                f"containers: {BASE_IMAGE} made by debootstrap in {time.monotonic() - started:.0f}s"
            )
        with tempfile.TemporaryDirectory(prefix="svcgen-standin-") as tmp:
            context = Path(tmp)
            shutil.copy(IMAGES_DIR / "postgres-entrypoint.sh", context)
            shutil.copy(HOST_CA_BUNDLE if HOST_CA_BUNDLE.exists() else os.devnull,
                        context / "ca-certificates.crt")  # fmt: skip
            (context / "pip.conf").write_text(_image_pip_conf())
            for dockerfile, tags in (
                ("python.Dockerfile", python_image_tags()),
                ("postgres.Dockerfile", [f"postgres:{POSTGRES_TAG}"]),
            ):
                shutil.copy(IMAGES_DIR / dockerfile, context / "Dockerfile")
                digest = _digest(context)
                if all(self.image_label(tag, "svcgen.standin") == digest for tag in tags):
                    say(f"containers: {', '.join(tags)} cached")
                    continue
                started = time.monotonic()
                tag_args = [arg for tag in tags for arg in ("-t", tag)]
                self.docker("build", "-q", "--label", f"svcgen.standin={digest}", *tag_args,
                            str(context), timeout=1200)  # fmt: skip
                say(f"containers: {', '.join(tags)} built in {time.monotonic() - started:.0f}s")

    def _import_debian_base(self) -> None:
        with tempfile.TemporaryDirectory(prefix="svcgen-rootfs-", dir="/var/tmp") as tmp:
            rootfs = Path(tmp) / "rootfs"
            boot = subprocess.run(
                ["debootstrap", "--variant=minbase", DEBIAN_SUITE, str(rootfs), DEBIAN_MIRROR],
                capture_output=True, text=True, timeout=1200, check=False,
            )  # fmt: skip
            if boot.returncode != 0:
                raise EngineError(f"debootstrap failed:\n{boot.stdout[-3000:]}{boot.stderr}")
            for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
                for entry in (rootfs / leftover).glob("*"):
                    if entry.is_file():
                        entry.unlink()
            tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
            imported = subprocess.run(
                [docker_cli(), "import", "--change", "LABEL svcgen.standin=debootstrap",
                 "--change", 'CMD ["/bin/bash"]', "-", BASE_IMAGE],
                stdin=tar.stdout, env=self.env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert tar.stdout is not None
            tar.stdout.close()
            tar.wait()
            if imported.returncode != 0 or tar.returncode != 0:
                raise EngineError(f"docker import of the Debian base failed:\n{imported.stderr}")

    def service_image_sizes(self) -> dict[str, int]:
        """Size in bytes of each image built from a generated service, by its label value."""
        listed = self.docker("images", "--filter", f"label={SERVICE_LABEL}", "--format",
                             "{{.Repository}}:{{.Tag}}", check=False)  # fmt: skip
        sizes: dict[str, int] = {}
        for ref in listed.stdout.split():
            template = f'{{{{index .Config.Labels "{SERVICE_LABEL}"}}}} {{{{.Size}}}}'
            inspected = self.docker("image", "inspect", ref, "--format", template)
            key, size = inspected.stdout.split()
            sizes[key] = int(size)
        return sizes


def _image_pip_conf() -> str:
    """pip settings for builds: the host's CA bundle and index (file:// paths stay on the host)."""
    lines = ["[global]", "cert = /etc/ssl/certs/ca-certificates.crt", "timeout = 60"]
    for key in ("index-url", "extra-index-url"):
        urls = [
            url
            for value in _pip_config(f"global.{key}")
            for url in value.split()
            if url.startswith(("http://", "https://"))
        ]
        if urls:
            lines.append(f"{key} = {' '.join(urls)}")
    return "\n".join(lines) + "\n"


def _pip_config(key: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "config", "get", key],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return [done.stdout.strip()] if done.returncode == 0 and done.stdout.strip() else []


def _digest(context: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(context.iterdir()):
        sha.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()[:16]


def _is_dockerd(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "dockerd"
    except OSError:
        return False


def format_sizes(sizes: dict[str, int]) -> str:
    """A table of image sizes: one row per framework, one column per database choice."""
    rows: dict[str, dict[str, int]] = {}
    for key, size in sizes.items():
        framework, _, db = key.partition("-")
        rows.setdefault(framework, {})[db] = size
    dbs = sorted({db for row in rows.values() for db in row})
    lines = [f"{'image size (MB)':<16}" + "".join(f"{'db=' + db:>14}" for db in dbs)]
    for framework in sorted(rows):
        cells = "".join(
            f"{rows[framework][db] / 1e6:>14.1f}" if db in rows[framework] else f"{'-':>14}"
            for db in dbs
        )
        lines.append(f"{framework:<16}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.containers.engine", description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "sizes"])
    action = parser.parse_args(argv).action
    engine = Engine()
    if action == "start":
        reason = unavailable_reason()
        if reason:
            print(f"containers: skipped: {reason}")
            return 0
        install_tools()
        started = engine.start()
        print(f"containers: dockerd {'started' if started else 'already running'} on {engine.host}")
        engine.prepare_images()
    elif action == "stop":
        engine.remove_test_objects()
        engine.stop()
        print("containers: test containers removed, dockerd stopped")
    else:
        if not engine.responding():
            print(f"containers: no engine answers on {engine.host}", file=sys.stderr)
            return 1
        print(format_sizes(engine.service_image_sizes()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
