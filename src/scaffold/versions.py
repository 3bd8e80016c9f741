"""Template versions, the template's stable URL, and where its history comes from offline.

A template version is the package version (``scaffold.__version__``); a release is the git tag
``vX.Y.Z`` on the repository whose root holds ``copier.yml``. Every generated service records
``_src_path: TEMPLATE_URL`` and ``_commit: vX.Y.Z`` in its answers file, so plain
``copier update`` works for anyone who can reach that URL.

What a service records of its origin is written by :func:`scaffold.service.record_origin`.
``svcgen update`` never needs the network: git is told (``url.<source>.insteadOf``) to read
``TEMPLATE_URL`` from a local source instead, which is the checkout itself in development, or
the git bundle of the release tags that the wheel carries (``hatch_build.py`` builds it). The
git settings travel as ``GIT_CONFIG_*`` variables through ``plumbum.local.env``, because copier
runs git through plumbum, and nothing is written to the user's git configuration.
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

from scaffold import __version__
from scaffold.errors import SvcgenError, UsageError
from scaffold.template import template_root

#: The documented, stable address of svcgen's template: what services record as ``_src_path``.
TEMPLATE_URL = "https://github.com/svcgen/svcgen.git"

#: The git bundle of release tags inside an installed wheel, beside ``copier.yml``.
BUNDLE_NAME = "history.bundle"


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
    """The local git repository or bundle that serves ``TEMPLATE_URL`` for this svcgen."""
    root = template_root()
    if (root / ".git").exists():
        return root
    bundle = root / BUNDLE_NAME
    if bundle.is_file():
        return bundle
    raise SvcgenError(
        f"this svcgen installation carries no template history ({bundle} is missing); "
        "reinstall svcgen from its wheel"
    )


def git_config_env(source: Path) -> dict[str, str]:
    """``GIT_CONFIG_*`` variables that make git read ``TEMPLATE_URL`` from ``source``.

    Entries already in the environment are kept: the new one is appended after them.
    """
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    return {
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": f"url.{source}.insteadOf",
        f"GIT_CONFIG_VALUE_{count}": TEMPLATE_URL,
    }


@contextmanager
def offline_template() -> Iterator[Path]:
    """Run copier with ``TEMPLATE_URL`` served by :func:`template_source`, offline.

    Copier caches remote templates as mirrors keyed by URL in the user's cache; svcgen gives it
    a cache of its own for the duration, so a stale mirror of the public URL (or of another
    svcgen's history) can never be read, and the user's copier cache is left alone.
    """
    from plumbum import local

    source = template_source()
    env = git_config_env(source)
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
