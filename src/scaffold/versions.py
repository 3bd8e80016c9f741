"""Template versions, the template's URL, and where its history comes from offline.

A template version is the package version (``scaffold.__version__``); a release is the commit
on main that set it (:mod:`scaffold.releases`), tagged ``vX.Y.Z`` in the history svcgen serves.
Every generated service records ``_src_path`` (:func:`template_url`: ``[tool.svcgen]
template-url`` of the repository, so a fork records itself) and ``_commit``
(:func:`recorded_tag`: ``vX.Y.Z``, or a development version when the template differs from the
release), so plain ``copier update`` works for anyone who can reach that URL.

What a service records of its origin is written by :func:`scaffold.service.record_origin`.
``svcgen update`` never needs the network: git is told (``url.<source>.insteadOf``) to read
the URL the service records from a local source instead: the history synthesised from a
checkout (cached per commit), or the git bundle of the releases that the wheel carries
(``hatch_build.py`` builds it). The git settings travel as ``GIT_CONFIG_*`` variables through
``plumbum.local.env``, because copier runs git through plumbum, and nothing is written to the
user's git configuration.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from packaging.version import InvalidVersion, Version

from scaffold import __version__, releases
from scaffold.errors import SvcgenError, UsageError
from scaffold.template import template_root

#: svcgen's own template URL, recorded unless the repository sets another (a fork).
TEMPLATE_URL = releases.DEFAULT_TEMPLATE_URL

#: The git bundle of release tags inside an installed wheel, beside ``copier.yml``.
BUNDLE_NAME = "history.bundle"

#: What the wheel's build recorded about itself (see ``hatch_build.py``), beside the bundle.
BUILD_INFO = "build.toml"


@cache
def _build_info() -> dict[str, str]:
    path = template_root() / BUILD_INFO
    if not path.is_file():
        return {}
    import tomllib

    with path.open("rb") as stream:
        return {str(k): str(v) for k, v in tomllib.load(stream).items()}


@cache
def template_url() -> str:
    """The URL services made by this svcgen record as ``_src_path``."""
    root = template_root()
    if "template-url" in _build_info():
        return _build_info()["template-url"]
    return releases.template_url(root)


@cache
def recorded_tag() -> str:
    """What a service rendered now records as ``_commit``: the release, or a development build."""
    root = template_root()
    if releases.is_repository(root):
        try:
            commits = releases.release_commits(root)
            return releases.recorded_version(root, __version__, commits)
        except releases.HistoryError as exc:
            raise SvcgenError(str(exc)) from None
    return _build_info().get("recorded-version", f"v{__version__}")


def development_version(text: object) -> Version | None:
    """The version of a development build (``v0.2.0.post1.dev0+gabc``); None for a release."""
    if not isinstance(text, str):
        return None
    try:
        version = Version(text.strip().removeprefix("v"))
    except InvalidVersion:
        return None
    return version if version.is_devrelease else None


def base_release(version: Version, known: list[Version]) -> Version | None:
    """The newest release a development build builds on: the newest known one not after it."""
    earlier = [v for v in known if v <= version]
    return max(earlier) if earlier else None


def parse_version(text: object) -> Version | None:
    """``"v1.2.0"`` or ``"1.2.0"`` as a version; None for anything else (a hash, a dirty tag)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        version = Version(text.strip().removeprefix("v"))
    except InvalidVersion:
        return None
    if version.local is not None or version.is_postrelease or version.is_devrelease:
        return None  # "v0.1.0-3-gabc" is a commit after a release, not a release
    return version


def tag_for(version: Version) -> str:
    """The release tag of a version: ``v`` and the version, as the repository tags them."""
    return f"v{version}"


def current_version() -> Version:
    """The template version this svcgen carries (the package version)."""
    version = parse_version(__version__)
    if version is None:  # pragma: no cover - the package version is always a release
        raise SvcgenError(f"svcgen's own version {__version__!r} is not a release version")
    return version


def requested_version(text: str | None) -> Version:
    """The version ``--to`` asks for (default: this svcgen's), refusing what is not one."""
    if text is None:
        return current_version()
    version = parse_version(text)
    if version is None:
        raise UsageError(f"--to takes a release version such as {current_version()}, not {text!r}")
    return version


@cache
def template_source() -> Path:
    """The local git bundle that serves the template's history for this svcgen.

    In a checkout, the history synthesised from main's release commits, built once per
    commit into svcgen's cache, so a development svcgen serves what its wheel would.
    """
    root = template_root()
    if releases.is_repository(root):
        return _checkout_bundle(root)
    bundle = root / BUNDLE_NAME
    if bundle.is_file():
        return bundle
    raise SvcgenError(
        f"this svcgen installation carries no template history ({bundle} is missing); "
        "reinstall svcgen from its wheel"
    )


def _checkout_bundle(root: Path) -> Path:
    import hashlib

    from platformdirs import user_cache_path

    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
    ).stdout.strip()
    pins = root / releases.PINS_FILE
    key = hashlib.sha256(
        f"{root.resolve()}\0{head}\0".encode() + (pins.read_bytes() if pins.is_file() else b"")
    ).hexdigest()[:20]
    bundle = user_cache_path("svcgen") / "history" / f"{key}.bundle"
    if not bundle.is_file():
        bundle.parent.mkdir(parents=True, exist_ok=True)
        try:
            releases.build_bundle(root, bundle)
        except releases.HistoryError as exc:
            raise SvcgenError(str(exc)) from None
    return bundle


def git_config_env(source: Path, url: str | None = None) -> dict[str, str]:
    """``GIT_CONFIG_*`` variables that make git read ``url`` from ``source``, without housekeeping.

    ``url`` defaults to :func:`template_url`; any URL a service records can be served this
    way. Entries already in the environment are kept: the new one is appended after them.
    """
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    settings = {
        f"url.{source}.insteadOf": url or template_url(),
        # Copier commits in throwaway repositories; each commit would start `git maintenance`.
        "maintenance.auto": "false",
    }
    env = {"GIT_CONFIG_COUNT": str(count + len(settings))}
    for index, (key, value) in enumerate(settings.items(), start=count):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


@contextmanager
def offline_template(url: str | None = None, source: Path | None = None) -> Iterator[Path]:
    """Run copier with ``url`` (default :func:`template_url`) served by :func:`template_source`.

    Copier caches remote templates as mirrors keyed by URL in the user's cache; svcgen gives it
    a cache of its own for the duration, so a stale mirror of the public URL (or of another
    svcgen's history) can never be read, and the user's copier cache is left alone.
    """
    from plumbum import local

    source = source or template_source()
    env = git_config_env(source, url)
    cache_dir = Path(tempfile.mkdtemp(prefix="svcgen-template-"))
    saved = {key: os.environ.get(key) for key in [*env, "COPIER_CACHE_DIR"]}
    os.environ.update(env)
    os.environ["COPIER_CACHE_DIR"] = str(cache_dir)
    try:
        with local.env(**env, COPIER_CACHE_DIR=str(cache_dir)):
            yield source
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(cache_dir, ignore_errors=True)


def available_versions(source: Path | None = None) -> list[Version]:
    """The release versions the template source holds, oldest first."""
    source = source or template_source()
    listed = subprocess.run(
        ["git", "ls-remote", "--tags", "--refs", str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if listed.returncode != 0:
        reason = (listed.stderr.strip().splitlines() or ["unknown error"])[0]
        raise SvcgenError(f"cannot read the template history in {source}: {reason}")
    versions = set()
    for line in listed.stdout.splitlines():
        _, _, ref = line.partition("\t")
        tag = ref.removeprefix("refs/tags/")
        version = parse_version(tag)
        if version is not None and tag == tag_for(version):
            versions.add(version)
    return sorted(versions)


def clean_template(root: Path) -> Path:
    """What copier renders from ``root``: only ``copier.yml`` and ``templates/``, without git.

    A checkout holds more than the template: other repositories (a service generated inside
    it, which git would take for a submodule when copier clones the checkout), caches, build
    output. Copier is given a copy of just the template's files, taken from the working tree
    (uncommitted edits included; :func:`recorded_tag` marks such a service), in a directory
    named by a hash of their contents: the same template is copied once and keeps its path, so
    compiled templates stay cached, and a directory once made is never changed, so concurrent
    renders can share it. An installed wheel's template is already such a directory.
    """
    if not (root / ".git").exists():
        return root
    import hashlib
    import time

    from platformdirs import user_cache_path

    files: list[Path] = [root / "copier.yml"]
    for directory, subdirs, names in os.walk(root / "templates"):
        subdirs[:] = sorted(d for d in subdirs if d not in {"__pycache__", ".git"})
        files.extend(Path(directory, name) for name in sorted(names))
    digest = hashlib.sha256()
    for path in files:
        if path.is_file() and not path.name.endswith((".pyc", ".pyo")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    exports = user_cache_path("svcgen") / "template"
    target = exports / digest.hexdigest()[:24]
    if (target / "copier.yml").is_file():
        return target
    exports.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".export-", dir=exports))
    for path in files:
        if path.is_file() and not path.name.endswith((".pyc", ".pyo")):
            copy = partial / path.relative_to(root)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
    try:
        partial.rename(target)
    except OSError:  # another render made it meanwhile
        shutil.rmtree(partial, ignore_errors=True)
    week = time.time() - 7 * 86400
    for old in exports.iterdir():
        try:
            stale = old != target and old.stat().st_mtime < week
        except OSError:  # removed meanwhile by another render
            continue
        if stale:
            shutil.rmtree(old, ignore_errors=True)
    return target
