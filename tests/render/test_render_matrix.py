"""Every template renders clean for every answer, including the awkward ones.

Answers end up inside generated code (see :mod:`tests.render.answers`). This renders every
framework x db, with metrics and tracing both on and both off, with such answers through the
CLI and checks the result the way the service's own CI would, without installing it: ruff
check and ruff format --check under the service's own config, Python that compiles, TOML and
YAML that parse. The end-to-end harness then proves the ordinary answers at run time.
"""

from __future__ import annotations

import itertools
import py_compile
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from scaffold.catalogue import Catalogue
from scaffold.template import template_root
from tests.render.answers import AUTHOR, TRICKY_DESCRIPTION

CATALOGUE = Catalogue.load(template_root())
COMBOS = list(
    itertools.product(
        CATALOGUE["framework"].choice_values, CATALOGUE["db"].choice_values, [True, False]
    )
)


def _ruff() -> str:
    return shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")


@pytest.fixture(params=COMBOS, ids=lambda c: f"{c[0]}-{c[1]}-metrics{c[2]}-tracing{c[2]}")
def rendered(request: pytest.FixtureRequest, awkward: Callable[..., Path]) -> Path:
    framework, db, optional = request.param
    return awkward(framework, db, metrics=optional, tracing=optional)


def test_ruff_check(rendered: Path) -> None:
    result = subprocess.run(
        [_ruff(), "check", "--no-cache", "."], cwd=rendered, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format(rendered: Path) -> None:
    result = subprocess.run(
        [_ruff(), "format", "--check", "--no-cache", "."],
        cwd=rendered,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_compiles(rendered: Path, tmp_path: Path) -> None:
    for source in rendered.rglob("*.py"):
        py_compile.compile(str(source), doraise=True, cfile=str(tmp_path / "compiled.pyc"))


def test_data_files_parse(rendered: Path) -> None:
    pyproject = tomllib.loads((rendered / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == TRICKY_DESCRIPTION
    assert pyproject["project"]["authors"][0]["name"] == AUTHOR
    for name in ("compose.yaml", ".github/workflows/ci.yml", ".pre-commit-config.yaml"):
        assert yaml.safe_load((rendered / name).read_text()), name
    answers = yaml.safe_load((rendered / ".copier-answers.yml").read_text())
    assert answers["description"] == TRICKY_DESCRIPTION


def test_no_jinja_left_behind(rendered: Path) -> None:
    leftovers = [
        str(path.relative_to(rendered))
        for path in rendered.rglob("*")
        if path.is_file()
        and any(mark in path.read_text(errors="ignore") for mark in ("{%", "%}", "{#", "#}"))
    ]
    assert leftovers == [], "unrendered Jinja in generated files"
