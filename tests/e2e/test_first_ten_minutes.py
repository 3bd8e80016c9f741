"""The "First ten minutes" of every service's README, run exactly as written.

The commands are read from the README's shell blocks in that section, not restated here, so the
README cannot drift from what works. They run in a fresh clone of the generated service (the
clone is what a newcomer has: no .venv, no .env), with only two interventions a reader makes
too: ``<repository-url>`` is the service's own repository, and with a database
``DATABASE_URL`` names a fresh one on the harness's server (the README's prerequisite).
``make dev`` runs in the background on a free port until ``/docs`` answers 200, then is stopped
by the pid of the process group it was started in.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.harness import GeneratedService, free_port

SECTION = "First ten minutes"
PLACEHOLDER = "<repository-url>"


def first_ten_minutes(readme: str) -> list[str]:
    """The commands of the README's "First ten minutes" shell blocks, comments removed."""
    match = re.search(rf"^## {SECTION}\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
    assert match, f"the README has no '## {SECTION}' section"
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", match.group(1), re.MULTILINE | re.DOTALL):
        for line in block.splitlines():
            command = line.split(" #", 1)[0].strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def test_readme_starts_with_first_ten_minutes(service: GeneratedService) -> None:
    readme = (service.path / "README.md").read_text()
    sections = re.findall(r"^## (.+)$", readme, re.MULTILINE)
    assert sections[0] == SECTION
    commands = first_ten_minutes(readme)
    assert commands[0].startswith(f"git clone {PLACEHOLDER}")
    for step in ("make install", "make dev", "make test"):
        assert step in commands, commands
    assert "/docs" in readme.split("## ", 2)[1]


def _wait_for_docs(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make dev exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer 200 within {timeout}s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM make's process group (make, the reloader, the server), SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait(timeout=10)


def test_first_ten_minutes_run_as_written(
    service: GeneratedService, tmp_path_factory: pytest.TempPathFactory
) -> None:
    commands = first_ten_minutes((service.path / "README.md").read_text())
    port = free_port()
    extra = {"HOST": "127.0.0.1", "PORT": str(port)}
    if service.db == "postgres":
        # The README's prerequisite, a reachable PostgreSQL: the database tests must not skip.
        extra["DATABASE_URL"] = service.create_database()
        extra["REQUIRE_DATABASE"] = "1"
    env = service.env(**extra)
    cwd = tmp_path_factory.mktemp(f"newcomer-{service.framework}-{service.db}")
    ran: list[str] = []
    for command in commands:
        argv = shlex.split(command.replace(PLACEHOLDER, shlex.quote(str(service.path))))
        if argv[0] == "cd":
            cwd = cwd / argv[1]
            assert cwd.is_dir(), f"`{command}`: no such directory after {ran}"
        elif argv == ["make", "dev"]:
            assert not (cwd / ".env").exists(), "a fresh clone must not carry .env"
            log = cwd.parent / "make-dev.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True,
                )  # fmt: skip
            try:
                _wait_for_docs(process, f"http://127.0.0.1:{port}/docs", log, timeout=120)
            finally:
                _stop(process)
            assert (cwd / ".env").read_text() == (cwd / ".env.example").read_text()
        else:
            completed = subprocess.run(
                argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, text=True, timeout=900, check=False,
            )  # fmt: skip
            assert completed.returncode == 0, f"`{command}` failed:\n{completed.stdout[-4000:]}"
        ran.append(command)
    assert "make test" in ran
