"""A non-editable install from a clean copy of the repository gives a working svcgen.

The wheel must carry the template (copier.yml and templates/) inside the package: this test
builds it from a copy of the tracked files, installs it in a fresh virtualenv, and generates
a service from a directory far from the checkout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from scaffold.catalogue import Catalogue
from scaffold.template import template_root
from tests.checkout import build_wheel, copy_working_tree, install_wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with svcgen installed from a wheel built off the working tree."""
    work = tmp_path_factory.mktemp("install")
    clean = work / "clean"
    copy_working_tree(clean)
    wheel = build_wheel(clean, work / "dist")
    venv = work / "venv"
    install_wheel(wheel, venv)
    shutil.rmtree(clean)  # nothing may depend on the checkout any more
    return venv


def test_wheel_carries_the_template(installed: Path) -> None:
    (wheel,) = installed.parent.glob("dist/svcgen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "scaffold/template/copier.yml" in names
    for framework in Catalogue.load(template_root())["framework"].choice_values:
        assert any(n.startswith(f"scaffold/template/templates/{framework}/") for n in names)
    assert any(n.startswith("scaffold/template/templates/_shared/") for n in names)


def test_installed_svcgen_generates_a_service(installed: Path, tmp_path: Path) -> None:
    svcgen = installed / "bin" / "svcgen"
    listed = subprocess.run([svcgen, "list", "--json"], capture_output=True, text=True, check=True)
    assert json.loads(listed.stdout)["questions"]
    result = subprocess.run(
        [svcgen, "new", "far-away", "--framework", "fastapi", "--db", "postgres", "--no-input"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    service = tmp_path / "far-away"
    assert (service / "Dockerfile").is_file()
    assert (service / "src" / "far_away").is_dir()
    answers = (service / ".copier-answers.yml").read_text()
    assert "framework: fastapi" in answers
