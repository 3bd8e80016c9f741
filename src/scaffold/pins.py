"""The versions the template is tested with, and the ``uv.lock`` every service gets from them.

``templates/_shared/tested-versions.txt`` (outside every rendered tree: copier renders
``templates/<framework>/`` only) lists, as pip constraints, every package any framework, db,
metrics and tracing answer resolves, direct and transitive, runtime and dev: one flat list, the
union. ``svcgen new`` locks each service with ``uv lock -P name==version`` for every pin: a
``-P`` (``--upgrade-package``) requirement acts as a constraint, and names outside the
service's resolution are ignored, so each service gets exactly the tested versions of the
subset it needs. ``svcgen update`` does the same with the target release's pins, bump-only
(:func:`lock_arguments`). ``python -m scaffold.pins refresh`` rewrites the list from PyPI
(RELEASING.md).

uv is svcgen's dependency (the ``uv`` package ships the binary). The lock is tried from uv's
cache first (``--offline``: no network round trip when the versions were ever downloaded),
then from the index with a bounded timeout. When the index cannot be reached the service is
made without ``uv.lock`` and ``make lock`` completes it (:class:`Unreachable`); any other uv
failure is an error.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from scaffold.errors import SvcgenError

#: Where the pins live, relative to the template root (a checkout, or a wheel's template).
PINS_FILE = "templates/_shared/tested-versions.txt"

#: The lock file a service commits (uv's name for it; ``uv sync --locked`` reads it).
LOCK_FILE = "uv.lock"

#: How long one ``uv lock`` may take against the index before svcgen gives up on it.
ONLINE_TIMEOUT = 180

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)$")

#: What uv says when the index cannot be reached (network off, DNS, refused, timed out).
_UNREACHABLE = (
    "network was disabled",
    "failed to fetch",
    "error sending request",
    "dns error",
    "tcp connect error",
    "connection refused",
    "operation timed out",
    "timed out",
)


class Unreachable(Exception):
    """The package index could not be reached, and uv's cache does not hold the versions."""


def parse_pins(text: str, where: str = PINS_FILE) -> dict[str, str]:
    """``name==version`` lines (comments and blank lines allowed) as canonical name: version.

    A line that is not an exact pin, a version that is not one, or a name pinned twice is a
    one-line error naming the file and line: a broken pins file must never lock half a service.
    """
    pins: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _PIN.match(line)
        if match is None:
            raise SvcgenError(f"{where}:{number}: expected name==version, not {raw.strip()!r}")
        name, version = canonicalize_name(match.group(1)), match.group(2)
        try:
            Version(version)
        except InvalidVersion:
            raise SvcgenError(f"{where}:{number}: {version!r} is not a version") from None
        if name in pins:
            raise SvcgenError(f"{where}:{number}: {name} is pinned twice")
        pins[name] = version
    return pins


def format_pins(pins: Mapping[str, str]) -> str:
    """The pins file's text: what it is, how it is refreshed, then one pin a line, sorted."""
    header = (
        "# The versions svcgen's template is tested with: every package (direct and\n"
        "# transitive, runtime and dev) that any framework x db x metrics x tracing service\n"
        "# resolves. `svcgen new` locks each service to exactly these (`uv lock -P`), and\n"
        "# `svcgen update` brings a service's lock up to them. Written by\n"
        "# `python -m scaffold.pins refresh` (RELEASING.md); do not edit by hand.\n"
    )
    lines = [f"{name}=={pins[name]}\n" for name in sorted(pins)]
    return header + "".join(lines)


def load_pins(root: Path) -> dict[str, str]:
    """The pins of the template at ``root``; empty when it has none (a release before them)."""
    path = root / PINS_FILE
    if not path.is_file():
        return {}
    return parse_pins(path.read_text(encoding="utf-8"))


def locked_versions(lock_text: str) -> dict[str, Version]:
    """Every registry package of a ``uv.lock`` and its version (the highest, if forked).

    The project itself (an editable or virtual source) is left out: it is no dependency.
    """
    try:
        data = tomllib.loads(lock_text)
    except tomllib.TOMLDecodeError as exc:
        raise SvcgenError(f"{LOCK_FILE} is not valid TOML: {exc}") from None
    versions: dict[str, Version] = {}
    for package in data.get("package", []):
        source = package.get("source", {})
        if not isinstance(source, dict) or "editable" in source or "virtual" in source:
            continue
        name, text = package.get("name"), package.get("version")
        if not isinstance(name, str) or not isinstance(text, str):
            continue
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        key = canonicalize_name(name)
        if key not in versions or version > versions[key]:
            versions[key] = version
    return versions


def lock_arguments(pins: Mapping[str, str], locked: Mapping[str, Version]) -> list[str]:
    """``-P name==version`` for each pin the service's lock is behind on (or lacks).

    Bump-only: a package the owner moved past the pin keeps its version (uv keeps what the
    lock has unless told otherwise), so an update never downgrades the owner's choice.
    """
    arguments: list[str] = []
    for name in sorted(pins):
        have = locked.get(name)
        if have is None or have < Version(pins[name]):
            arguments += ["-P", f"{name}=={pins[name]}"]
    return arguments


def uv_binary() -> str:
    """The uv that svcgen depends on (the ``uv`` package's binary), else one on PATH."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise SvcgenError("uv is not installed; reinstall svcgen (it depends on uv)") from None
        return found


@dataclass
class LockRun:
    """How a lock was made: from uv's cache alone, or with the index."""

    offline: bool


def uv_lock(
    project: Path, arguments: Sequence[str], *, upgrade: bool = False, online_only: bool = False
) -> LockRun:
    """``uv lock`` in ``project`` with ``arguments``: uv's cache first, then the index.

    ``upgrade`` asks the index for the newest versions; ``online_only`` skips the cache-only
    attempt (a refresh of the pins wants the index's view, not what happens to be cached).

    Raises :class:`Unreachable` when neither the cache nor the index has the versions, and
    :class:`SvcgenError` (uv's own first error line) for any other failure.
    """
    command = [uv_binary(), "lock", "--no-progress", "--python", sys.executable]
    command += ["--upgrade", *arguments] if upgrade else list(arguments)
    # The lock is made for this project, here: a user's UV_LOCKED or UV_FROZEN (meant for
    # their own syncs) would forbid writing it, and an active virtualenv is not its Python.
    ignored = {"VIRTUAL_ENV", "UV_PROJECT", "UV_LOCKED", "UV_FROZEN"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.setdefault("UV_HTTP_TIMEOUT", "30")
    if not (upgrade or online_only):
        offline = _run([*command, "--offline"], project, env, timeout=ONLINE_TIMEOUT)
        if offline is not None and offline.returncode == 0:
            return LockRun(offline=True)
        if offline is not None and not _unreachable(offline.stderr):
            raise SvcgenError(f"uv could not lock {project.name}: {_reason(offline.stderr)}")
    online = _run(command, project, env, timeout=ONLINE_TIMEOUT)
    if online is None or online.returncode != 0:
        stderr = "timed out" if online is None else online.stderr
        if _unreachable(stderr):
            raise Unreachable(_unreachable_reason(stderr))
        raise SvcgenError(f"uv could not lock {project.name}: {_reason(stderr)}")
    return LockRun(offline=False)


def _run(
    command: list[str], cwd: Path, env: dict[str, str], *, timeout: float
) -> subprocess.CompletedProcess[str] | None:
    """uv's run, or None when it took longer than ``timeout`` (a hung index)."""
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return None
    except OSError as exc:
        raise SvcgenError(f"cannot run uv ({command[0]}): {exc.strerror or exc}") from None


def _unreachable(stderr: str) -> bool:
    lowered = stderr.lower()
    return any(phrase in lowered for phrase in _UNREACHABLE)


def _unreachable_reason(stderr: str) -> str:
    """Why the index could not be reached, in a few words: uv's innermost cause."""
    if "network was disabled" in stderr:
        return "network access is off (UV_OFFLINE) and uv's cache lacks the tested versions"
    causes = [line.strip().removeprefix("cause:").strip() for line in stderr.splitlines()]
    causes = [c for c in causes if c and not c.startswith(("error:", "hint:"))]
    return causes[-1] if causes else "no answer from the package index"


def _reason(stderr: str) -> str:
    """uv's first ``error:`` line with its innermost ``cause:``, the one line a user needs."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.removeprefix("error:").strip() for line in lines if line.startswith("error:")]
    causes = [line.removeprefix("cause:").strip() for line in lines if line.startswith("cause:")]
    head = errors[0] if errors else (lines[-1] if lines else "unknown error")
    return f"{head} ({causes[-1]})" if causes else head


#: The answers every framework is locked with to refresh the pins: every option on, then off.
_REFRESH_VARIANTS = (
    {"db": "postgres", "metrics": True, "tracing": True},
    {"db": "none", "metrics": False, "tracing": False},
)


def refresh(root: Path) -> dict[str, str]:
    """Newest versions from the index that fit every framework with every option on and off.

    Every variant is rendered into a scratch directory. The requirements of all of them, put
    together in one probe project, are locked with ``--upgrade``: that gives the newest set in
    which each package has one version every service accepts (locked one by one, the Flask
    service would take an ``opentelemetry-util-http`` that FastAPI's instrumentation refuses,
    and a service without tracing a newer ``opentelemetry-api`` than the tracing packages
    allow). Then each variant is locked as ``svcgen new`` will lock it, with ``-P`` for every
    pin, and must come out at exactly those versions: the pins are proven to lock every
    service before they are written.
    """
    import tempfile

    from scaffold.catalogue import Catalogue
    from scaffold.generate import _copier_copy as copier_render

    frameworks = [str(v) for v in Catalogue.load(root)["framework"].choice_values]
    with tempfile.TemporaryDirectory(prefix="svcgen-pins-") as scratch:
        variants: dict[str, Path] = {}
        for framework in frameworks:
            for number, variant in enumerate(_REFRESH_VARIANTS):
                label = f"{framework} ({', '.join(f'{k}={v}' for k, v in variant.items())})"
                project = Path(scratch, f"{framework}-{number}", "pins-probe")
                answers = {"name": "pins-probe", "framework": framework, **variant}
                copier_render(root, project, answers)
                variants[label] = project
        union = Path(scratch, "union")
        union.mkdir()
        (union / "pyproject.toml").write_text(_union_project(variants.values()), encoding="utf-8")
        print(f"resolving the {len(variants)} variants together", file=sys.stderr)
        _lock_or_fail(union, [], "all variants together", upgrade=True)
        found = dict(_lock_entries((union / LOCK_FILE).read_text(encoding="utf-8")))
        for label, project in variants.items():
            print(f"locking {label} with the pins", file=sys.stderr)
            _lock_or_fail(project, lock_arguments(found, {}), label, upgrade=False)
            for name, version in _lock_entries((project / LOCK_FILE).read_text("utf-8")):
                if found.get(name) != version:
                    raise SvcgenError(
                        f"{label} locks {name} at {version}, not at the pin "
                        f"{found.get(name, '(none)')}; one pin cannot serve both"
                    )
    return found


def _union_project(projects: Iterable[Path]) -> str:
    """A virtual project requiring what every one of ``projects`` requires, runtime and dev."""
    import json

    requirements: set[str] = set()
    for project in projects:
        with (project / "pyproject.toml").open("rb") as stream:
            data = tomllib.load(stream)["project"]
        requirements.update(data.get("dependencies", []))
        for extra in data.get("optional-dependencies", {}).values():
            requirements.update(extra)
    listed = "".join(f"    {json.dumps(r)},\n" for r in sorted(requirements))
    return (
        '[project]\nname = "svcgen-pins-union"\nversion = "0"\n'
        f'requires-python = ">=3.11"\ndependencies = [\n{listed}]\n'
    )


def _lock_or_fail(project: Path, arguments: list[str], label: str, *, upgrade: bool) -> None:
    try:
        uv_lock(project, arguments, upgrade=upgrade, online_only=True)
    except Unreachable as exc:
        raise SvcgenError(f"the package index cannot be reached: {exc}") from None
    except SvcgenError as exc:
        raise SvcgenError(f"{label}: {exc}") from None


def _lock_entries(lock_text: str) -> list[tuple[str, str]]:
    """Each registry package of a lock with its version, as written (forks listed twice)."""
    entries: list[tuple[str, str]] = []
    for package in tomllib.loads(lock_text).get("package", []):
        source = package.get("source", {})
        if isinstance(source, dict) and ("editable" in source or "virtual" in source):
            continue
        entries.append((canonicalize_name(package["name"]), str(package["version"])))
    return entries


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scaffold.pins refresh`` rewrites the pins from the index, in a checkout.

    ``python -m scaffold.pins check`` parses them and exits 1 on a broken file.
    """
    from scaffold.template import template_root

    args = list(sys.argv[1:] if argv is None else argv)
    if args not in (["refresh"], ["check"]):
        print("usage: python -m scaffold.pins refresh|check", file=sys.stderr)
        return 2
    root = template_root()
    try:
        if args == ["check"]:
            print(f"{len(load_pins(root))} pins in {root / PINS_FILE}")
            return 0
        pins = refresh(root)
    except SvcgenError as exc:
        print(f"svcgen pins: error: {exc}", file=sys.stderr)
        return 1
    old = load_pins(root)
    (root / PINS_FILE).write_text(format_pins(pins), encoding="utf-8")
    changed = sorted(name for name in pins if old.get(name) != pins[name])
    removed = sorted(set(old) - set(pins))
    print(f"{len(pins)} pins written to {root / PINS_FILE}")
    for name in changed:
        print(f"  {name}: {old.get(name, '(new)')} -> {pins[name]}")
    for name in removed:
        print(f"  {name}: {old[name]} -> (no longer needed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
