"""The tested versions: the pins file, reading a lock, and which pins an update passes to uv."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from scaffold import pins
from scaffold.errors import SvcgenError
from scaffold.template import template_root
from scaffold.update import refresh_lock, release_pins

LOCK = """version = 1
requires-python = ">=3.11"

[[package]]
name = "demo"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "FastAPI"
version = "0.120.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "numpy"
version = "2.2.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "numpy"
version = "2.3.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "tool"
version = "1.0"
source = { virtual = "tools/tool" }
"""


def test_pins_parse_with_comments_and_canonical_names() -> None:
    text = "# what this is\n\nFastAPI == 0.120.0  # the framework\nzope.interface==7.0\n"
    assert pins.parse_pins(text) == {"fastapi": "0.120.0", "zope-interface": "7.0"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fastapi>=0.1\n", ":1: expected name==version"),
        ("# c\nfastapi\n", ":2: expected name==version"),
        ("fastapi==not.a version\n", "expected name==version"),
        ("fastapi==latest\n", "'latest' is not a version"),
        ("FastAPI==1.0\nfastapi==2.0\n", ":2: fastapi is pinned twice"),
        ("fastapi==1.0; python_version<'3.12'\n", "expected name==version"),
    ],
)
def test_broken_pins_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(SvcgenError, match=message) as raised:
        pins.parse_pins(text, where="pins.txt")
    assert "\n" not in str(raised.value)
    assert str(raised.value).startswith("pins.txt:")


def test_format_round_trips_sorted() -> None:
    written = pins.format_pins({"zeta": "1.0", "alpha": "2.0b1"})
    assert written.startswith("# ")
    assert written.splitlines()[-2:] == ["alpha==2.0b1", "zeta==1.0"]
    assert pins.parse_pins(written) == {"alpha": "2.0b1", "zeta": "1.0"}


def test_the_shipped_pins_are_sorted_exact_and_cover_every_framework() -> None:
    root = template_root()
    text = (root / pins.PINS_FILE).read_text(encoding="utf-8")
    shipped = pins.parse_pins(text)
    assert text == pins.format_pins(shipped), "written by `python -m scaffold.pins refresh`"
    for package in ("fastapi", "flask", "django", "asab", "pytest", "ruff", "mypy", "alembic"):
        assert package in shipped, package
    assert not (root / "templates" / "fastapi" / "tested-versions.txt").exists()


def test_locked_versions_skip_the_project_and_take_the_highest_fork() -> None:
    assert pins.locked_versions(LOCK) == {
        "fastapi": Version("0.120.0"),
        "numpy": Version("2.3.1"),
    }


def test_a_broken_lock_is_one_line() -> None:
    with pytest.raises(SvcgenError, match=r"^uv.lock is not valid TOML"):
        pins.locked_versions("[[package]\n")


def test_lock_arguments_bump_only() -> None:
    tested = {"fastapi": "0.121.0", "starlette": "1.0.0", "pydantic": "2.10.0", "new": "3.0"}
    locked = {
        canonicalize_name("fastapi"): Version("0.120.0"),  # behind the pin: brought up
        "starlette": Version("1.2.0"),  # the owner moved ahead: kept
        "pydantic": Version("2.10.0"),  # at the pin: nothing to say
        "owners-own": Version("9.9"),  # not the template's: never mentioned
    }
    assert pins.lock_arguments(tested, locked) == ["-P", "fastapi==0.121.0", "-P", "new==3.0"]


def test_a_fresh_service_gets_every_pin() -> None:
    assert pins.lock_arguments({"b": "2", "a": "1"}, {}) == ["-P", "a==1", "-P", "b==2"]


@pytest.mark.parametrize(
    ("stderr", "unreachable"),
    [
        ("error: No solution\nhint: Packages were unavailable because the network was disabled.",
         True),
        ("error: Request failed after 3 retries\n  cause: Failed to fetch: http://x/simple/a/\n"
         "  cause: dns error", True),
        ("error: No solution found when resolving dependencies\n  cause: Because fastapi<0.1 "
         "was requested and...", False),
        ("error: Failed to parse `pyproject.toml`", False),
    ],
)  # fmt: skip
def test_an_unreachable_index_is_told_from_other_failures(stderr: str, unreachable: bool) -> None:
    assert pins._unreachable(stderr) is unreachable


def test_an_unreachable_index_is_said_in_a_few_words() -> None:
    offline = "error: No solution\n  cause: Because a was not found in the cache and ...\n\n"
    offline += "hint: Packages were unavailable because the network was disabled."
    assert pins._unreachable_reason(offline).startswith("network access is off")
    refused = "error: Request failed\n  cause: tcp connect error\n  cause: Connection refused\n"
    assert pins._unreachable_reason(refused) == "Connection refused"
    assert pins._unreachable_reason("timed out") == "timed out"


def test_uv_reason_is_its_error_and_innermost_cause() -> None:
    stderr = "Using CPython\nerror: Request failed\n  cause: Failed to fetch\n  cause: refused\n"
    assert pins._reason(stderr) == "Request failed (refused)"
    assert pins._reason("") == "unknown error"


def test_a_conflict_in_pyproject_is_not_locked(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("<<<<<<< before updating\n=======\n>>>>>>> after\n")
    state, note = refresh_lock(tmp_path, {"fastapi": "1.0"})
    assert state == "conflict"
    assert "make lock" in note
    assert not (tmp_path / "uv.lock").exists()


def test_a_release_without_pins_locks_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert refresh_lock(tmp_path, None) == ("none", "")
    assert not (tmp_path / "uv.lock").exists()


def test_a_broken_lock_fails_the_refresh_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "uv.lock").write_text("[[package]\n")
    state, note = refresh_lock(tmp_path, {"fastapi": "1.0"})
    assert state == "failed"
    assert note.startswith("uv.lock is not valid TOML")
    assert "\n" not in note


def test_a_service_without_a_lock_gains_one_then_it_is_current(tmp_path: Path) -> None:
    # No dependencies: uv locks it from nothing, without the network; a pin outside the
    # resolution is ignored, as for every package a service does not use.
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "bare"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n"
    )
    assert refresh_lock(tmp_path, {"fastapi": "0.120.0"}) == ("created", "")
    assert '"bare"' in (tmp_path / "uv.lock").read_text()
    assert refresh_lock(tmp_path, {"fastapi": "0.120.0"}) == ("current", "")


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_release_pins_are_read_from_the_release_in_the_history(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / Path(pins.PINS_FILE).parent).mkdir(parents=True)
    _git("init", "-q", "-b", "main", cwd=repo)
    (repo / pins.PINS_FILE).write_text("fastapi==1.0\n")
    _git("add", "-A", cwd=repo)
    _git("commit", "-qm", "one", cwd=repo)
    _git("tag", "v1.0.0", cwd=repo)
    (repo / pins.PINS_FILE).write_text("fastapi==2.0\n")
    _git("commit", "-qam", "two", cwd=repo)
    _git("tag", "v2.0.0", cwd=repo)
    bundle = tmp_path / "history.bundle"
    _git("bundle", "create", "-q", str(bundle), "--tags", cwd=repo)
    assert release_pins(bundle, "v1.0.0", tmp_path / "a") == {"fastapi": "1.0"}
    assert release_pins(bundle, "v2.0.0", tmp_path / "b") == {"fastapi": "2.0"}
    assert release_pins(bundle, "v3.0.0", tmp_path / "c") is None
