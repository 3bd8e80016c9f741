"""``svcgen doctor``: can this computer generate a service and run it?

A newcomer's first ``svcgen new`` should not stop halfway on a missing tool, so each thing the
path from ``svcgen new`` to ``make dev`` relies on is checked here, with the fix in one line:

- Python >= 3.11 for svcgen itself, and ``python3`` on PATH, which the service's ``make install``
  uses to create its virtualenv (the two can differ);
- git, and an identity to make the service's first commit with (without one the service is
  still generated, but not committed, and ``svcgen update`` needs that commit: a warning);
- make, which runs every documented step of a service;
- uv, which ``svcgen new`` locks the service's dependencies with (svcgen depends on it, so only
  a broken installation lacks it) and the service's ``make install`` installs them with;
- write access to the directory the service goes into;
- a container engine (docker or podman) whose daemon answers, only for ``make docker-build``
  and compose, so it is a warning, not a failure; a client without its daemon is no engine.

Tools are looked up on PATH and run with a short timeout; nothing is written but a temporary
file in the target directory, removed at once.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: The oldest Python svcgen and the services it generates support.
MIN_PYTHON = (3, 11)


@dataclass(frozen=True)
class Check:
    """One line of the doctor's table."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True

    @property
    def status(self) -> str:
        if self.ok:
            return "ok"
        return "MISSING" if self.required else "warning"


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=15, check=False, cwd=cwd
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def _version(text: str) -> str:
    found = re.search(r"\d+(\.\d+)+", text)
    return found.group(0) if found else text.strip()[:40]


def _python_check(name: str, shown: str, where: str, fix: str) -> Check:
    """A Python interpreter's version (``3.12.1``) against :data:`MIN_PYTHON`."""
    ok = tuple(int(part) for part in shown.split(".")) >= MIN_PYTHON
    return Check(name, ok, f"{shown} at {where}", "" if ok else fix)


def check_python() -> Check:
    need = ".".join(map(str, MIN_PYTHON))
    return _python_check(
        "python (svcgen)",
        ".".join(map(str, sys.version_info[:3])),
        sys.executable,
        f"install Python {need} or newer and reinstall svcgen with it",
    )


def check_python3_on_path() -> Check:
    """``make install`` runs ``python3 -m venv``: that interpreter must be new enough too."""
    need = ".".join(map(str, MIN_PYTHON))
    found = shutil.which("python3")
    if found is None:
        return Check(
            "python3 (make install)",
            False,
            "not on PATH",
            f"install Python {need}+ as `python3` on PATH, or run make PYTHON=/path/to/python",
        )
    probe = _run([found, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
    if probe is None or probe.returncode != 0:
        return Check("python3 (make install)", False, f"{found} does not run", "reinstall Python")
    return _python_check(
        "python3 (make install)",
        probe.stdout.strip(),
        found,
        f"put Python {need}+ first on PATH, or run make PYTHON=/path/to/python3.12",
    )


def check_git() -> Check:
    found = shutil.which("git")
    if found is None:
        return Check(
            "git", False, "not on PATH", "install git (e.g. `apt install git`, `brew install git`)"
        )
    probe = _run([found, "--version"])
    ok = probe is not None and probe.returncode == 0
    detail = _version(probe.stdout) if ok and probe else f"{found} does not run"
    return Check("git", ok, detail, "" if ok else "reinstall git")


def check_git_identity(target: Path) -> Check:
    """An identity for the first commit: git config (as seen from the target) or GIT_* env."""
    fix = (
        'git config --global user.name "Your Name" && '
        "git config --global user.email you@example.org"
    )
    if shutil.which("git") is None:
        return Check(
            "git identity",
            False,
            "git is not installed",
            "install git first, then: " + fix,
        )
    where = _existing(target)
    values = {}
    for key in ("name", "email"):
        env = os.environ.get(f"GIT_AUTHOR_{key.upper()}") and os.environ.get(
            f"GIT_COMMITTER_{key.upper()}"
        )
        probe = _run(["git", "config", f"user.{key}"], cwd=where)
        configured = probe.stdout.strip() if probe and probe.returncode == 0 else ""
        values[key] = configured or env or ""
    missing = [f"user.{key}" for key, value in values.items() if not value]
    if missing:
        detail = f"no {' or '.join(missing)}: services are generated without their first commit"
        return Check("git identity", False, detail, fix, required=False)
    return Check("git identity", True, f"{values['name']} <{values['email']}>")


def check_make() -> Check:
    found = shutil.which("make")
    if found is None:
        return Check(
            "make",
            False,
            "not on PATH",
            "install make (`apt install make`, `xcode-select --install`, `choco install make`)",
        )
    probe = _run([found, "--version"])
    ok = probe is not None and probe.returncode == 0
    detail = _version(probe.stdout.splitlines()[0]) if ok and probe and probe.stdout else found
    return Check("make", ok, detail, "" if ok else "reinstall make")


def check_uv() -> Check:
    """The uv ``svcgen new`` and ``svcgen update`` lock with (the one svcgen depends on)."""
    from scaffold.errors import SvcgenError
    from scaffold.pins import uv_binary

    fix = "reinstall svcgen (it depends on uv), e.g. `pip install --force-reinstall svcgen`"
    try:
        found = uv_binary()
    except SvcgenError:
        return Check("uv", False, "not installed with svcgen, nor on PATH", fix)
    probe = _run([found, "--version"])
    if probe is None or probe.returncode != 0:
        return Check("uv", False, f"{found} does not run", fix)
    return Check("uv", True, f"{_version(probe.stdout)} at {found}")


#: How each engine reports its daemon's version: the client alone answers ``--version``.
_DAEMON_QUERY = {
    "docker": ["info", "--format", "{{.ServerVersion}}"],
    "podman": ["info", "--format", "{{.Version.Version}}"],
}


def check_container_engine() -> Check:
    clients = []
    for engine, query in _DAEMON_QUERY.items():
        found = shutil.which(engine)
        if found is None:
            continue
        probe = _run([found, *query])
        if probe is not None and probe.returncode == 0 and probe.stdout.strip():
            detail = f"{engine} {_version(probe.stdout)}"
            return Check("container engine", True, detail, required=False)
        reason = (probe.stderr.strip().splitlines() or ["no answer"])[-1] if probe else "no answer"
        clients.append(f"{engine} (its daemon does not answer: {reason[:120]})")
    if clients:
        return Check(
            "container engine",
            False,
            "; ".join(clients),
            "start its daemon (e.g. `sudo systemctl start docker`, `podman machine start`)",
            required=False,
        )
    return Check(
        "container engine",
        False,
        "neither docker nor podman on PATH (needed only for make docker-build / compose-up)",
        "install Docker (https://docs.docker.com/get-docker/) or Podman",
        required=False,
    )


def _existing(path: Path) -> Path:
    """The nearest directory that exists at or above ``path``."""
    current = path.absolute()
    while not current.exists() and current != current.parent:
        current = current.parent
    return current if current.is_dir() else current.parent


def check_target(target: Path) -> Check:
    """Write access where ``svcgen new -o TARGET`` would create the service."""
    where = _existing(target)
    shown = str(where) if where == target.absolute() else f"{target.absolute()} (via {where})"
    try:
        handle, name = tempfile.mkstemp(prefix=".svcgen-doctor-", dir=where)
    except OSError as exc:
        # A directory that exists but takes no new files (/proc, a read-only mount) answers
        # ENOENT or EROFS; say what that means rather than "No such file or directory".
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.ENOENT, errno.EROFS, errno.EACCES, errno.EPERM):
            reason = f"no new files can be created there ({reason})"
        return Check(
            "write access",
            False,
            f"cannot write to {shown}: {reason}",
            "choose another directory with -o DIR, or fix its permissions",
        )
    os.close(handle)
    os.unlink(name)
    return Check("write access", True, shown)


def run_checks(target: Path) -> list[Check]:
    return [
        check_python(),
        check_python3_on_path(),
        check_git(),
        check_git_identity(target),
        check_make(),
        check_uv(),
        check_target(target),
        check_container_engine(),
    ]


def format_table(checks: list[Check]) -> str:
    """A table a terminal shows without wrapping most lines; fixes on their own lines."""
    width = max(len(check.name) for check in checks)
    status_width = max(len(check.status) for check in checks)
    lines = []
    for check in checks:
        lines.append(f"{check.status:<{status_width}}  {check.name:<{width}}  {check.detail}")
        if check.fix and not check.ok:
            lines.append(f"{'':<{status_width}}  {'':<{width}}  fix: {check.fix}")
    return "\n".join(lines)
