"""Every template renders clean for every answer, including the awkward ones.

Answers end up inside generated code: a 50-character name in an import line, a description
with quotes in a docstring, TOML and YAML. This renders every framework x db x metrics with
such answers through the CLI and checks the result the way the service's own CI would,
without installing it: ruff check and ruff format --check under the service's own config,
Python that compiles, TOML and YAML that parse. The end-to-end harness then proves the
ordinary answers at run time.
"""

from __future__ import annotations

import itertools
import py_compile
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from scaffold.catalogue import Catalogue
from scaffold.template import template_root

CATALOGUE = Catalogue.load(template_root())
LONG_NAME = "a-very-long-service-name-for-checking-line-lengths"  # 50 characters, the maximum
TRICKY_DESCRIPTION = (
    'Prices "quoted" and \\back\\slashed, {{ not jinja }}, émigré café, tab\tand '
    "'single' quotes; long enough to wrap any line it lands in" + "." * 40
)
COMBOS = list(
    itertools.product(
        CATALOGUE["framework"].choice_values, CATALOGUE["db"].choice_values, [True, False]
    )
)


def _ruff() -> str:
    return shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")


@pytest.fixture(scope="module", params=COMBOS, ids=lambda c: f"{c[0]}-{c[1]}-metrics{c[2]}")
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    framework, db, metrics = request.param
    out = tmp_path_factory.mktemp("render")
    result = subprocess.run(
        [
            sys.executable, "-m", "scaffold", "new", LONG_NAME, "--framework", framework,
            "--db", db, "--data", f"metrics={str(metrics).lower()}",
            "--data", f"description={TRICKY_DESCRIPTION}",
            "--data", 'author_name=Ada "The Countess" Lovelace',
            "--data", "author_email=ada@example.org", "--no-input", "--no-git", "-o", str(out),
        ],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out / LONG_NAME


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


def test_python_compiles(rendered: Path) -> None:
    for source in rendered.rglob("*.py"):
        py_compile.compile(str(source), doraise=True, cfile=str(source) + ".check")


def test_data_files_parse(rendered: Path) -> None:
    pyproject = tomllib.loads((rendered / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == TRICKY_DESCRIPTION
    assert pyproject["project"]["authors"][0]["name"] == 'Ada "The Countess" Lovelace'
    for name in ("compose.yaml", ".github/workflows/ci.yml", ".pre-commit-config.yaml"):
        assert yaml.safe_load((rendered / name).read_text()), name
    answers = yaml.safe_load((rendered / ".copier-answers.yml").read_text())
    assert answers["description"] == TRICKY_DESCRIPTION


def test_no_jinja_left_behind(rendered: Path) -> None:
    leftovers = [
        str(path.relative_to(rendered))
        for path in rendered.rglob("*")
        if path.is_file()
        and path.suffix != ".check"
        and any(mark in path.read_text(errors="ignore") for mark in ("{%", "%}", "{#", "#}"))
    ]
    assert leftovers == [], "unrendered Jinja in generated files"
