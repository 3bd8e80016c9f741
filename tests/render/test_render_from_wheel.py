"""A service rendered by an installed svcgen carries its sources and nothing else.

An installed wheel holds the template as plain files under ``scaffold/template/``, where the
installer may byte-compile the template's plain ``.py`` files (pip does by default), and copier
drops its default exclusions once ``_subdirectory`` is set. So this test byte-compiles the
installed template first, checks that this made ``__pycache__`` directories there, and then
renders every framework: only copier.yml's ``_exclude`` rules can keep them out of a service.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scaffold.catalogue import Catalogue
from scaffold.template import template_root
from tests.checkout import installed_from_working_tree

FRAMEWORKS = [str(v) for v in Catalogue.load(template_root())["framework"].choice_values]


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """svcgen installed from the wheel, its template byte-compiled as pip would leave it."""
    venv = installed_from_working_tree(tmp_path_factory.mktemp("wheel"))
    python = str(venv / "bin" / "python")
    where = subprocess.run(
        [python, "-c", "from scaffold.template import template_root; print(template_root())"],
        capture_output=True,
        text=True,
        check=True,
    )
    installed_template = Path(where.stdout.strip())
    assert venv in installed_template.parents, installed_template
    # -q: quiet; exit status ignored, since what matters is the bytecode left beside the sources.
    subprocess.run([python, "-m", "compileall", "-q", str(installed_template)], check=False)
    compiled = [p for p in installed_template.rglob("*.pyc") if p.parent.name == "__pycache__"]
    assert compiled, f"byte-compiling {installed_template} left no __pycache__ to leave out"
    return venv


def _bytecode(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.name == "__pycache__" or p.suffix in {".pyc", ".pyo"}
    )


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("db", ["none", "postgres"])
def test_service_from_the_wheel_has_no_bytecode(
    venv: Path, framework: str, db: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [venv / "bin" / "svcgen", "new", "from-wheel", "--framework", framework, "--db", db,
         "--no-input", "--no-git"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    service = tmp_path / "from-wheel"
    assert list(service.glob("src/from_wheel/*.py")), "the service has no Python sources"
    assert _bytecode(service) == []
