"""Hatch build hook: put the template's release history into the wheel as a git bundle.

``svcgen update`` renders the template at the version a service was made from and at the new
one, offline, so an installed svcgen must carry every release tag (``vX.Y.Z``) of the
repository, not just today's files. The hook bundles them into
``scaffold/template/history.bundle`` (see ``scaffold.versions``). When the version being built
has no tag yet (a development build, or a build from an sdist without ``.git``), the build's
own ``copier.yml`` and ``templates/`` are committed on top as that version's tag, so services
made from this wheel can always be updated later.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _git(args: list[str], cwd: Path, **env: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


class TemplateHistoryHook(BuildHookInterface):  # type: ignore[type-arg]
    """Adds ``scaffold/template/history.bundle`` to the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install serves the checkout itself
        if shutil.which("git") is None:
            raise RuntimeError("building svcgen's wheel needs git, to bundle the template history")
        root = Path(self.root)
        text = (root / "src" / "scaffold" / "__init__.py").read_text(encoding="utf-8")
        match = re.search(r'__version__ = "([^"]+)"', text)
        if match is None:
            raise RuntimeError("no __version__ in src/scaffold/__init__.py")
        tag = f"v{match.group(1)}"
        out = Path(tempfile.mkdtemp(prefix="svcgen-bundle-"))
        repo = out / "repo"
        identity = {
            "GIT_AUTHOR_NAME": "svcgen build",
            "GIT_AUTHOR_EMAIL": "build@svcgen.invalid",
            "GIT_COMMITTER_NAME": "svcgen build",
            "GIT_COMMITTER_EMAIL": "build@svcgen.invalid",
            # A fixed date keeps the synthesised commit, and so the bundle, reproducible.
            "GIT_AUTHOR_DATE": os.environ.get("SOURCE_DATE_EPOCH", "1700000000") + " +0000",
            "GIT_COMMITTER_DATE": os.environ.get("SOURCE_DATE_EPOCH", "1700000000") + " +0000",
        }
        _git(["init", "-q", str(repo)], out)
        if (root / ".git").exists():
            _git(["fetch", "-q", "--no-tags", str(root), "refs/tags/v*:refs/tags/v*"], repo)
        tags = set(_git(["tag", "--list", "v*"], repo).split())
        if tag not in tags:
            # The build tree's template, committed as this version: all that copier reads.
            work = {"GIT_WORK_TREE": str(root), "GIT_DIR": str(repo / ".git"), **identity}
            _git(["add", "copier.yml", "templates"], root, **work)
            _git(["commit", "-q", "--no-verify", "-m", f"svcgen {tag} (build)"], root, **work)
            _git(["tag", tag], repo)
        bundle = out / "history.bundle"
        _git(["bundle", "create", "-q", str(bundle), "--tags"], repo)
        build_data["force_include"][str(bundle)] = "scaffold/template/history.bundle"
