"""The service names copier.yml reserves, derived from what the generated services install.

A service named ``pip`` or ``werkzeug`` would have a package that shadows a module of its own
virtualenv (``make install`` with a package named ``pip`` uninstalls the venv's pip). So the
name validator refuses every import name the services' virtualenvs hold. That list is written
out in copier.yml, where copier and svcgen both read it; this test derives it from the
templates as they are: it renders every framework and database, installs each service's
dependencies (runtime, every extra and dependency group, and the build backend, with their
dependencies) into a scratch directory with uv, reads the import names from the installed
distributions' ``RECORD`` and ``top_level.txt``, and fails naming every one the validator
still accepts. A template that adds a dependency therefore fails here until copier.yml
reserves its import names.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest

from scaffold.catalogue import Catalogue

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Catalogue.load(ROOT)
SVCGEN = shutil.which("svcgen", path=str(Path(sys.executable).parent)) or shutil.which("svcgen")
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")

#: What a service's tree or its tools import beside its dependencies: pip, setuptools and wheel
#: are in every virtualenv; tests/conftest are pytest's; src and migrations are folders.
ALWAYS_RESERVED = {"pip", "setuptools", "wheel", "test", "tests", "conftest", "src", "migrations"}

#: What an importable module's file name ends with.
MODULE_SUFFIXES = (".py", ".pyi", ".so", ".pyd")

#: A module name that a service's package (its name with ``-`` as ``_``) could collide with.
PACKAGE_LIKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*\Z")

pytestmark = pytest.mark.skipif(
    SVCGEN is None or UV is None, reason="needs the installed svcgen and uv"
)


def _requirements(pyproject: dict[str, object]) -> list[str]:
    """Every requirement a service can install: runtime, extras, groups and build backend."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    found: list[str] = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        found += extra
    for group in pyproject.get("dependency-groups", {}).values():  # type: ignore[union-attr]
        found += [item for item in group if isinstance(item, str)]
    build = pyproject.get("build-system", {})
    assert isinstance(build, dict)
    found += build.get("requires", [])
    return found


def _import_names(dist_info: Path) -> set[str]:
    """The top-level modules and packages one installed distribution provides."""
    names: set[str] = set()
    top_level = dist_info / "top_level.txt"
    if top_level.is_file():
        names |= {line.strip() for line in top_level.read_text().splitlines() if line.strip()}
    record = dist_info / "RECORD"
    if record.is_file():
        for line in record.read_text().splitlines():
            path = line.split(",", 1)[0]
            first, _, rest = path.partition("/")
            if not first or first.startswith("..") or first.endswith((".dist-info", ".data")):
                continue
            if first == "__pycache__" or first.endswith(".pth"):
                continue
            if first == "bin":
                continue  # scripts: `--target` puts them here, a virtualenv outside site-packages
            if not path.endswith(MODULE_SUFFIXES):
                continue  # data beside the code: scripts in bin/, C headers in include/
            # A module at the top, or one inside a package (or a namespace package).
            names.add(first if rest else first.split(".", 1)[0])
    return names


def _installed_import_names(requirements: Iterable[str], scratch: Path) -> dict[str, set[str]]:
    """Install ``requirements`` and their dependencies into ``scratch``; dist -> import names."""
    listing = scratch / "requirements.txt"
    listing.write_text("\n".join(sorted(set(requirements))) + "\n")
    target = scratch / "site"
    done = subprocess.run(
        [UV or "uv", "pip", "install", "-q", "--target", str(target), "-r", str(listing)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, "UV_PYTHON": sys.executable},
    )
    if done.returncode != 0:
        pytest.skip(f"uv could not install the services' dependencies: {done.stderr[-500:]}")
    return {
        dist.name.split("-", 1)[0]: _import_names(dist)
        for dist in sorted(target.glob("*.dist-info"))
    }


@pytest.fixture(scope="module")
def service_requirements(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each framework's requirements over every database, from the rendered pyproject.toml."""
    out = tmp_path_factory.mktemp("rendered")
    frameworks = CATALOGUE["framework"].choice_values
    databases = CATALOGUE["db"].choice_values
    found: dict[str, list[str]] = {framework: [] for framework in frameworks}
    for framework, db in itertools.product(frameworks, databases):
        name = f"probe-{framework}-{db}"
        made = subprocess.run(
            [
                SVCGEN or "svcgen",
                "new",
                name,
                "-f",
                framework,
                "--db",
                db,
                "--no-input",
                "--no-git",
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert made.returncode == 0, made.stderr
        pyproject = tomllib.loads((out / name / "pyproject.toml").read_text())
        found[framework] += _requirements(pyproject)
    return found


def _refused(name: str) -> bool:
    question = CATALOGUE["name"]
    return bool(CATALOGUE.problem_with(question, name.replace("_", "-"), {}))


def test_every_import_name_the_services_install_is_reserved(
    service_requirements: dict[str, list[str]], tmp_path: Path
) -> None:
    # One install per framework: the frameworks' pins need not agree with each other.
    by_dist: dict[str, set[str]] = {}
    for framework, requirements in service_requirements.items():
        scratch = tmp_path / framework
        scratch.mkdir()
        for dist, names in _installed_import_names(requirements, scratch).items():
            by_dist.setdefault(dist, set()).update(names)
    derived = set().union(*by_dist.values()) | ALWAYS_RESERVED
    reachable = {name for name in derived if PACKAGE_LIKE.match(name) and len(name) <= 50}
    missing = sorted(name for name in reachable if not _refused(name))
    owners = {
        name: sorted(dist for dist, names in by_dist.items() if name in names) for name in missing
    }
    assert not missing, (
        "copier.yml's reserved_deps lacks these import names of what the services install "
        f"(add them, sorted): {missing}\nfrom: {owners}"
    )


def test_reserved_list_is_one_sorted_list_without_duplicates() -> None:
    validator = CATALOGUE["name"].validator or ""
    match = re.search(r"set reserved_deps = \[(.*?)\]", validator, re.DOTALL)
    assert match, "copier.yml's name validator has no reserved_deps list"
    names = re.findall(r'"([^"]+)"', match.group(1))
    assert names == sorted(set(names)), "keep reserved_deps sorted and free of duplicates"
    assert set(names) >= ALWAYS_RESERVED
