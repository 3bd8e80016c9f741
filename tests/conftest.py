"""Test-wide settings: a git identity, so that generated services get their first commit."""

from __future__ import annotations

import os
import subprocess

import pytest


@pytest.fixture(autouse=True, scope="session")
def git_identity() -> None:
    """Give git an identity where the machine has none (CI containers often do not)."""
    configured = subprocess.run(
        ["git", "config", "user.email"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if configured:
        return
    for role in ("AUTHOR", "COMMITTER"):
        os.environ.setdefault(f"GIT_{role}_NAME", "svcgen tests")
        os.environ.setdefault(f"GIT_{role}_EMAIL", "tests@svcgen.invalid")
