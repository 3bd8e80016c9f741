"""A fork of svcgen with two releases made the documented way (RELEASING.md), for the e2e tests.

The working tree is copied into a temporary repository whose ``[tool.svcgen] template-url``
names a fork (a ``file://`` URL, empty until a test publishes to it), committed as the first
release; services are generated from it; then the second release is one commit: a template
change, ``__version__`` bumped, a CHANGELOG entry. No tags are made: svcgen finds releases
in the history.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scaffold import __version__
from tests.checkout import copy_working_tree

MAJOR, MINOR, _ = (int(part) for part in __version__.split("."))
V1, V2 = __version__, f"{MAJOR}.{MINOR + 1}.0"

#: The second release's template change, which every framework renders.
RELEASE_LINE = "# svcgen-release-two: a new template setting\n"
#: An uncommitted template edit, rendered by a development build.
DEV_LINE = "# svcgen-dev-build: an unreleased ignore line\n"


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


@dataclass
class Fork:
    """The fork's repository, where it says it is published, and services made at each step."""

    repo: Path
    url: str
    published: Path
    services: dict[str, Path] = field(default_factory=dict)

    def svcgen(self, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
        """The development svcgen of the fork's checkout."""
        return subprocess.run(
            [sys.executable, "-m", "scaffold", *args],
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(self.repo / "src"), **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    def new(self, name: str, where: Path, *extra: str) -> Path:
        made = self.svcgen("new", name, "-f", "flask", "--no-input", *extra, cwd=where)
        assert made.returncode == 0, made.stderr
        return where / name

    def publish(self) -> None:
        """Publish the fork with a tag at each release commit, as RELEASING.md says."""
        git("init", "-q", "--bare", str(self.published), cwd=self.repo)
        listed = subprocess.run(
            [sys.executable, "src/scaffold/releases.py"],
            cwd=self.repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for line in listed.splitlines():
            tag, commit = line.split()
            git("tag", "-f", tag, commit, cwd=self.repo)
        git("push", "-q", str(self.published), "main", "--tags", cwd=self.repo)


def release(repo: Path, version: str, note: str) -> None:
    """The documented release commit: ``__version__`` bumped and a CHANGELOG entry."""
    init = repo / "src" / "scaffold" / "__init__.py"
    bumped = re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', init.read_text())
    init.write_text(bumped)
    changelog = repo / "CHANGELOG.md"
    head, _, rest = changelog.read_text().partition("\n## ")
    entry = f"## {version} (2026-12-01)\n\n- {note}\n\n"
    changelog.write_text(f"{head}\n{entry}## {rest}" if rest else f"{head}\n{entry}")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", f"Release {version}", cwd=repo)


def make_fork(work: Path) -> Fork:
    """The fork at its second release, with a service from its first release, a development
    build of it, and its second release in ``services`` (``v1``, ``dev``, ``v2``)."""
    repo = work / "fork"
    published = work / "published" / "fork.git"
    published.parent.mkdir(parents=True)
    url = published.as_uri()
    copy_working_tree(repo)
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text()
    assert 'template-url = "https://github.com/svcgen/svcgen.git"' in text
    pyproject.write_text(text.replace("https://github.com/svcgen/svcgen.git", url))
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", f"Fork of svcgen {V1}", cwd=repo)
    fork = Fork(repo, url, published)
    made = work / "made"
    for step in ("v1", "dev", "v2"):
        (made / step).mkdir(parents=True)
    fork.services["v1"] = fork.new("svc", made / "v1")
    ignore = repo / "templates" / "_shared" / "gitignore.jinja"
    committed = ignore.read_text()
    ignore.write_text(DEV_LINE + committed)
    fork.services["dev"] = fork.new("svc", made / "dev")
    ignore.write_text(committed)
    env = repo / "templates" / "_shared" / "env.example.jinja"
    env.write_text(env.read_text() + RELEASE_LINE)
    release(repo, V2, "A new template setting in .env.example.")
    fork.services["v2"] = fork.new("svc", made / "v2")
    return fork
