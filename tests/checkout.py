"""The repository as a user gets it: its files copied out, built into a wheel, installed.

The install test, the update tests and the benchmarks all need svcgen as a wheel built from
the working tree (tracked and new, not ignored files), installed in a fresh virtualenv; they
share these helpers so that "what a release contains" is decided in one place.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def uv() -> str:
    """The uv executable: on PATH, or beside this interpreter (the test extra installs it)."""
    return shutil.which("uv") or str(Path(sys.executable).parent / "uv")


def copy_working_tree(target: Path) -> None:
    """Copy the files git tracks or would track (not the ignored ones) into ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def build_wheel(source: Path, dist: Path) -> Path:
    """Build svcgen's wheel from the checkout at ``source`` into ``dist``; return its path."""
    subprocess.run(
        [uv(), "build", "-q", "--wheel", "--out-dir", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    return max(dist.glob("svcgen-*.whl"), key=lambda wheel: wheel.stat().st_mtime)


def install_wheel(wheel: Path, venv: Path) -> Path:
    """Install ``wheel`` into ``venv`` (created when missing, replacing svcgen if present).

    The install is byte-compiled, as pip's is by default: without it every run compiles
    every module again when ``PYTHONDONTWRITEBYTECODE`` is set (nearly twice the CPU), and
    timings would measure that. uv compiles explicitly, whatever that variable says.
    Returns the virtualenv's ``bin`` directory.
    """
    if not venv.exists():
        subprocess.run([uv(), "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    subprocess.run(
        [uv(), "pip", "install", "-q", "--compile-bytecode", "--reinstall-package", "svcgen",
         "-p", str(venv / "bin" / "python"), str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return venv / "bin"


def installed_from_working_tree(work: Path) -> Path:
    """svcgen as a user installs it: the working tree built into a wheel, installed in a venv.

    The copy of the working tree is removed afterwards, so nothing installed can lean on it.
    Returns the virtualenv (``work/venv``); the wheel stays in ``work/dist``.
    """
    clean = work / "clean"
    copy_working_tree(clean)
    wheel = build_wheel(clean, work / "dist")
    venv = work / "venv"
    install_wheel(wheel, venv)
    shutil.rmtree(clean)
    return venv
