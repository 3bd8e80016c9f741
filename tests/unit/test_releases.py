"""Releases found in a repository's history, and the version a render records (small repos)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scaffold import releases

IDENTITY = ["-c", "user.name=t", "-c", "user.email=t@t.invalid"]


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def commit(repo: Path, message: str, files: dict[str, str]) -> str:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", message, cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo)


def version_file(version: str) -> dict[str, str]:
    return {"src/scaffold/__init__.py": f'"""x"""\n\n__version__ = "{version}"\n'}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    return root


def test_each_release_is_the_commit_that_set_its_version(repo: Path) -> None:
    first = commit(repo, "one", {**version_file("0.1.0"), "copier.yml": "a: 1\n"})
    commit(repo, "work", {"templates/t.jinja": "x\n"})
    second = commit(repo, "release", version_file("0.2.0"))
    commit(repo, "more", {"templates/t.jinja": "y\n"})
    assert releases.release_commits(repo) == {"0.1.0": first, "0.2.0": second}


def test_a_pin_wins_when_the_history_holds_it_and_is_ignored_otherwise(repo: Path) -> None:
    commit(repo, "one", version_file("0.1.0"))
    landed = commit(repo, "landed", {"copier.yml": "a: 1\n"})
    pins = f'[releases]\n"0.1.0" = "{landed}"\n"0.0.9" = "{"0" * 40}"\n'
    commit(repo, "pins", {releases.PINS_FILE: pins})
    assert releases.release_commits(repo) == {"0.1.0": landed}


def test_recorded_version_says_release_development_or_dirty(repo: Path) -> None:
    commit(repo, "one", {**version_file("0.1.0"), "copier.yml": "a: 1\n"})
    commits = releases.release_commits(repo)
    assert releases.recorded_version(repo, "0.1.0", commits) == "v0.1.0"
    commit(repo, "docs only", {"README.md": "docs\n"})
    assert releases.recorded_version(repo, "0.1.0", commits) == "v0.1.0"
    commit(repo, "template", {"templates/t.jinja": "x\n"})
    head = git("rev-parse", "--short=7", "HEAD", cwd=repo)
    assert releases.recorded_version(repo, "0.1.0", commits) == f"v0.1.0.post1.dev0+g{head}"
    (repo / "copier.yml").write_text("a: 2\n")
    dirty = releases.recorded_version(repo, "0.1.0", commits)
    assert dirty == f"v0.1.0.post1.dev0+g{head}.dirty"
    assert releases.recorded_version(repo, "0.2.0", commits) == f"v0.2.0.dev0+g{head}.dirty"


def test_the_bundle_tags_every_release_and_nothing_else(repo: Path, tmp_path: Path) -> None:
    first = commit(repo, "one", {**version_file("0.1.0"), "copier.yml": "a: 1\n"})
    second = commit(repo, "two", version_file("0.2.0"))
    git("tag", "unrelated", cwd=repo)
    bundle = tmp_path / "history.bundle"
    releases.build_bundle(repo, bundle)
    listed = git("ls-remote", str(bundle), cwd=tmp_path).splitlines()
    assert sorted(listed) == sorted([f"{first}\trefs/tags/v0.1.0", f"{second}\trefs/tags/v0.2.0"])


def test_a_shallow_clone_is_refused_in_one_line(repo: Path, tmp_path: Path) -> None:
    commit(repo, "one", version_file("0.1.0"))
    commit(repo, "two", version_file("0.2.0"))
    shallow = tmp_path / "shallow"
    git("clone", "-q", "--depth", "1", repo.as_uri(), str(shallow), cwd=tmp_path)
    with pytest.raises(releases.HistoryError, match="full history of main") as refused:
        releases.release_commits(shallow)
    assert "\n" not in str(refused.value)


def test_the_template_url_is_the_forks_own(tmp_path: Path) -> None:
    assert releases.template_url(tmp_path) == releases.DEFAULT_TEMPLATE_URL
    (tmp_path / "pyproject.toml").write_text(
        '[tool.svcgen]\ntemplate-url = "https://git.example.com/platform/svcgen.git"\n'
    )
    assert releases.template_url(tmp_path) == "https://git.example.com/platform/svcgen.git"
