"""``svcgen update``, ``check`` and ``status`` across two real template versions.

A module fixture copies the working tree into a temporary repository, tags it as this
svcgen's version, generates one service per framework (and one from a wheel built at that
tag), then changes the shared templates, adds a copier migration, bumps the version and tags
the next release. Every test updates copies of those services with the svcgen of the newer
tag, exactly as a developer would after pulling a release.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from scaffold import __version__
from scaffold.catalogue import Catalogue
from scaffold.template import template_root
from tests.checkout import build_wheel, copy_working_tree, install_wheel
from tests.e2e.harness import PG_ADMIN_URL, GeneratedService, postgres_reachable

pytestmark = pytest.mark.e2e

FRAMEWORKS = [str(v) for v in Catalogue.load(template_root())["framework"].choice_values]
MAJOR, MINOR, _ = (int(part) for part in __version__.split("."))
V1, V2 = __version__, f"{MAJOR}.{MINOR + 1}.0"

#: What the next release changes in the shared templates: every framework renders these.
TEMPLATE_EDITS = {
    "templates/_shared/gitignore.jinja": ("append", "# svcgen-next: template ignore line\n"),
    "templates/_shared/env.example.jinja": ("append", "# svcgen-next: template setting\n"),
    "templates/_shared/Dockerfile.jinja": ("append", "# svcgen-next: template docker line\n"),
    "templates/_shared/README.md.jinja": ("first", "# {{ name }} (svcgen-next title)\n"),
}
MIGRATION = "\n_migrations:\n  - version: v{v2}\n    command: touch MIGRATED-BY-SVCGEN\n"


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


@dataclass
class History:
    repo: Path
    pristine: dict[str, Path] = field(default_factory=dict)
    wheel_venv: Path | None = None
    wheel_service: Path | None = None

    def svcgen(self, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
        """The development svcgen of the temporary repository (its checkout serves)."""
        return subprocess.run(
            [sys.executable, "-m", "scaffold", *args],
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(self.repo / "src"), **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def _release_next(repo: Path) -> None:
    for rel, (how, text) in TEMPLATE_EDITS.items():
        path = repo / rel
        old = path.read_text()
        path.write_text(old + text if how == "append" else text + old.split("\n", 1)[1])
    with (repo / "copier.yml").open("a") as stream:
        stream.write(MIGRATION.format(v2=V2))
    init = repo / "src" / "scaffold" / "__init__.py"
    init.write_text(init.read_text().replace(f'"{V1}"', f'"{V2}"'))
    git("commit", "-qam", f"Release {V2}", cwd=repo)
    git("tag", f"v{V2}", cwd=repo)


def _install_wheel(repo: Path, venv: Path, dist: Path, version: str) -> None:
    wheel = build_wheel(repo, dist)
    assert wheel.name.startswith(f"svcgen-{version}-"), wheel.name
    install_wheel(wheel, venv)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    work = tmp_path_factory.mktemp("update-history")
    repo = work / "repo"
    copy_working_tree(repo)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", f"Release {V1}", cwd=repo)
    git("tag", f"v{V1}", cwd=repo)
    hist = History(repo)
    made = work / "v1"
    made.mkdir()
    for framework in FRAMEWORKS:
        name = f"svc-{framework}"
        result = hist.svcgen("new", name, "--framework", framework, "--no-input", cwd=made)
        assert result.returncode == 0, result.stderr
        hist.pristine[framework] = made / name
    # A service made by an installed wheel of this release, updated later by the next wheel.
    hist.wheel_venv = work / "venv"
    _install_wheel(repo, hist.wheel_venv, work / "first", V1)
    far = work / "far"
    far.mkdir()
    made_by_wheel = subprocess.run(
        [hist.wheel_venv / "bin" / "svcgen", "new", "far-away", "-f", "fastapi", "--no-input"],
        cwd=far,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert made_by_wheel.returncode == 0, made_by_wheel.stderr
    hist.wheel_service = far / "far-away"
    _release_next(repo)
    _install_wheel(repo, hist.wheel_venv, work / "next", V2)
    return hist


def _service(history: History, framework: str, tmp_path: Path) -> Path:
    copy = tmp_path / f"svc-{framework}"
    shutil.copytree(history.pristine[framework], copy, symlinks=True)
    return copy


def _owner_edits(service: Path) -> None:
    """Edits in files the next release also changes: one merges, one conflicts, one deletion."""
    gitignore = service / ".gitignore"
    gitignore.write_text("owner-ignored/\n" + gitignore.read_text())
    readme = service / "README.md"
    readme.write_text("# Owner's own title\n" + readme.read_text().split("\n", 1)[1])
    (service / "Dockerfile").unlink()
    git("add", "-A", cwd=service)
    git("commit", "-qm", "Owner edits", cwd=service)


def _states(report: dict[str, object]) -> dict[str, str]:
    return {f["path"]: f["state"] for f in report["files"]}  # type: ignore[index, attr-defined]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_update_keeps_owner_edits_and_brings_template_changes(
    history: History, framework: str, tmp_path: Path
) -> None:
    service = _service(history, framework, tmp_path)
    _owner_edits(service)
    head = git("rev-parse", "HEAD", cwd=service)

    checked = history.svcgen("check", str(service), cwd=tmp_path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "behind" in checked.stdout

    planned = history.svcgen("update", str(service), "--plan", "--json", cwd=tmp_path)
    assert planned.returncode == 1, planned.stderr
    plan = json.loads(planned.stdout)
    assert plan["applied"] is False
    assert plan["conflicts"] == ["README.md"]
    states = _states(plan)
    assert states[".gitignore"] == "merged"
    assert states[".env.example"] == "template"
    assert states["Dockerfile"] == "deleted"
    assert git("status", "--porcelain", cwd=service) == ""  # the plan changed nothing
    assert not (service / "MIGRATED-BY-SVCGEN").exists()

    updated = history.svcgen("update", str(service), "--json", cwd=tmp_path)
    assert updated.returncode == 1, updated.stderr
    report = json.loads(updated.stdout)
    assert report["conflicts"] == plan["conflicts"]
    assert _states(report) == states
    assert git("rev-parse", "HEAD", cwd=service) == head  # left uncommitted for review
    gitignore = (service / ".gitignore").read_text()
    assert gitignore.startswith("owner-ignored/\n")
    assert "# svcgen-next: template ignore line" in gitignore
    assert "# svcgen-next: template setting" in (service / ".env.example").read_text()
    assert not (service / "Dockerfile").exists()
    readme = (service / "README.md").read_text()
    assert "<<<<<<< before updating" in readme
    assert "# Owner's own title" in readme
    assert "(svcgen-next title)" in readme
    assert (service / "MIGRATED-BY-SVCGEN").exists()  # the release's copier migration ran
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert answers["_commit"] == f"v{V2}"

    human = history.svcgen("check", str(service), cwd=tmp_path)
    assert human.returncode == 1, human.stdout  # up to date, but a conflict is left
    assert "up to date" in human.stdout
    assert "unresolved conflict in README.md" in human.stdout


def test_conflicts_as_rej_files_exit_1(history: History, tmp_path: Path) -> None:
    service = _service(history, "fastapi", tmp_path)
    _owner_edits(service)
    updated = history.svcgen("update", str(service), "--conflict", "rej", cwd=tmp_path)
    assert updated.returncode == 1, updated.stderr
    assert (service / "README.md.rej").exists()
    assert "conflict" in updated.stdout
    assert "README.md" in updated.stdout
    assert "reset --hard" in updated.stdout


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_data_db_postgres_brings_the_database_files(
    history: History, framework: str, tmp_path: Path
) -> None:
    service = _service(history, framework, tmp_path)
    updated = history.svcgen("update", str(service), "--data", "db=postgres", cwd=tmp_path)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "answer db: none -> postgres" in updated.stdout
    fresh = tmp_path / "fresh"
    made = history.svcgen(
        "new",
        service.name,
        "-f",
        framework,
        "--db",
        "postgres",
        "--no-input",
        "--no-git",
        "-o",
        str(fresh),
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    got, want = _tree(service), _tree(fresh / service.name)
    got.pop("MIGRATED-BY-SVCGEN")
    # With no owner edits, the updated service is exactly a new one made with db=postgres.
    assert sorted(got) == sorted(want)
    assert [p for p in got if got[p] != want[p]] == []


def test_refusals_and_exit_codes(history: History, tmp_path: Path) -> None:
    service = _service(history, "fastapi", tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        (["update", str(empty)], 2, "not a svcgen service"),
        (["check", str(empty)], 2, "not a svcgen service"),
        (["update", str(service), "--to", "9.9.9"], 2, "unknown version v9.9.9"),
        (["update", str(service), "--to", "0.0.1"], 2, "downgrade"),
        (["update", str(service), "--to", "banana"], 2, "release version"),
        (["update", str(service), "--conflict", "theirs"], 2, "inline or rej"),
        (["update", str(service), "--data", "framework=flask"], 2, "framework cannot change"),
        (["update", str(service), "--data", "db=mysql"], 2, "db must be one of"),
        (["update", str(service), "--data", "colour=red"], 2, "unknown key"),
    ]
    for args, code, message in cases:
        result = history.svcgen(*args, cwd=tmp_path)
        assert result.returncode == code, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    (service / "README.md").write_text("dirty\n")
    dirty = history.svcgen("update", str(service), cwd=tmp_path)
    assert dirty.returncode == 1
    assert "uncommitted changes" in dirty.stderr
    no_git = tmp_path / "no-git"
    shutil.copytree(history.pristine["fastapi"], no_git, ignore=shutil.ignore_patterns(".git"))
    refused = history.svcgen("update", str(no_git), cwd=tmp_path)
    assert refused.returncode == 1
    assert "not in a git repository" in refused.stderr


def test_status_and_update_all(history: History, tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    for framework in FRAMEWORKS[:2]:
        shutil.copytree(history.pristine[framework], fleet / framework, symlinks=True)
    (fleet / FRAMEWORKS[1] / "Makefile").write_text("dirty\n")
    status = history.svcgen("status", str(fleet), "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    rows = {Path(r["path"]).name: r for r in json.loads(status.stdout)["services"]}
    assert rows[FRAMEWORKS[0]]["state"] == "behind"
    assert rows[FRAMEWORKS[0]]["dirty"] is False
    assert rows[FRAMEWORKS[1]]["dirty"] is True
    table = history.svcgen("status", str(fleet), cwd=tmp_path)
    assert re.search(
        rf"svc-{FRAMEWORKS[0]}\s+{FRAMEWORKS[0]}\s+v{V1}\s+behind\s+clean", table.stdout
    )

    updated = history.svcgen("update", "--all", str(fleet), cwd=tmp_path)
    assert updated.returncode == 1  # one service could not be updated
    assert "failed" in updated.stdout
    assert "uncommitted changes" in updated.stdout
    answers = yaml.safe_load((fleet / FRAMEWORKS[0] / ".copier-answers.yml").read_text())
    assert answers["_commit"] == f"v{V2}"


def test_wheel_made_service_updates_offline_with_the_next_wheel(
    history: History, tmp_path: Path
) -> None:
    assert history.wheel_service is not None
    assert history.wheel_venv is not None
    service = tmp_path / "far-away"
    shutil.copytree(history.wheel_service, service, symlinks=True)
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert answers["_commit"] == f"v{V1}"
    assert answers["_src_path"].startswith("https://")
    # No network: git may only use local files, so only the wheel's bundle can serve.
    offline = {**os.environ, "GIT_ALLOW_PROTOCOL": "file", "https_proxy": "http://127.0.0.1:9"}
    updated = subprocess.run(
        [history.wheel_venv / "bin" / "svcgen", "update", str(service)],
        cwd=tmp_path,
        env=offline,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "# svcgen-next: template setting" in (service / ".env.example").read_text()
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert answers["_commit"] == f"v{V2}"


#: The framework whose update also switches db from none to postgres (one install each).
POSTGRES_FRAMEWORK = FRAMEWORKS[0]
CONFLICT = re.compile(r"^<<<<<<< [^\n]*\n(.*?)^=======\n.*?^>>>>>>> [^\n]*\n", re.M | re.S)


def _resolve_keeping_the_owners_side(service: Path, conflicts: list[str]) -> None:
    """What the owner does after an update: settle each conflict, here for their own lines."""
    for rel in conflicts:
        path = service / rel
        text, resolved = CONFLICT.subn(r"\1", path.read_text())
        assert resolved, f"{rel} is reported in conflict but has no conflict block"
        path.write_text(text)
    left = [
        p.relative_to(service).as_posix()
        for p in service.rglob("*")
        if p.is_file()
        and ".git" not in p.relative_to(service).parts
        and (p.suffix == ".rej" or b"\n<<<<<<< " in b"\n" + p.read_bytes())
    ]
    assert left == [], left


@pytest.mark.parametrize(
    ("framework", "db"),
    [pytest.param(f, "postgres" if f == POSTGRES_FRAMEWORK else "none", id=f) for f in FRAMEWORKS],
)
def test_updated_service_passes_its_own_tests(
    history: History, framework: str, db: str, tmp_path: Path
) -> None:
    """Owner edits, the next release (and db=postgres for one framework), conflicts resolved:
    the result installs in a fresh venv and passes its own tests and quality gates."""
    if db == "postgres" and not postgres_reachable():
        message = "PostgreSQL is not reachable at 127.0.0.1:5432 (set SVCGEN_E2E_DATABASE_URL)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    updated = GeneratedService(framework, db, tmp_path, svcgen="unused: already generated")
    service = updated.path
    shutil.copytree(history.pristine[framework], service, symlinks=True)
    _owner_edits(service)
    data = ["--data", "db=postgres"] if db == "postgres" else []
    result = history.svcgen("update", str(service), *data, "--json", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr  # README.md conflicts
    report = json.loads(result.stdout)
    assert "README.md" in report["conflicts"]
    _resolve_keeping_the_owners_side(service, report["conflicts"])
    assert (service / "README.md").read_text().startswith("# Owner's own title\n")
    assert "# svcgen-next: template setting" in (service / ".env.example").read_text()
    assert not (service / "Dockerfile").exists()
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert (answers["_commit"], answers["db"]) == (f"v{V2}", db)

    updated.install().check()
    own_tests = ("pytest", "-q", "-p", "no:cacheprovider")
    if db == "postgres":
        database = f"{PG_ADMIN_URL}/postgres"
        tests = updated.tool(*own_tests, REQUIRE_DATABASE="1", DATABASE_URL=database).check()
    else:
        tests = updated.tool(*own_tests, REQUIRE_DATABASE="1").check()
    assert re.search(r"\d+ passed", tests.output), tests.output
    assert "skipped" not in tests.output.splitlines()[-1], tests.output
    for command in (("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy", "src")):
        updated.tool(*command).check()
