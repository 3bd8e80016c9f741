"""The files that install, build and audit a service from its lock, checked as rendered.

The end-to-end tier runs ``make install``/``lock``/``sbom`` for real; here every framework x db
is checked for what needs no install: Dependabot's configuration against its schema (and that
the framework's packages arrive in one pull request), the CI workflow against its schema and
its dependency steps, the Makefile's targets as ``make -n`` prints them, and the uv and Python
versions that the Makefile, the Dockerfile and the container stage's stand-in images must share.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from scaffold.catalogue import Catalogue
from scaffold.template import template_root
from tests.containers.engine import python_image_tags
from tests.render.answers import PYTHON

CATALOGUE = Catalogue.load(template_root())
COMBOS = [
    (framework, db)
    for framework in CATALOGUE["framework"].choice_values
    for db in CATALOGUE["db"].choice_values
]
FRAMEWORK_PACKAGE = {"fastapi": "fastapi", "flask": "flask", "django": "django", "asab": "asab"}


@pytest.fixture(params=COMBOS, ids=lambda c: f"{c[0]}-{c[1]}")
def rendered(request: pytest.FixtureRequest, awkward: Callable[..., Path]) -> Path:
    framework, db = request.param
    return awkward(framework, db)


def _framework(rendered: Path) -> str:
    return str(yaml.safe_load((rendered / ".copier-answers.yml").read_text())["framework"])


def _check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    return subprocess.run(
        [tool, "--builtin-schema", schema, str(path)], capture_output=True, text=True, check=False
    )


def test_dependabot_config_is_valid_and_groups_the_framework(
    rendered: Path, tmp_path: Path
) -> None:
    path = rendered / ".github" / "dependabot.yml"
    checked = _check_jsonschema("vendor.dependabot", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = yaml.safe_load(path.read_text())
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"uv", "github-actions"}
    framework_group = updates["uv"]["groups"]["framework"]["patterns"]
    assert FRAMEWORK_PACKAGE[_framework(rendered)] in framework_group
    assert updates["uv"]["groups"]["opentelemetry"]["patterns"] == ["opentelemetry-*"]
    # The schema is strict enough to catch a wrong ecosystem name.
    broken = tmp_path / "dependabot.yml"
    broken.write_text(path.read_text().replace("package-ecosystem: uv", "package-ecosystem: uvx"))
    assert _check_jsonschema("vendor.dependabot", broken).returncode != 0


def test_ci_installs_from_the_lock_and_publishes_the_sbom(rendered: Path) -> None:
    path = rendered / ".github" / "workflows" / "ci.yml"
    checked = _check_jsonschema("vendor.github-workflows", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    jobs = yaml.safe_load(path.read_text())["jobs"]
    runs = {name: [step.get("run", "") for step in job["steps"]] for name, job in jobs.items()}
    for job in ("lint", "test"):
        assert "make install" in runs[job], runs[job]
        assert not any("pip install" in run for run in runs[job]), runs[job]
    steps = jobs["dependencies"]["steps"]
    assert [s.get("run") for s in steps if s.get("run", "").startswith("make ")] == [
        "make sbom",
        "make audit",
    ]
    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == "sbom.cdx.json"


def _dry_run(rendered: Path, target: str) -> str:
    done = subprocess.run(
        ["make", "-n", target], cwd=rendered, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_targets_read_the_lock(rendered: Path) -> None:
    listed = subprocess.run(["make", "help"], cwd=rendered, capture_output=True, text=True)
    helped = {line.split()[0] for line in listed.stdout.splitlines() if line.strip()}
    assert {"install", "lock", "outdated", "sbom", "audit"} <= helped, listed.stdout
    assert "sync --locked --extra dev" in _dry_run(rendered, "install")
    assert re.search(r"uv lock$", _dry_run(rendered, "lock"), re.MULTILINE)
    assert "tree --locked --outdated" in _dry_run(rendered, "outdated")
    sbom = _dry_run(rendered, "sbom")
    assert "--locked --format cyclonedx1.5" in sbom
    assert "--output-file sbom.cdx.json" in sbom
    audit = _dry_run(rendered, "audit")
    assert "pip-audit --strict --disable-pip --require-hashes" in audit
    assert "sbom.cdx.json" in (rendered / ".gitignore").read_text().splitlines()
    assert "!uv.lock" in (rendered / ".dockerignore").read_text().splitlines()


def test_uv_and_python_versions_agree(rendered: Path) -> None:
    makefile = (rendered / "Makefile").read_text()
    dockerfile = (rendered / "Dockerfile").read_text()
    (make_uv,) = re.findall(r"^UV_VERSION \?= (\S+)$", makefile, re.MULTILINE)
    (docker_uv,) = re.findall(r"^ARG UV_VERSION=(\S+)$", dockerfile, re.MULTILINE)
    assert make_uv == docker_uv
    (image,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.MULTILINE)
    assert image.startswith(f"{PYTHON}."), f"{image} is not Python {PYTHON} by its full version"
    assert re.fullmatch(r"3\.\d+\.\d+-slim-\w+", image), image
    assert f"python:{image}" in python_image_tags(), "the container stage has no stand-in for it"
    froms = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert froms == ["python:${PYTHON_IMAGE}", "python:${PYTHON_IMAGE}"], froms
