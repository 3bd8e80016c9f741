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

import os
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import Version

from scaffold.errors import SvcgenError
from scaffold.service import _SKIP_DIRS, ANSWERS_FILE, Service, read_service
from scaffold.versions import current_version, template_url

#: The lines opening and closing copier's conflict markers (``--conflict inline``).
_OPENING = b"<<<<<<< "
_CLOSING = b">>>>>>> "

#: Files larger than this are not searched for markers (no merge leaves them there).
_MAX_SEARCHED = 4 * 1024 * 1024


def service_state(service: Service, latest: Version) -> str:
    """:func:`compare` for a service: ``development`` when made by a development build."""
    if service.version is None and service.development is not None:
        return "development"
    if not service.updatable:
        return "plain-copier"
    return compare(service.version, latest)


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
        return 0 if self.state in {"up-to-date", "ahead"} and not self.findings else 1

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
    """Compare a service with the template version this svcgen carries (offline).

    Findings: a service plain copier made (it records a local path), a version that is no
    release, and every file left with copier's conflict markers or a ``.rej`` file.
    """
    service = read_service(path)
    latest = current_version()
    result = CheckResult(service, latest, service_state(service, latest))
    if result.state == "plain-copier":
        result.findings.append(
            f"made with plain copier from the local path {service.src_path!r}, so no svcgen can "
            f"update it; to make it updatable, set `_src_path: {template_url()}` and "
            f"`_commit: v<the svcgen release of that template>` in {ANSWERS_FILE} and commit"
        )
    elif result.state == "unknown":
        result.findings.append(
            f"_commit {service.commit!r} is not a svcgen release, so its version is unknown"
        )
    for rel, what in conflict_files(service.path):
        result.findings.append(f"unresolved conflict in {rel}: {what}")
    return result


def marker_line(content: bytes) -> int | None:
    """The first line (from 1) opening or closing a conflict, as copier and git write them.

    ``<<<<<<< before updating`` and ``>>>>>>> after updating`` are copier's; a line of
    ``=======`` alone is not enough (Markdown underlines headings with it).
    """
    for number, line in enumerate(content.splitlines(), start=1):
        if line.startswith((_OPENING, _CLOSING)):
            return number
    return None


def _git_ls_files(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``git ls-files -z ARGS`` in ``root``; a non-zero return code outside a repository."""
    return subprocess.run(
        ["git", "ls-files", "-z", *args], cwd=root, capture_output=True, check=False, timeout=60
    )


def _candidate_files(root: Path) -> list[str]:
    """Files git tracks or would track under ``root``, ``.rej`` files even if ignored.

    Outside git, every file but those in version-control, environment and cache directories.
    """
    listed = _git_ls_files(root, "--cached", "--others", "--exclude-standard", "--", ".")
    ignored = _git_ls_files(root, "--others", "--ignored", "--exclude-standard", "--", "*.rej")
    if listed.returncode == 0:
        names = listed.stdout.split(b"\0") + ignored.stdout.split(b"\0")
        return sorted({name.decode(errors="replace") for name in names if name})
    found: list[str] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
        found.extend(Path(directory, name).relative_to(root).as_posix() for name in files)
    return sorted(found)


def conflict_files(root: Path) -> list[tuple[str, str]]:
    """Each file under ``root`` left by a merge: copier's markers in it, or a ``.rej`` file."""
    found: list[tuple[str, str]] = []
    for rel in _candidate_files(root):
        full = root / rel
        if rel.endswith(".rej"):
            found.append((rel, "rejected changes (.rej); apply or drop them, then delete it"))
            continue
        try:
            if full.is_symlink() or not full.is_file() or full.stat().st_size > _MAX_SEARCHED:
                continue
            content = full.read_bytes()
        except OSError:
            continue
        line = marker_line(content)
        if line is not None:
            found.append((rel, f"conflict markers from line {line} (<<<<<<< ... >>>>>>>)"))
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
        "state": service_state(service, latest),
        "git": dirty is not None,
        "dirty": bool(dirty),
        "updatable": service.updatable,
    }


def status_rows(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """One row per service; the git calls run in parallel since they dominate the time."""
    latest = current_version()
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda p: _status_row(p, latest), paths))
