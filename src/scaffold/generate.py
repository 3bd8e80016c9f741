"""Render a service into place, all or nothing.

Copier renders into a staging directory beside the target (with the speed-ups of
:mod:`scaffold.patches`), uv locks it to the template's tested versions (:mod:`scaffold.pins`),
git records the first commit there, and only then is the finished tree renamed into place.
A failure, Ctrl-C or SIGTERM at any step removes the staging directory, so the target either
does not exist or is complete.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold.errors import SvcgenError
from scaffold.service import record_origin


def check_target(target: Path) -> None:
    """Refuse a target that exists and is not an empty directory (never merge or overwrite)."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise SvcgenError(f"{target} already exists and is not a directory")
    if target.is_dir() and any(target.iterdir()):
        raise SvcgenError(f"{target} already exists and is not empty; choose another name or -o")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Let SIGTERM unwind like Ctrl-C, so the staging directory is cleaned up."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class Rendered:
    """What ``render_service`` did beyond rendering: the first commit and the lock."""

    git: GitResult | None
    #: Empty when ``uv.lock`` was made; else the one line that says why not and what to run.
    lock_note: str = ""


@dataclass
class GitResult:
    """What happened to the service's first commit, for the summary."""

    committed: bool
    advice: str = ""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )


def init_git(directory: Path, message: str) -> GitResult:
    """``git init`` and commit everything, so ``svcgen update`` works from day one.

    Without git, or without an identity to commit as, the service is still kept and the
    advice says what to run.
    """
    manual = "git init && git add -A && git commit -m 'Generate service with svcgen'"
    if shutil.which("git") is None:
        return GitResult(False, f"git is not installed; to make updates possible later: {manual}")
    init = _git(["init", "-q", "-b", "main"], directory)
    if init.returncode != 0:
        return GitResult(False, f"git init failed ({_first_line(init.stderr)}); run: {manual}")
    added = _git(["add", "-A"], directory)
    if added.returncode != 0:
        raise SvcgenError(f"git could not stage the service: {_first_line(added.stderr)}")
    commit = _git(["commit", "-q", "--no-verify", "-m", message], directory)
    if commit.returncode == 0:
        return GitResult(True)
    if not _identity_missing(commit.stderr):
        # Anything but a missing identity (a full disk, a broken repository) is a failure:
        # advice to set user.name would be wrong, and the service would be half-committed.
        reason = _first_line(commit.stderr or commit.stdout)
        raise SvcgenError(f"git could not make the first commit: {reason}")
    return GitResult(
        False,
        "the first commit was not made (git has no user.name/user.email configured); the "
        "files are staged: set `git config --global user.name/user.email`, then "
        "`git commit -m 'Generate service'`",
    )


def _identity_missing(stderr: str) -> bool:
    """Whether git refused to commit only because it does not know who is committing."""
    return any(
        phrase in stderr
        for phrase in ("Please tell me who you are", "unable to auto-detect email", "identity")
    )


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"


def render_service(
    template: Path,
    target: Path,
    answers: Mapping[str, Any],
    *,
    git_message: str | None,
    progress: Callable[[str], None] = lambda step: None,
    extra_files: Mapping[str, str] | None = None,
) -> Rendered:
    """Render ``template`` with ``answers`` into ``target`` atomically.

    ``extra_files`` (relative path: text) are written beside the rendered files before the
    first commit, e.g. the preset the service was made with, which copier cannot record.
    The git outcome is ``None`` when ``git_message`` is ``None`` (``--no-git``).
    """
    # SIGTERM unwinds like Ctrl-C from before the first directory is made, so that no signal
    # can land between creating the parents or the staging directory and the cleanup below.
    with _sigterm_as_interrupt():
        return _render_into_place(
            template,
            target,
            answers,
            git_message=git_message,
            progress=progress,
            extra_files=extra_files,
        )


def _render_into_place(
    template: Path,
    target: Path,
    answers: Mapping[str, Any],
    *,
    git_message: str | None,
    progress: Callable[[str], None],
    extra_files: Mapping[str, str] | None,
) -> Rendered:
    parent = target.parent
    created = _missing_parents(parent)
    try:
        check_target(target)
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".svcgen", dir=parent))
    except OSError as exc:
        _remove_created(created)
        raise SvcgenError(f"cannot write to {parent}: {exc.strerror or exc}") from None
    except BaseException:
        _remove_created(created)
        raise
    done = False
    try:
        with _sigterm_as_interrupt():
            rendered = staging / target.name
            progress("rendering the template")
            _copier_copy(template, rendered, answers)
            for relative, text in (extra_files or {}).items():
                (rendered / relative).write_text(text, encoding="utf-8")
            progress("locking the tested versions into uv.lock")
            lock_note = lock_service(template, rendered)
            git = None
            if git_message is not None:
                progress("making the first git commit")
                git = init_git(rendered, git_message)
            check_target(target)  # someone may have created it meanwhile
            if target.is_dir():
                target.rmdir()
            os.replace(rendered, target)
            done = True
        _save_compiled_templates()
        return Rendered(git, lock_note)
    except OSError as exc:
        # A full disk, a name too long, a read-only or unreadable place: one line, exit 1.
        where = exc.filename or parent
        raise SvcgenError(f"cannot write {where}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not done:
            _remove_created(created)


def lock_service(template: Path, service: Path) -> str:
    """Write ``uv.lock`` with exactly the template's tested versions; "" when done.

    Every pin is passed (``-P``): the service has no lock yet, so each package it resolves
    gets the version the template is tested with. When neither uv's cache nor the index has
    them, the service is still made and the returned line says that ``make lock`` completes
    it; any other uv failure raises, and the staging directory goes with it.
    """
    from scaffold import pins

    arguments = pins.lock_arguments(pins.load_pins(template), {})
    try:
        pins.uv_lock(service, arguments)
    except pins.Unreachable as exc:
        return (
            f"uv.lock was not made: the package index cannot be reached ({exc}); "
            "run `make lock` in the service once it can"
        )
    return ""


def _save_compiled_templates() -> None:
    """Keep what this render compiled for the next one (a cache: losing it costs only time)."""
    from scaffold import jinja_cache

    jinja_cache.save()


def _missing_parents(directory: Path) -> list[Path]:
    """The directories ``mkdir(parents=True)`` would create for ``directory``, deepest first."""
    missing: list[Path] = []
    try:
        while not directory.exists() and not directory.is_symlink():
            missing.append(directory)
            if directory.parent == directory:
                break
            directory = directory.parent
    except OSError:  # a name too long, a loop: nothing can be created there anyway
        return []
    return missing


def _remove_created(created: list[Path]) -> None:
    """Remove the (empty) parents a failed ``new`` created, so it leaves nothing behind."""
    for directory in created:
        try:
            directory.rmdir()
        except OSError:
            return


def _copier_copy(template: Path, destination: Path, answers: Mapping[str, Any]) -> None:
    # copier is imported here, and only for rendering, so that other commands stay fast.
    import warnings

    from scaffold.patches import fast_copy
    from scaffold.versions import clean_template

    # Only the template's own files, never the rest of a checkout (see clean_template).
    template = clean_template(template)
    with fast_copy(template):
        from copier import run_copy
        from copier.errors import CopierError, DirtyLocalWarning

        vcs_ref = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DirtyLocalWarning)
                run_copy(
                    str(template),
                    destination,
                    data=dict(answers),
                    vcs_ref=vcs_ref,
                    defaults=True,
                    quiet=True,
                    overwrite=False,
                    unsafe=False,
                )
        except CopierError as exc:
            raise SvcgenError(
                f"copier could not render the template: {_first_line(str(exc))}"
            ) from None
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno is not None:
                raise  # render_service says which place could not be written
            # A git that fails under copier, a broken COPIER_SETTINGS_PATH: copier raises
            # its dependencies' errors as they are; each is a failure to render, in one line.
            raise SvcgenError(
                f"copier could not render the template ({type(exc).__name__}): "
                f"{_first_line(str(exc))}"
            ) from None
    # Record the template's stable URL and release tag, so that `svcgen update` can find the
    # version this service was made from wherever it runs (see scaffold.service).
    record_origin(destination)
