"""svcgen's own install: README.md's quick start and .ci/run install the same way, from uv.lock.

The quick start must stay one command that a fresh machine can run, and CI must run exactly its
install, so the install steps of both are compared here, as is the uv they bootstrap with the uv
that uv.lock pins (a newer uv would otherwise replace it mid-install).
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from tests.checkout import uv

ROOT = Path(__file__).resolve().parents[2]


def _quick_start_install() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"^```sh\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert block, "README.md's quick start has no sh block"
    (command,) = block.group(1).strip().splitlines()
    steps = [step.strip() for step in command.split("&&")]
    assert steps[-1].startswith(".venv/bin/svcgen new "), steps
    return steps[:-1]


def _ci_install() -> list[str]:
    script = (ROOT / ".ci" / "run").read_text()
    section = script.split('echo "== install"\n', 1)[1].split("export PATH=", 1)[0]
    return [line for line in section.splitlines() if line and not line.startswith("#")]


def test_quick_start_installs_as_ci_does() -> None:
    quick_start = _quick_start_install()
    assert quick_start == _ci_install()
    assert any(re.match(r"\.venv/bin/uv sync .*--locked", step) for step in quick_start)
    assert any("compileall" in step for step in quick_start), "the install must byte-compile"


def test_bootstrapped_uv_is_the_locked_one() -> None:
    (pinned,) = {
        match for step in _quick_start_install() for match in re.findall(r"\buv==([\w.]+)", step)
    }
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = {package["name"]: package.get("version") for package in lock["package"]}
    assert locked["uv"] == pinned, (
        f"the install bootstraps uv {pinned}, uv.lock pins {locked['uv']}"
    )


def test_lock_matches_pyproject() -> None:
    """What `uv sync --locked` checks first, offline: the lock was refreshed after every edit."""
    checked = subprocess.run(
        [uv(), "lock", "--check", "--offline"], cwd=ROOT, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert checked.returncode == 0, f"uv.lock is stale: run `uv lock`\n{checked.stderr}"
