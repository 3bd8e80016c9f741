"""Releases, development builds, forks and plain copier, as a platform team meets them.

One module fixture (:mod:`tests.e2e.release_history`): a fork of svcgen whose
``[tool.svcgen] template-url`` is a ``file://`` URL, its first release, a service made at it,
one made by a development build (an uncommitted template edit), the second release made the
documented way, and a service made at it. The tests run on one worker, in order: the fork is
published to its URL only by the last ones, so every ``svcgen update`` before is offline.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.checkout import build_wheel, install_wheel, uv
from tests.e2e.release_history import (
    DEV_LINE,
    RELEASE_LINE,
    V1,
    V2,
    Fork,
    git,
    make_fork,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("releases")]


@pytest.fixture(scope="module")
def fork(tmp_path_factory: pytest.TempPathFactory) -> Fork:
    return make_fork(tmp_path_factory.mktemp("releases"))


def _answers(service: Path) -> dict[str, object]:
    return yaml.safe_load((service / ".copier-answers.yml").read_text())


def _copy(service: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "svc"
    shutil.copytree(service, copy, symlinks=True)
    return copy


def test_services_record_the_fork_and_the_release_or_a_development_build(fork: Fork) -> None:
    v1, dev, v2 = (_answers(fork.services[k]) for k in ("v1", "dev", "v2"))
    assert {v1["_src_path"], dev["_src_path"], v2["_src_path"]} == {fork.url}
    head_at_dev = git("rev-parse", "--short=7", "HEAD~1", cwd=fork.repo).strip()
    assert (v1["_commit"], v2["_commit"]) == (f"v{V1}", f"v{V2}")
    assert dev["_commit"] == f"v{V1}.post1.dev0+g{head_at_dev}.dirty"
    assert (fork.services["dev"] / ".gitignore").read_text().startswith(DEV_LINE)


def test_check_tells_a_release_from_a_development_build(fork: Fork, tmp_path: Path) -> None:
    behind = fork.svcgen("check", str(fork.services["v1"]), cwd=tmp_path)
    assert behind.returncode == 1
    assert f"behind: made from v{V1}, latest is v{V2}" in behind.stdout
    current = fork.svcgen("check", str(fork.services["v2"]), cwd=tmp_path)
    assert (current.returncode, current.stdout.strip()) == (0, f"svc: up to date (v{V2})")
    dev = fork.svcgen("check", str(fork.services["dev"]), "--json", cwd=tmp_path)
    assert dev.returncode == 1
    assert json.loads(dev.stdout)["state"] == "development"
    human = fork.svcgen("check", str(fork.services["dev"]), cwd=tmp_path).stdout
    assert "made from a development build of svcgen" in human
    assert "it can be updated to a release: svcgen update" in human


def test_svcgen_updates_the_first_release_to_the_second_offline(fork: Fork, tmp_path: Path) -> None:
    assert not fork.published.exists()  # nothing to reach: the update is offline
    service = _copy(fork.services["v1"], tmp_path)
    planned = fork.svcgen("update", str(service), "--plan", cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    assert ".env.example" in planned.stdout
    assert "unchanged  " not in planned.stdout  # only the changes, unless --verbose
    assert "files unchanged; --verbose lists them" in planned.stdout
    verbose = fork.svcgen("update", str(service), "--plan", "--verbose", cwd=tmp_path)
    assert "unchanged  " in verbose.stdout
    updated = fork.svcgen("update", str(service), "--json", cwd=tmp_path)
    assert updated.returncode == 0, updated.stderr
    report = json.loads(updated.stdout)
    assert (report["from"], report["to"], report["conflicts"]) == (f"v{V1}", f"v{V2}", [])
    assert (service / ".env.example").read_text().endswith(RELEASE_LINE)
    assert _answers(service)["_commit"] == f"v{V2}"
    assert _answers(service)["_src_path"] == fork.url


def test_a_development_build_updates_to_the_next_release_keeping_its_extra(
    fork: Fork, tmp_path: Path
) -> None:
    service = _copy(fork.services["dev"], tmp_path)
    updated = fork.svcgen("update", str(service), "--json", cwd=tmp_path)
    assert updated.returncode == 0, updated.stderr
    assert json.loads(updated.stdout)["from"] == f"v{V1}"
    assert _answers(service)["_commit"] == f"v{V2}"
    assert (service / ".env.example").read_text().endswith(RELEASE_LINE)
    # What the development build had beyond the release counts as the owner's: it stays.
    assert (service / ".gitignore").read_text().startswith(DEV_LINE)


def test_a_fork_wheel_records_the_fork_and_updates_from_its_bundle(
    fork: Fork, tmp_path: Path
) -> None:
    bin_dir = install_wheel(build_wheel(fork.repo, tmp_path / "dist"), tmp_path / "venv")
    made = subprocess.run(
        [bin_dir / "svcgen", "new", "wheel-svc", "-f", "fastapi", "--no-input"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    answers = _answers(tmp_path / "wheel-svc")
    assert (answers["_src_path"], answers["_commit"]) == (fork.url, f"v{V2}")
    service = _copy(fork.services["v1"], tmp_path)
    updated = subprocess.run(
        [bin_dir / "svcgen", "update", str(service)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert _answers(service)["_commit"] == f"v{V2}"


def test_a_shallow_clone_cannot_build_a_wheel_and_says_why(fork: Fork, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git("clone", "-q", "--depth", "1", fork.repo.as_uri(), str(shallow), cwd=tmp_path)
    built = subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(shallow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode != 0
    said = [line for line in built.stderr.splitlines() if line.startswith("svcgen build:")]
    assert len(said) == 1, built.stderr
    assert "needs the full history of main" in said[0]
    assert "git fetch --unshallow" in said[0]
    assert "Traceback" not in built.stderr


def test_a_service_generated_inside_the_checkout_breaks_nothing(fork: Fork, tmp_path: Path) -> None:
    nested = fork.new("billing-api", fork.repo)  # its own git repository, inside the checkout
    try:
        again = fork.new("orders", tmp_path)
        assert _answers(again)["_commit"] == f"v{V2}"  # the nested repo is not the template
    finally:
        shutil.rmtree(nested)


def test_conflicts_left_in_a_service_fail_check_and_its_ci_step(fork: Fork, tmp_path: Path) -> None:
    service = _copy(fork.services["v2"], tmp_path)
    makefile = service / "Makefile"
    makefile.write_text(
        "<<<<<<< before updating\nold:\n=======\nnew:\n>>>>>>> after updating\n"
        + makefile.read_text()
    )
    (service / "README.md.rej").write_text("@@ -1 +1 @@\n-a\n+b\n")
    git("add", "-A", cwd=service)
    git("commit", "-qm", "Committed by mistake", cwd=service)
    checked = fork.svcgen("check", str(service), cwd=tmp_path)
    assert checked.returncode == 1
    assert "unresolved conflict in Makefile: conflict markers from line 1" in checked.stdout
    assert "unresolved conflict in README.md.rej" in checked.stdout
    workflow = yaml.safe_load((service / ".github" / "workflows" / "ci.yml").read_text())
    step = next(s for s in workflow["jobs"]["lint"]["steps"] if "conflict" in s.get("name", ""))
    ci = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=service, capture_output=True, text=True, check=False
    )
    assert ci.returncode == 1
    assert "Makefile:1:<<<<<<< before updating" in ci.stdout
    assert "README.md.rej" in ci.stdout
    git("rm", "-q", "README.md.rej", cwd=service)
    makefile.write_text(makefile.read_text().split(">>>>>>> after updating\n", 1)[1])
    git("commit", "-qam", "Resolved", cwd=service)
    ci = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=service, capture_output=True, text=True, check=False
    )
    assert ci.returncode == 0, ci.stdout + ci.stderr
    assert fork.svcgen("check", str(service), cwd=tmp_path).returncode == 0


def test_plain_copier_copy_without_a_terminal_then_made_updatable(
    fork: Fork, tmp_path: Path
) -> None:
    """README's plain-copier line, exactly, with no TTY; then what check says to do."""
    copier = str(Path(sys.executable).parent / "copier")
    made = subprocess.run(
        [copier, "copy", "--defaults", "-d", "framework=flask", "-d", "name=shop",
         str(fork.repo), "./shop"],
        cwd=tmp_path, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    shop = tmp_path / "shop"
    checked = fork.svcgen("check", str(shop), cwd=tmp_path)
    assert checked.returncode == 1
    assert "made with plain copier" in checked.stdout
    assert f"set `_src_path: {fork.url}`" in checked.stdout
    answers = shop / ".copier-answers.yml"
    lines = [
        line
        for line in answers.read_text().splitlines(keepends=True)
        if not line.startswith(("_src_path:", "_commit:"))
    ]
    answers.write_text("".join([f"_commit: v{V2}\n", f"_src_path: {fork.url}\n", *lines]))
    git("init", "-q", "-b", "main", cwd=shop)
    git("add", "-A", cwd=shop)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "Made", cwd=shop)
    fixed = fork.svcgen("check", str(shop), cwd=tmp_path)
    assert (fixed.returncode, fixed.stdout.strip()) == (0, f"shop: up to date (v{V2})")


def test_plain_copier_update_from_the_published_fork(fork: Fork, tmp_path: Path) -> None:
    """Last: the fork is published with its release tags, and copier alone updates."""
    fork.publish()
    service = _copy(fork.services["v1"], tmp_path)
    copier = str(Path(sys.executable).parent / "copier")
    updated = subprocess.run(
        [copier, "update", "--defaults", str(service)],
        cwd=tmp_path, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    assert _answers(service)["_commit"] == f"v{V2}"
    assert (service / ".env.example").read_text().endswith(RELEASE_LINE)
