"""``svcgen update --all``: a directory of services updated in parallel, each on its own.

The services are copies of one made at the first release of a fork
(:mod:`tests.e2e.release_history`), updated by the development svcgen of its second release.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.release_history import RELEASE_LINE, V1, V2, Fork, git, make_fork

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fleet")]


@pytest.fixture(scope="module")
def fork(tmp_path_factory: pytest.TempPathFactory) -> Fork:
    return make_fork(tmp_path_factory.mktemp("fleet"))


def _fleet(fork: Fork, root: Path, names: list[str]) -> dict[str, Path]:
    services = {}
    for name in names:
        services[name] = root / name
        shutil.copytree(fork.services["v1"], services[name], symlinks=True)
    return services


def _commit(service: Path, message: str) -> None:
    git("add", "-A", cwd=service)
    git("commit", "-qm", message, cwd=service)


def test_update_all_in_parallel_reports_every_service(fork: Fork, tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    services = _fleet(fork, fleet, ["a-clean", "b-conflict", "c-no-git", "d-clean"])
    env = services["b-conflict"] / ".env.example"
    env.write_text(env.read_text() + "# the owner's own last line\n")
    _commit(services["b-conflict"], "Owner's setting")
    shutil.rmtree(services["c-no-git"] / ".git")
    result = fork.svcgen("update", "--all", str(fleet), "-j", "2", "--json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    rows = {Path(row["path"]).name: row for row in report["services"]}
    assert report["jobs"] == 2
    assert {name: row["result"] for name, row in rows.items()} == {
        "a-clean": "updated",
        "b-conflict": "conflicts",
        "c-no-git": "failed",
        "d-clean": "updated",
    }
    assert rows["b-conflict"]["conflicts"] == [".env.example"]
    assert "not in a git repository" in rows["c-no-git"]["error"]
    for name in ("a-clean", "d-clean"):
        assert (rows[name]["from"], rows[name]["to"], rows[name]["exit_code"]) == (
            f"v{V1}",
            f"v{V2}",
            0,
        )
        assert (services[name] / ".env.example").read_text().endswith(RELEASE_LINE)


def test_update_all_prints_a_table_and_a_verdict(fork: Fork, tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    services = _fleet(fork, fleet, ["one", "two"])
    shutil.rmtree(services["two"] / ".git")
    result = fork.svcgen("update", "--all", str(fleet), "-j", "2", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SERVICE", "RESULT", "VERSION", "CHECKS", "DETAIL"]
    assert any(line.split()[:2] == ["svc", "updated"] for line in lines)
    # A service refused before its answers were read is named by its directory.
    assert any(line.split()[:2] == ["two", "failed"] for line in lines)
    assert "2 service(s) in" in lines[-1]
    assert "1 fine, 1 need a human (exit 1)" in lines[-1]
    # Without a terminal, progress is one plain line per service, on stderr.
    progress = [line.split(":")[0].split() for line in result.stderr.splitlines()]
    assert sorted(step for step, _ in progress) == ["[1/2]", "[2/2]"]
    assert sorted(verdict for _, verdict in progress) == ["failed", "updated"]


def test_update_all_shows_a_live_progress_line_on_a_terminal(fork: Fork, tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    _fleet(fork, fleet, ["one", "two"])
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "scaffold", "update", "--all", str(fleet), "--plan", "-j", "2"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(fork.repo / "src")},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
            timeout=600,
            check=False,
        )
        os.close(terminal)
        terminal = -1
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if terminal != -1:
            os.close(terminal)
        os.close(controller)
    assert done.returncode == 0, done.stdout
    assert b"\r\x1b[K[1/2] planned: " in seen
    assert b"\r\x1b[K[2/2] planned: " in seen
    assert "planned" in done.stdout


def test_verify_runs_each_services_own_checks_and_leaves_the_tree(
    fork: Fork, tmp_path: Path
) -> None:
    fleet = tmp_path / "fleet"
    services = _fleet(fork, fleet, ["passes", "fails"])
    for name, recipe in (("passes", "@echo own-checks-pass"), ("fails", "@echo broken; exit 1")):
        makefile = services[name] / "Makefile"
        text = makefile.read_text()
        line = next(x for x in text.splitlines() if x.startswith("check:"))
        makefile.write_text(text.replace(line, f"check: ## The owner's own checks\n\t{recipe}"))
        (services[name] / ".venv").mkdir()  # the owner's environment, already installed
        _commit(services[name], "Owner's check target")
    result = fork.svcgen("update", "--all", str(fleet), "--verify", "--json", cwd=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    rows = {Path(row["path"]).name: row for row in json.loads(result.stdout)["services"]}
    assert (rows["passes"]["result"], rows["passes"]["exit_code"]) == ("updated", 0)
    assert rows["passes"]["verify"]["passed"] is True
    assert rows["passes"]["verify"]["command"] == "make check"
    assert (rows["fails"]["result"], rows["fails"]["exit_code"]) == ("checks failed", 3)
    assert "broken" in rows["fails"]["verify"]["output"]
    for service in services.values():  # left for review, not committed
        assert ".env.example" in git("status", "--porcelain", cwd=service)
    single = fork.svcgen("update", str(services["fails"]), "--verify", cwd=tmp_path)
    assert single.returncode == 1  # uncommitted changes from the first run: refused
