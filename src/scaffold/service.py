"""A generated service on disk: its answers file, the version it was made from, its origin.

Everything svcgen knows about a service it made is in the service's ``.copier-answers.yml``:
the answers, and, as copier's bookkeeping, where the template came from (``_src_path``) and
which release (``_commit``). This module is the one place that file is named, read, and (right
after rendering) given the template's stable origin; ``check``, ``status``, ``update`` and the
preset checks all read a service through :func:`read_service`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.version import Version

from scaffold.errors import UsageError
from scaffold.versions import development_version, parse_version, recorded_tag, template_url

#: Where copier (``_answers_file`` in copier.yml) keeps a service's answers and origin.
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
    def updatable(self) -> bool:
        """Whether the service records a template URL (not a local path), which update needs.

        Any URL will do: ``svcgen update`` serves whichever the service records from its own
        history, so services of svcgen and of its forks update alike.
        """
        return is_url(self.src_path)

    @property
    def version(self) -> Version | None:
        """The release the service was made or last updated from, if ``_commit`` is one."""
        return parse_version(self.answers.get("_commit"))

    @property
    def development(self) -> Version | None:
        """The development build of svcgen the service was made from, if ``_commit`` is one."""
        return development_version(self.answers.get("_commit"))

    @property
    def user_answers(self) -> dict[str, Any]:
        """The answers without copier's ``_`` bookkeeping."""
        return {k: v for k, v in self.answers.items() if not str(k).startswith("_")}


def is_url(text: str) -> bool:
    """A git URL (``https://``, ``file://``, ``ssh://``, ``git@host:path``), not a local path."""
    if "://" in text:
        return True
    host, colon, rest = text.partition(":")
    return bool(colon and rest and "/" not in host and len(host) > 1)


def read_answers(path: Path) -> dict[str, Any]:
    """The mapping in a service's answers file, refusing anything that is not one."""
    answers_path = path / ANSWERS_FILE
    if not path.is_dir():
        raise NotAService(f"{path} is not a directory")
    try:
        data = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotAService(f"{path} is not a svcgen service (no {ANSWERS_FILE})") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise NotAService(f"{answers_path} cannot be read: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise NotAService(f"{answers_path} does not hold a mapping of answers")
    return data


def read_service(path: Path) -> Service:
    """Read the service at ``path``, refusing anything svcgen did not generate."""
    data = read_answers(path)
    if not data.get("framework") or "_src_path" not in data:
        raise NotAService(
            f"{path} is not a svcgen service ({ANSWERS_FILE} has no framework or _src_path)"
        )
    return Service(path=path.absolute(), answers=data)


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


def record_origin(service: Path) -> None:
    """Make a freshly rendered service record the template URL and this svcgen's version.

    Copier records where it read the template: a checkout's path and a commit that may exist
    only there, or a path inside site-packages and no commit at all. Neither can be updated
    from another machine or another install, so both lines are replaced by the template's
    URL (:func:`~scaffold.versions.template_url`) and the release the template belongs to,
    which every svcgen's history holds, or a development version that says it is none
    (:func:`~scaffold.versions.recorded_tag`).
    """
    path = service / ANSWERS_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(("_commit:", "_src_path:"))]
    at = next((i for i, line in enumerate(kept) if not line.startswith("#")), len(kept))
    origin = [f"_commit: {recorded_tag()}\n", f"_src_path: {template_url()}\n"]
    path.write_text("".join([*kept[:at], *origin, *kept[at:]]), encoding="utf-8")
