"""Every service installs, builds and describes itself from its uv.lock.

For each framework x db, in a fresh clone of the generated service (what an owner has): the
lock is made by ``make lock`` when the service has none (plain copier, or an svcgen that does
not write one) and left as it is when it has one; ``make install`` then syncs a fresh venv from
it, ``make sbom`` lists the framework at its locked version, and ``make install`` refuses a lock
that is missing or no longer matches pyproject.toml with the one line the Makefile promises.
The Dockerfile's two ``uv sync`` steps run as written on a build context of exactly what
``.dockerignore`` lets in (the container stage builds the real image).

``make`` runs with no uv on PATH, as on a newcomer's machine, so the Makefile's bootstrap (pip
installs the pinned uv into the venv) is what installs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from tests.checkout import uv
from tests.e2e.harness import GeneratedService, Result, _run

#: The package that is the framework, whose locked version the SBOM must name.
FRAMEWORK_PACKAGE = {"fastapi": "fastapi", "flask": "flask", "django": "django", "asab": "asab"}
STALE = "uv.lock does not match pyproject.toml: run `make lock` to refresh it, then commit it"
#: A small package none of the services depends on, added by the owner in the test.
ADDED = "tomli-w"
MISSING = "uv.lock is missing: run `make lock` to create it, then commit it"


def _path_without_uv() -> str:
    return os.pathsep.join(
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not (Path(entry) / "uv").exists()
    )


@pytest.fixture(scope="module")
def owner_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTEST"))}
    env["PATH"] = _path_without_uv()
    if shutil.which("python3", path=env["PATH"]) is None:
        env["PYTHON"] = sys.executable  # the Makefile's PYTHON: make the venv with this one
    for tool in ("make", "git"):
        assert shutil.which(tool, path=env["PATH"]), f"{tool} is not on PATH"
    return env


def _make(target: str, cwd: Path, env: dict[str, str]) -> Result:
    return _run(["make", target], cwd=cwd, env=env, timeout=900)


def _locked_versions(lock: Path) -> dict[str, str]:
    packages = tomllib.loads(lock.read_text())["package"]
    return {p["name"]: p["version"] for p in packages if "version" in p}


def test_installs_and_describes_itself_from_the_lock(
    service: GeneratedService, owner_env: dict[str, str], tmp_path: Path
) -> None:
    clone = tmp_path / service.name
    _run(["git", "clone", "-q", str(service.path), str(clone)], cwd=tmp_path).check()
    lock = clone / "uv.lock"
    committed = lock.read_text() if lock.exists() else None
    _make("lock", clone, owner_env).check()
    if committed is not None:
        assert lock.read_text() == committed, "make lock changed the lock svcgen committed"

    assert (clone / ".venv" / "bin" / "uv").exists(), "make did not bootstrap uv into the venv"
    _make("install", clone, owner_env).check()
    locked = _locked_versions(lock)
    package = FRAMEWORK_PACKAGE[service.framework]
    python = str(clone / ".venv" / "bin" / "python")
    probe = (
        "import importlib.metadata as m, sys; print(m.version(sys.argv[1]), m.version('pytest'))"
    )
    versions = _run([python, "-c", probe, package], cwd=clone, env=owner_env).check()
    assert versions.output.split() == [locked[package], locked["pytest"]], versions.output
    _run([python, "-c", f"import {service.package}.app"], cwd=clone, env=owner_env).check()

    _make("sbom", clone, owner_env).check()
    sbom = json.loads((clone / "sbom.cdx.json").read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    assert sbom["metadata"]["component"]["name"] == service.name
    components = {c["name"]: c for c in sbom["components"]}
    assert components[package]["version"] == locked[package]
    assert components[package]["purl"] == f"pkg:pypi/{package}@{locked[package]}"
    assert "pytest" not in components, "the SBOM describes the image, which has no dev tools"
    status = _run(["git", "status", "--porcelain"], cwd=clone).check().output
    assert "sbom.cdx.json" not in status, status
    assert ".venv" not in status, status

    # An owner adds a dependency and forgets the lock: install stops, saying what to run.
    assert ADDED not in locked
    pyproject = clone / "pyproject.toml"
    edited = pyproject.read_text().replace(
        "dependencies = [\n", f'dependencies = [\n    "{ADDED}>=1.0",\n', 1
    )
    assert edited != pyproject.read_text()
    pyproject.write_text(edited)
    stale = _make("install", clone, owner_env)
    assert stale.returncode != 0, stale.output
    assert STALE in stale.output, stale.output
    assert f"+ {ADDED}" not in stale.output, "installed a package the lock does not hold"
    lock.unlink()
    missing = _make("install", clone, owner_env)
    assert missing.returncode != 0, missing.output
    assert MISSING in missing.output, missing.output
    _make("lock", clone, owner_env).check()
    _make("install", clone, owner_env).check()
    assert ADDED in _locked_versions(lock)


def _run_steps(dockerfile: str) -> list[str]:
    """The shell of each RUN instruction of the build stage (continuation lines joined)."""
    build = dockerfile.split(" AS runtime", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", build)
    return [line[4:] for line in joined.splitlines() if line.startswith("RUN ")]


def test_dockerfile_installs_from_the_lock(
    service: GeneratedService, owner_env: dict[str, str], tmp_path: Path
) -> None:
    """The build stage's uv steps, as written, on the files the build context holds."""
    source = tmp_path / "source"
    _run(["git", "clone", "-q", str(service.path), str(source)], cwd=tmp_path).check()
    if not (source / "uv.lock").exists():
        _run([uv(), "lock", "-q"], cwd=source, env=owner_env).check()
    dockerignore = (source / ".dockerignore").read_text().splitlines()
    allowed = [line[1:].rstrip("/") for line in dockerignore if line.startswith("!")]
    assert "uv.lock" in allowed, dockerignore
    steps = [step for step in _run_steps((source / "Dockerfile").read_text()) if " sync " in step]
    assert len(steps) == 2, steps
    assert "--no-install-project" in steps[0], steps
    for step in steps:
        words = shlex.split(step)
        assert words[0].endswith("/uv"), step
        for flag in ("--locked", "--no-dev", "--no-editable", "--compile-bytecode"):
            assert flag in words, step

    context = tmp_path / "context"
    context.mkdir()
    venv = tmp_path / "opt-venv"
    env = dict(owner_env, UV_PROJECT_ENVIRONMENT=str(venv), UV_PYTHON_DOWNLOADS="never")
    for name in ("pyproject.toml", "uv.lock"):  # the first COPY: the dependencies alone
        shutil.copy(source / name, context)
    _run([uv(), *shlex.split(steps[0])[1:]], cwd=context, env=env).check()
    shutil.copy(source / "README.md", context)
    shutil.copytree(source / "src", context / "src")
    _run([uv(), *shlex.split(steps[1])[1:]], cwd=context, env=env).check()
    python = str(venv / "bin" / "python")
    _run([python, "-c", f"import {service.package}.app"], cwd=tmp_path, env=env).check()
    tools = [name for name in ("pytest", "mypy", "ruff") if (venv / "bin" / name).exists()]
    assert not tools, f"the image's venv carries dev tools: {tools}"
    assert not any(venv.rglob("__editable__*")), "the service must be installed, not linked"
