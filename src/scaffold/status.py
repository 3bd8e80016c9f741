"""What a generated service is and how far behind the template it is: ``check`` and ``status``.

Both read only the service's answers file (:mod:`scaffold.service`) and ask git whether its
tree is dirty; they never render the template, so ``svcgen status`` over a directory of fifty
services stays quick and works offline. "Latest" is the template version this svcgen carries
(its package version).

:func:`check_service` is the one place ``svcgen check`` decides its verdict. Further checks
(for instance answers that contradict a team preset) append lines to
:attr:`CheckResult.findings`; any finding makes ``svcgen check`` exit 1 like a service behind.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import Version

from scaffold.errors import SvcgenError
from scaffold.service import ANSWERS_FILE, Service, read_service
from scaffold.versions import TEMPLATE_URL, current_version


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
    if not service.updatable:
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
        "updatable": service.updatable,
    }


def status_rows(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """One row per service; the git calls run in parallel since they dominate the time."""
    latest = current_version()
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda p: _status_row(p, latest), paths))
