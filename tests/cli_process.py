"""svcgen run as its user runs it: a separate process, no terminal, its output captured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def svcgen(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``svcgen ARGS...`` in ``cwd`` (this interpreter's svcgen, so an editable install works)."""
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
