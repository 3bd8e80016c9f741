"""``svcgen update`` brings a service's ``uv.lock`` up to the next release's tested versions.

A fork of svcgen is released twice the documented way (:mod:`tests.e2e.release_history`):
release A tests Flask at an older version (its pin and the template's lower bound), release B
bumps both, as a release that moves to a newer Flask does. A Flask service made at A gets an
owner's own dependency, added to pyproject.toml and locked with ``uv lock`` as its README
says; ``svcgen update`` to B must keep that dependency in pyproject.toml and uv.lock, bring
Flask to B's pin, and leave a lock ``uv lock --check`` accepts. A service whose owner has no
lock (made before svcgen locked services) gains one at B's versions.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scaffold.pins import PINS_FILE, locked_versions, parse_pins
from tests.checkout import copy_working_tree, uv
from tests.e2e.release_history import V1, V2, Fork, git, release

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("update-lock")]

#: Release A's Flask: older than the pin and lower bound the working tree (release B) has.
OLD_FLASK = "3.1.1"
FLASK_BOUND = '"flask>=3.1.3",'
#: The owner's own dependency: small, pure Python, nothing of the template's.
OWNER_DEPENDENCY = "humanize>=4.9"


def _lock(service: Path) -> dict[str, str]:
    return {k: str(v) for k, v in locked_versions((service / "uv.lock").read_text()).items()}


@pytest.fixture(scope="module")
def fork(tmp_path_factory: pytest.TempPathFactory) -> Fork:
    work = tmp_path_factory.mktemp("update-lock")
    repo = work / "fork"
    copy_working_tree(repo)
    pins_path = repo / PINS_FILE
    b_pins = pins_path.read_text()
    assert "\nflask==3.1.3\n" in b_pins, "choose another older Flask for release A"
    template = repo / "templates" / "flask" / "pyproject.toml.jinja"
    b_template = template.read_text()
    assert FLASK_BOUND in b_template
    pins_path.write_text(b_pins.replace("\nflask==3.1.3\n", f"\nflask=={OLD_FLASK}\n"))
    template.write_text(b_template.replace(FLASK_BOUND, f'"flask>={OLD_FLASK}",'))
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", f"Fork of svcgen {V1}", cwd=repo)
    fork = Fork(repo, "", work / "unpublished")
    made = work / "made"
    made.mkdir()
    fork.services["a"] = fork.new("svc", made)
    pins_path.write_text(b_pins)
    template.write_text(b_template)
    release(repo, V2, "Flask 3.1.3 is tested.")
    return fork


def _owner_adds_a_dependency(service: Path, *, lock: bool) -> None:
    """What the service README says an owner does: edit pyproject.toml, then `make lock`."""
    pyproject = service / "pyproject.toml"
    text = pyproject.read_text()
    head, marker, rest = text.partition("\n]\n\n[project.optional-dependencies]")
    assert marker, "the dependencies list ends before the optional dependencies"
    pyproject.write_text(f'{head}\n    "{OWNER_DEPENDENCY}",{marker}{rest}')
    if lock:
        locked = subprocess.run([uv(), "lock", "--no-progress"], cwd=service,
                                capture_output=True, text=True, check=False)  # fmt: skip
        assert locked.returncode == 0, locked.stderr
    git("add", "-A", cwd=service)
    git("commit", "-qm", "Owner: humanize", cwd=service)


@pytest.mark.parametrize("had_lock", [True, False], ids=["with-lock", "made-before-locks"])
def test_update_bumps_the_pins_and_keeps_the_owners_dependency(
    fork: Fork, tmp_path: Path, had_lock: bool
) -> None:
    service = tmp_path / "svc"
    shutil.copytree(fork.services["a"], service, symlinks=True)
    made = _lock(service)
    assert made["flask"] == OLD_FLASK, "release A locks its own tested Flask"
    if not had_lock:
        git("rm", "-q", "uv.lock", cwd=service)
    _owner_adds_a_dependency(service, lock=had_lock)
    owners = _lock(service)["humanize"] if had_lock else None

    updated = fork.svcgen("update", str(service), "--json", cwd=tmp_path)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    report = json.loads(updated.stdout)
    assert report["to"] == f"v{V2}"
    assert report["lock"]["state"] == ("refreshed" if had_lock else "created"), report["lock"]
    pyproject = (service / "pyproject.toml").read_text()
    assert f'"{OWNER_DEPENDENCY}",' in pyproject, "the owner's dependency survives the merge"
    assert FLASK_BOUND in pyproject, "the template's new lower bound is merged"
    after = _lock(service)
    b_pins = parse_pins((fork.repo / PINS_FILE).read_text())
    assert after["flask"] == b_pins["flask"] == "3.1.3"
    assert "humanize" in after, "the owner's dependency is locked"
    if owners is not None:
        assert after["humanize"] == owners, "the owner's locked version is kept"
    checked = subprocess.run([uv(), "lock", "--check", "--offline", "--no-progress"],
                             cwd=service, capture_output=True, text=True, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    untested = {n: v for n, v in after.items() if n != "humanize" and b_pins.get(n) != v}
    assert untested == {}, "every other package is at release B's tested version"
