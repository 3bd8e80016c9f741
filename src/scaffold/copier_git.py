"""Spare copier a ``git`` process per rendered file when that process can change nothing.

Copier 9.19 runs ``git config core.fileMode`` after writing each file, to copy an executable
bit into the destination's git index, and only acts when that setting is ``false`` and the file
is already tracked. For ``svcgen new`` nothing is tracked yet (the staging directory is not a
repository), and for ``svcgen update`` svcgen can ask once whether the setting is ``false``.
Skipping the per-file call saves one process per file: about 0.1 s of a ``new`` and seconds of
an ``update``. Both commands use this one switch, so there is one place to drop when copier
stops asking per file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_per_file_git_sync(enabled: bool = True) -> Iterator[None]:
    """While active, copier does not sync executable bits into a git index file by file.

    ``enabled=False`` leaves copier unchanged (the destination's ``core.fileMode`` is
    ``false``, so the sync matters). A copier without the method is left alone too.
    """
    from copier._main import Worker

    method = getattr(Worker, "_sync_git_index_executable_bit", None)
    if not enabled or method is None:
        yield
        return
    Worker._sync_git_index_executable_bit = lambda self, dst_relpath, src_mode: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        Worker._sync_git_index_executable_bit = method  # type: ignore[method-assign]
