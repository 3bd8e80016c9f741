"""What a generated service is and how far behind the template it is: ``check`` and ``status``.

Both read only the service's ``.copier-answers.yml`` and ask git whether its tree is dirty; they
never render the template, so ``svcgen status`` over a directory of fifty services stays quick
and works offline. "Latest" is the template version this svcgen carries (its package version).

:func:`check_service` is the one place ``svcgen check`` decides its verdict. Further checks
(for instance answers that contradict a team preset) append lines to
:attr:`CheckResult.findings`; any finding makes ``svcgen check`` exit 1 like a service behind.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from packaging.version import Version

from scaffold.errors import SvcgenError, UsageError
from scaffold.versions import TEMPLATE_URL, current_version, parse_version

ANSWERS_FILE = ".copier-answers.yml"

#: Directories never searched for services: version control, environments, caches.
_SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox"}


class NotAService(UsageError):
    """The path holds no svcgen answers file: ``svcgen check`` exits 2, like a usage error."""


@dataclass(frozen=True)
class Service:
    """A generated service as its answers file describes it."""

    path: Path
    answers: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.answers.get("name", self.path.name))

    @property
    def framework(self) -> str:
        return str(self.answers.get("framework", ""))

    @property
    def commit(self) -> str:
        return str(self.answers.get("_commit", ""))

    @property
    def src_path(self) -> str:
        return str(self.answers.get("_src_path", ""))

    @property
    def version(self) -> Version | None:
        """The release the service was made or last updated from, if ``_commit`` is one."""
        return parse_version(self.answers.get("_commit"))

    @property
    def user_answers(self) -> dict[str, Any]:
        """The answers without copier's ``_`` bookkeeping."""
        return {k: v for k, v in self.answers.items() if not str(k).startswith("_")}


def read_service(path: Path) -> Service:
    """Read the service at ``path``, refusing anything svcgen did not generate."""
    answers_path = path / ANSWERS_FILE
    if not path.is_dir():
        raise NotAService(f"{path} is not a directory")
    try:
        data = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotAService(f"{path} is not a svcgen service (no {ANSWERS_FILE})") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise NotAService(f"{answers_path} cannot be read: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or not data.get("framework") or "_src_path" not in data:
        raise NotAService(
            f"{path} is not a svcgen service ({ANSWERS_FILE} has no framework or _src_path)"
        )
    return Service(path=path.absolute(), answers=data)


def compare(version: Version | None, latest: Version) -> str:
    """``up-to-date``, ``behind`` or ``ahead`` of ``latest``; ``unknown`` without a release."""
    if version is None:
        return "unknown"
    if version < latest:
        return "behind"
    if version > latest:
        return "ahead"
    return "up-to-date"


@dataclass
class CheckResult:
    """The verdict of ``svcgen check`` on one service."""

    service: Service
    latest: Version
    state: str
    findings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when up to date (or ahead) and nothing was found, else 1."""
        return 1 if self.state in {"behind", "unknown"} or self.findings else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.service.path),
            "name": self.service.name,
            "framework": self.service.framework,
            "version": self.service.commit or None,
            "latest": f"v{self.latest}",
            "state": self.state,
            "findings": self.findings,
            "exit_code": self.exit_code,
        }


def check_service(path: Path) -> CheckResult:
    """Compare a service with the template version this svcgen carries (offline)."""
    service = read_service(path)
    latest = current_version()
    result = CheckResult(service, latest, compare(service.version, latest))
    if service.src_path != TEMPLATE_URL:
        result.findings.append(
            f"_src_path is {service.src_path!r}, not svcgen's template URL {TEMPLATE_URL}: "
            f"set it and `_commit: v<the svcgen version that made it>` in {ANSWERS_FILE} to "
            "make the service updatable"
        )
    if result.state == "unknown":
        result.findings.append(
            f"_commit {service.commit!r} is not a svcgen release, so its version is unknown"
        )
    return result


def find_services(root: Path) -> list[Path]:
    """Every directory under ``root`` (itself included) holding a svcgen answers file."""
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    found: list[Path] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
        if ANSWERS_FILE in files:
            found.append(Path(directory))
    return found


def dirty_files(path: Path) -> list[str] | None:
    """Uncommitted changes under ``path`` (git's short status lines); None outside git."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=normal", "--", "."],
        cwd=path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if status.returncode != 0:
        return None
    return [line for line in status.stdout.splitlines() if line.strip()]


def _status_row(path: Path, latest: Version) -> dict[str, Any]:
    try:
        service = read_service(path)
    except SvcgenError as exc:
        return {"path": str(path.absolute()), "error": str(exc)}
    dirty = dirty_files(path)
    return {
        "path": str(service.path),
        "name": service.name,
        "framework": service.framework,
        "version": service.commit or None,
        "latest": f"v{latest}",
        "state": compare(service.version, latest),
        "git": dirty is not None,
        "dirty": bool(dirty),
        "updatable": service.src_path == TEMPLATE_URL,
    }


def status_rows(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """One row per service; the git calls run in parallel since they dominate the time."""
    latest = current_version()
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda p: _status_row(p, latest), paths))
