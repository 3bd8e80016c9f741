"""``svcgen doctor`` on machines that lack something: tools hidden from PATH, no git identity.

Each test builds a PATH holding only the tools it wants the doctor to find (symlinks into a
temporary directory) and a git configuration of its own, so the results do not depend on the
machine running the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

IDENTITY = "[user]\n\tname = Doctor Test\n\temail = doctor@example.org\n"


def toolbox(tmp_path: Path, *tools: str) -> Path:
    """A directory with only ``tools`` in it; ``python3`` is the interpreter running the tests."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        found = sys.executable if tool == "python3" else shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is not installed on this machine")
        (bin_dir / tool).symlink_to(found)
    return bin_dir


def doctor(
    tmp_path: Path, bin_dir: Path, *args: str, identity: str = IDENTITY
) -> subprocess.CompletedProcess[str]:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(identity)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        PATH=str(bin_dir),
        HOME=str(tmp_path),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    return subprocess.run(
        [sys.executable, "-m", "scaffold", "doctor", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def row(output: str, name: str) -> str:
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if f"  {name}  " in line:
            fix = lines[index + 1] if index + 1 < len(lines) else ""
            return line + ("\n" + fix if "fix:" in fix else "")
    raise AssertionError(f"no {name!r} row in:\n{output}")


def test_everything_required_present(tmp_path: Path) -> None:
    result = doctor(tmp_path, toolbox(tmp_path, "python3", "git", "make"))
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("python (svcgen)", "python3 (make install)", "git", "make", "uv", "write access"):
        assert row(result.stdout, name).startswith("ok "), result.stdout
    assert "Doctor Test <doctor@example.org>" in row(result.stdout, "git identity")
    # No container engine on this PATH: a warning with a fix, not a failure.
    engine = row(result.stdout, "container engine")
    assert engine.startswith("warning")
    assert "fix: install Docker" in engine


def test_a_missing_or_broken_uv_fails_with_a_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scaffold import checkup, pins
    from scaffold.errors import SvcgenError

    def missing() -> str:
        raise SvcgenError("uv is not installed")

    monkeypatch.setattr(pins, "uv_binary", missing)
    check = checkup.check_uv()
    assert (check.ok, check.status) == (False, "MISSING")
    assert "reinstall svcgen" in check.fix
    broken = tmp_path / "uv"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(pins, "uv_binary", lambda: str(broken))
    check = checkup.check_uv()
    assert not check.ok
    assert check.detail == f"{broken} does not run"


def test_missing_make_fails_with_a_fix(tmp_path: Path) -> None:
    result = doctor(tmp_path, toolbox(tmp_path, "python3", "git"))
    assert result.returncode == 1
    make = row(result.stdout, "make")
    assert make.startswith("MISSING")
    assert "fix: install make" in make
    assert result.stderr.strip() == "svcgen doctor: required check failed: make"


def test_missing_git_and_python3(tmp_path: Path) -> None:
    result = doctor(tmp_path, toolbox(tmp_path, "make"))
    assert result.returncode == 1
    assert row(result.stdout, "git").startswith("MISSING")
    assert row(result.stdout, "python3 (make install)").startswith("MISSING")
    assert "python3 (make install), git" in result.stderr


def test_missing_git_identity_is_a_warning(tmp_path: Path) -> None:
    # svcgen new works without one (the service is kept, uncommitted, with advice).
    result = doctor(tmp_path, toolbox(tmp_path, "python3", "git", "make"), identity="")
    assert result.returncode == 0, result.stdout + result.stderr
    identity = row(result.stdout, "git identity")
    assert identity.startswith("warning")
    assert "user.name or user.email" in identity
    assert "git config --global user.email" in identity


def test_unwritable_target(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes through permissions; /proc refuses new files to anyone
        if not Path("/proc/self").exists():
            pytest.skip("no /proc to stand for an unwritable directory")
        target = "/proc/svcgen-doctor-test"
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        target = str(locked / "services")
    result = doctor(tmp_path, toolbox(tmp_path, "python3", "git", "make"), "-o", target)
    assert result.returncode == 1
    access = row(result.stdout, "write access")
    assert access.startswith("MISSING")
    assert "fix: choose another directory" in access
    assert "no new files can be created there" in access


def test_container_engine_found(tmp_path: Path) -> None:
    bin_dir = toolbox(tmp_path, "python3", "git", "make")
    fake = bin_dir / "podman"
    fake.write_text("#!/bin/sh\n[ \"$1\" = info ] && echo '5.0.1'\n")
    fake.chmod(0o755)
    result = doctor(tmp_path, bin_dir)
    assert result.returncode == 0
    assert row(result.stdout, "container engine").startswith("ok")
    assert "podman 5.0.1" in result.stdout


def test_container_client_without_its_daemon_is_a_warning(tmp_path: Path) -> None:
    bin_dir = toolbox(tmp_path, "python3", "git", "make")
    fake = bin_dir / "docker"
    fake.write_text(
        "#!/bin/sh\n[ \"$1\" = --version ] && echo 'Docker version 28.2.2' && exit 0\n"
        "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2\n"
        "exit 1\n"
    )
    fake.chmod(0o755)
    result = doctor(tmp_path, bin_dir)
    assert result.returncode == 0
    engine = row(result.stdout, "container engine")
    assert engine.startswith("warning"), result.stdout
    assert "daemon does not answer: Cannot connect to the Docker daemon" in engine
    assert "fix: start its daemon" in engine


def test_target_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    result = doctor(tmp_path, toolbox(tmp_path, "python3", "git", "make"), "-o", "afile")
    assert result.returncode == 2
    assert result.stderr.strip() == "svcgen: error: afile is not a directory"
