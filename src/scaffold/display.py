"""How svcgen names a path to the user: relative to where they stand when it is below it."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path) -> str:
    """``./demo`` for a path under the current directory, else the absolute, resolved path."""
    resolved = path.resolve()
    try:
        relative = resolved.relative_to(Path.cwd().resolve())
    except ValueError:
        return str(resolved)
    return "." if str(relative) == "." else f"./{relative}"
