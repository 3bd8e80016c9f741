"""The pure parts of updating: versions, the recorded origin, and the per-file account."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml

from scaffold import __version__, update
from scaffold.errors import UsageError
from scaffold.service import record_origin
from scaffold.update import classify
from scaffold.versions import (
    TEMPLATE_URL,
    git_config_env,
    parse_version,
    recorded_tag,
    requested_version,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v1.2.0", "1.2.0"),
        ("1.2.0", "1.2.0"),
        ("v0.1.0-3-gabc123", None),
        ("7d70ace", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_version_accepts_releases_only(text: object, expected: str | None) -> None:
    parsed = parse_version(text)
    assert (str(parsed) if parsed else None) == expected


def test_requested_version_defaults_to_this_svcgen_and_refuses_junk() -> None:
    assert str(requested_version(None)) == __version__
    with pytest.raises(UsageError, match="release version"):
        requested_version("latest")


def test_record_origin_replaces_copiers_lines(tmp_path: Path) -> None:
    answers = tmp_path / ".copier-answers.yml"
    answers.write_text("# header\n_commit: 7d70ace\n_src_path: /some/checkout\nname: demo\n")
    record_origin(tmp_path)
    text = answers.read_text()
    assert text.startswith("# header\n")
    data = yaml.safe_load(text)
    # This checkout's release, or a development version of it (scaffold.releases).
    assert recorded_tag().startswith(f"v{__version__}")
    assert data == {"_commit": recorded_tag(), "_src_path": TEMPLATE_URL, "name": "demo"}


def test_record_origin_adds_a_missing_commit(tmp_path: Path) -> None:
    (tmp_path / ".copier-answers.yml").write_text("_src_path: /site-packages/x\nname: a\n")
    record_origin(tmp_path)
    data = yaml.safe_load((tmp_path / ".copier-answers.yml").read_text())
    assert data["_commit"] == recorded_tag()
    assert data["_src_path"] == TEMPLATE_URL


def test_git_config_env_appends_to_existing_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_COUNT", "2")
    env = git_config_env(Path("/opt/history.bundle"))
    assert env == {
        "GIT_CONFIG_COUNT": "4",
        "GIT_CONFIG_KEY_2": "url./opt/history.bundle.insteadOf",
        "GIT_CONFIG_VALUE_2": TEMPLATE_URL,
        "GIT_CONFIG_KEY_3": "maintenance.auto",
        "GIT_CONFIG_VALUE_3": "false",
    }


@pytest.fixture
def memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for /dev/shm with room to spare, and no TMPDIR."""
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(update, "MEMORY_SCRATCH", tmp_path)
    monkeypatch.setattr(update, "MEMORY_SCRATCH_MIN_FREE", 1)
    return tmp_path


def test_an_update_puts_its_scratch_files_in_memory(memory: Path) -> None:
    before = tempfile.gettempdir()
    with update.memory_scratch():
        assert Path(tempfile.mkdtemp()).parent == memory
    assert tempfile.gettempdir() == before


def test_tmpdir_and_a_full_memory_file_system_are_respected(
    memory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(update, "MEMORY_SCRATCH_MIN_FREE", 1 << 62)
    with update.memory_scratch():
        assert Path(tempfile.gettempdir()) != memory
    monkeypatch.setattr(update, "MEMORY_SCRATCH_MIN_FREE", 1)
    monkeypatch.setenv("TMPDIR", str(memory / "elsewhere"))
    with update.memory_scratch():
        assert tempfile.tempdir is None or Path(tempfile.tempdir) != memory


B, OWN, N = b"base\n", b"owner\n", b"new\n"
CONFLICTED = b"<<<<<<< before updating\nowner\n=======\nnew\n>>>>>>> after updating\n"


@pytest.mark.parametrize(
    ("base", "ours", "new", "result", "rej", "state"),
    [
        (B, B, B, B, False, "unchanged"),
        (B, B, N, N, False, "template"),
        (B, OWN, N, b"owner\nnew\n", False, "merged"),
        (B, OWN, N, CONFLICTED, False, "conflict"),
        (B, OWN, N, OWN, True, "conflict"),
        (B, None, N, None, False, "deleted"),
        (None, None, N, N, False, "added"),
        (B, B, None, None, False, "removed"),
        (B, OWN, None, OWN, False, "kept"),
        (B, OWN, B, OWN, False, "unchanged"),
        (None, OWN, None, OWN, False, None),
    ],
)
def test_classify(
    base: bytes | None,
    ours: bytes | None,
    new: bytes | None,
    result: bytes | None,
    rej: bool,
    state: str | None,
) -> None:
    assert classify(base, ours, new, result, rej) == state
