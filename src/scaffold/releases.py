"""svcgen's releases, read from the repository's history; the template history updates serve.

A release is an ordinary commit on main: the one that sets ``__version__ = "X"`` in
``src/scaffold/__init__.py`` (with a ``## X`` entry in CHANGELOG.md). Nothing depends on git
tags. Versions released before this rule are pinned in ``releases.toml`` at the repository
root. From those commits :func:`build_bundle` synthesises the history ``svcgen update`` reads:
a git bundle whose tags ``vX`` point at each release commit, so copier finds ``vX`` whoever
built svcgen and whether or not the repository itself has tags.

The same bundle is built for the wheel (by ``hatch_build.py``, which loads this file by path,
so this module needs nothing beyond the standard library) and for a development checkout
(by :mod:`scaffold.versions`, cached per commit): a development svcgen and a wheel agree.

A build whose template (``copier.yml`` and ``templates/``) differs from the release commit of
its version is a development build, and :func:`recorded_version` says so in the version a
service records (``v0.2.0.post1.dev0+g1a2b3c4``, ``+dirty`` for uncommitted edits).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path

#: What copier reads of the repository: everything a service is rendered from.
TEMPLATE_PATHS = ("copier.yml", "templates")

#: The file that pins releases made before releases were found in the history.
PINS_FILE = "releases.toml"

#: The template URL services record when the repository does not set its own.
DEFAULT_TEMPLATE_URL = "https://github.com/svcgen/svcgen.git"

_VERSION_FILE = "src/scaffold/__init__.py"
_VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"', re.MULTILINE)


class HistoryError(RuntimeError):
    """The repository's history cannot give the releases (shallow clone, no git)."""


def _git(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, **env} if env else None,
    )


def _checked(args: list[str], cwd: Path, **env: str) -> str:
    result = _git(args, cwd, **env)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise HistoryError(f"git {' '.join(args[:2])} failed in {cwd}: {reason}")
    return result.stdout


def package_version(root: Path) -> str:
    """``__version__`` as the build tree's ``src/scaffold/__init__.py`` states it."""
    match = _VERSION_LINE.search((root / _VERSION_FILE).read_text(encoding="utf-8"))
    if match is None:
        raise HistoryError(f"no __version__ in {root / _VERSION_FILE}")
    return match.group(1)


def template_url(root: Path) -> str:
    """The URL services record as ``_src_path``: ``[tool.svcgen] template-url`` of pyproject.

    A fork sets its own there, once; every service it makes records it.
    """
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as stream:
            data = tomllib.load(stream)
        url = data.get("tool", {}).get("svcgen", {}).get("template-url")
        if isinstance(url, str) and url.strip():
            return url.strip()
    return DEFAULT_TEMPLATE_URL


def is_repository(root: Path) -> bool:
    return (root / ".git").exists() and shutil.which("git") is not None


def _pins(root: Path) -> dict[str, str]:
    path = root / PINS_FILE
    if not path.is_file():
        return {}
    with path.open("rb") as stream:
        data = tomllib.load(stream)
    return {str(k): str(v) for k, v in data.get("releases", {}).items()}


def release_commits(root: Path) -> dict[str, str]:
    """Every release of the repository at ``root``: version to the full hash of its commit.

    For each version, the first commit (oldest first, along main's first parents) whose
    ``__init__.py`` states it; a pinned commit in ``releases.toml`` wins when the history
    holds it. Raises :class:`HistoryError` when the history is shallow, because a release
    commit may then be missing without anything showing it.
    """
    if _checked(["rev-parse", "--is-shallow-repository"], root).strip() == "true":
        raise HistoryError(
            "svcgen's template history needs the full history of main, and this clone is "
            "shallow: run `git fetch --unshallow` (or clone without --depth) and build again"
        )
    log = _checked(
        ["log", "--first-parent", "--reverse", "--format=%H", "HEAD", "--", _VERSION_FILE], root
    )
    releases: dict[str, str] = {}
    for commit in log.split():
        shown = _git(["show", f"{commit}:{_VERSION_FILE}"], root)
        match = _VERSION_LINE.search(shown.stdout) if shown.returncode == 0 else None
        if match is not None and match.group(1) not in releases:
            releases[match.group(1)] = commit
    for version, commit in _pins(root).items():
        if _git(["cat-file", "-e", f"{commit}^{{commit}}"], root).returncode == 0:
            releases[version] = commit
    return releases


def recorded_version(root: Path, version: str, releases: dict[str, str]) -> str:
    """The tag a service rendered from the tree at ``root`` records as ``_commit``.

    ``vX`` when ``copier.yml`` and ``templates/`` are exactly the release commit of ``X``; a
    development version otherwise: ``vX.post1.dev0+g<HEAD>`` after the release,
    ``vX.dev0+g<HEAD>`` before it (``X`` not released yet), ``.dirty`` appended for
    uncommitted template edits. Such a service is updatable from the release it builds on.
    """
    release = releases.get(version)
    dirty = bool(
        _checked(
            ["status", "--porcelain", "--untracked-files=all", "--", *TEMPLATE_PATHS], root
        ).strip()
    )
    if release is not None and not dirty:
        changed = _git(["diff", "--quiet", release, "HEAD", "--", *TEMPLATE_PATHS], root)
        if changed.returncode == 0:
            return f"v{version}"
    head = _checked(["rev-parse", "--short=7", "HEAD"], root).strip()
    stage = "post1.dev0" if release is not None else "dev0"
    return f"v{version}.{stage}+g{head}" + (".dirty" if dirty else "")


def build_bundle(root: Path, bundle: Path) -> dict[str, str]:
    """Write ``bundle``: a git bundle with tag ``vX`` at each release commit; return them."""
    releases = release_commits(root)
    if not releases:
        raise HistoryError(f"no release in the history of {root / _VERSION_FILE}")
    work = Path(tempfile.mkdtemp(prefix="svcgen-history-"))
    try:
        repo = work / "repo"
        _checked(["init", "-q", "--bare", str(repo)], work)
        refspecs = [f"{commit}:refs/tags/v{version}" for version, commit in releases.items()]
        _checked(["fetch", "-q", "--no-tags", str(root.resolve()), *refspecs], repo)
        partial = bundle.with_name(f".{bundle.name}.{os.getpid()}")
        _checked(["bundle", "create", "-q", str(partial), "--tags"], repo)
        os.replace(partial, bundle)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return releases


def build_tree_bundle(root: Path, version: str, bundle: Path) -> None:
    """A bundle of just this build tree's template as ``vX``: for builds without history.

    An sdist has no ``.git``; a wheel built from it can update services at its own version
    only (see RELEASING.md).
    """
    work = Path(tempfile.mkdtemp(prefix="svcgen-history-"))
    try:
        repo = work / "repo"
        identity = {
            "GIT_AUTHOR_NAME": "svcgen build",
            "GIT_AUTHOR_EMAIL": "build@svcgen.invalid",
            "GIT_COMMITTER_NAME": "svcgen build",
            "GIT_COMMITTER_EMAIL": "build@svcgen.invalid",
            # A fixed date keeps the synthesised commit, and so the bundle, reproducible.
            "GIT_AUTHOR_DATE": os.environ.get("SOURCE_DATE_EPOCH", "1700000000") + " +0000",
            "GIT_COMMITTER_DATE": os.environ.get("SOURCE_DATE_EPOCH", "1700000000") + " +0000",
        }
        _checked(["init", "-q", str(repo)], work)
        tree = {"GIT_WORK_TREE": str(root), "GIT_DIR": str(repo / ".git"), **identity}
        _checked(["add", *TEMPLATE_PATHS], root, **tree)
        _checked(["commit", "-q", "--no-verify", "-m", f"svcgen v{version} (build)"], root, **tree)
        _checked(["tag", f"v{version}"], repo)
        _checked(["bundle", "create", "-q", str(bundle), "--tags"], repo)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    """``python3 src/scaffold/releases.py``: each release's tag and commit, one a line.

    For whoever publishes tags (RELEASING.md): ``... | while read tag commit; do git tag
    "$tag" "$commit"; done``. Needs nothing but Python and git.
    """
    import sys

    root = Path(__file__).resolve().parents[2]
    try:
        commits = release_commits(root)
    except HistoryError as exc:
        print(f"svcgen releases: {exc}", file=sys.stderr)
        return 1
    for version, commit in commits.items():
        print(f"v{version} {commit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
