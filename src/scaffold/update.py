"""Update a generated service to a newer template version without losing an owner's edit.

The merge itself is copier's ``run_update`` (a three-way merge of the service against the
template at the version it was made from and at the target version), so a service svcgen
updates is one plain ``copier update`` could update too. Around it svcgen adds what users of
generators ask for:

- refusals before anything is touched: not a service, not in git, uncommitted changes, a
  version that is not a release, unknown or older than the service's;
- a per-file account (:data:`STATES`), computed from the same three trees copier merges: the
  template at the old version (base), the service as committed (ours), the template at the
  target version (new), and what the update left (result);
- ``--plan`` runs the very same update in a throwaway clone of the service's repository, so
  the plan is what the update will do, not a guess;
- a sweep after the update for conflict markers and ``.rej`` files anywhere in the service,
  so the exit code is never 0 while one is left;
- a file the template removes but the owner had edited is restored: copier would delete it;
- ``uv.lock`` is refreshed from the merged ``pyproject.toml`` (:func:`refresh_lock`), brought
  up to the target release's tested versions where the service is behind them, never down.

The per-file account reads the two trees copier renders during the merge, through
:func:`scaffold.patches.capture_merged_trees`, rather than rendering them twice more.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import Version

from scaffold import jinja_cache
from scaffold.answers import parse_data, validate, validate_recorded
from scaffold.catalogue import Catalogue
from scaffold.errors import SvcgenError, UsageError
from scaffold.patches import (
    capture_merged_trees,
    compiled_templates,
    copier_without_prompt_imports,
    per_file_git_sync,
    reused_template_mirror,
)
from scaffold.service import ANSWERS_FILE, Service, read_service
from scaffold.versions import (
    available_versions,
    base_release,
    offline_template,
    requested_version,
    tag_for,
    template_source,
    template_url,
)

#: Every state a file can be in after an update, with the words the summary uses.
STATES = {
    "unchanged": "unchanged",
    "template": "template change, applies cleanly",
    "merged": "template change merged with your edits",
    "conflict": "conflict: template change and your edits overlap",
    "deleted": "deleted by you, stays deleted",
    "added": "added by the template",
    "removed": "removed by the template",
    "kept": "removed by the template, kept because you edited it",
}

CONFLICT_MODES = ("inline", "rej")

_MARKER = b"<<<<<<< "


@dataclass
class Request:
    """A checked update request: everything copier needs, nothing left to refuse."""

    service: Service
    top: Path
    from_version: Version
    to_version: Version
    overrides: dict[str, Any]

    @property
    def answers_changed(self) -> dict[str, tuple[Any, Any]]:
        old = self.service.user_answers
        return {k: (old.get(k), v) for k, v in self.overrides.items() if old.get(k) != v}


#: What became of the service's ``uv.lock``, with the words the summary uses.
LOCK_STATES = {
    "current": "uv.lock already matches pyproject.toml and the tested versions",
    "refreshed": "uv.lock refreshed to the merged pyproject.toml and the tested versions",
    "created": "uv.lock created with the tested versions",
    "conflict": "uv.lock not refreshed: pyproject.toml has a conflict",
    "offline": "uv.lock not refreshed: the package index cannot be reached",
    "failed": "uv.lock could not be refreshed",
    "none": "",
}


@dataclass
class Outcome:
    """What an update did (or, with ``--plan``, would do) to each file of the service."""

    request: Request
    applied: bool
    files: dict[str, str] = field(default_factory=dict)
    #: A key of :data:`LOCK_STATES`, and the one line that says what to do about it.
    lock: str = "none"
    lock_note: str = ""

    @property
    def conflicts(self) -> list[str]:
        return sorted(path for path, state in self.files.items() if state == "conflict")

    @property
    def exit_code(self) -> int:
        """0 when clean; 1 while a conflict is left (or, for a plan, would be), or uv failed."""
        return 1 if self.conflicts or self.lock == "failed" else 0

    def as_dict(self) -> dict[str, Any]:
        req = self.request
        return {
            "path": str(req.service.path),
            "name": req.service.name,
            "from": tag_for(req.from_version),
            "to": tag_for(req.to_version),
            "applied": self.applied,
            "answers_changed": {
                k: {"from": o, "to": n} for k, (o, n) in req.answers_changed.items()
            },
            "files": [{"path": p, "state": s} for p, s in sorted(self.files.items())],
            "conflicts": self.conflicts,
            "lock": {"state": self.lock, "note": self.lock_note},
            "exit_code": self.exit_code,
        }


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def prepare(
    path: Path, catalogue: Catalogue, *, to: str | None = None, data: list[str] | None = None
) -> Request:
    """Check everything an update needs, in the order a user would fix it; raise on the first."""
    service = read_service(path)
    validate_recorded(service, catalogue)
    top_run = _git(["rev-parse", "--show-toplevel"], service.path)
    if top_run.returncode != 0:
        raise SvcgenError(
            f"{service.path} is not in a git repository; an update needs one to merge and to "
            "let you review: git init && git add -A && git commit -m 'Service before update'"
        )
    top = Path(top_run.stdout.strip())
    dirty = [line[3:] for line in _git(["status", "--porcelain"], top).stdout.splitlines()]
    if dirty:
        shown = ", ".join(dirty[:3]) + (f" and {len(dirty) - 3} more" if len(dirty) > 3 else "")
        raise SvcgenError(
            f"{top} has uncommitted changes ({shown}); commit or stash them first, so the "
            "update can be reviewed and undone"
        )
    if not service.updatable:
        raise SvcgenError(
            f"{service.path} records _src_path {service.src_path!r}, a local path, not a "
            f"template URL (plain copier records where it read the template); set "
            f"`_src_path: {template_url()}` and `_commit: v<the svcgen release it was made "
            f"from>` in {ANSWERS_FILE}, commit, and retry"
        )
    known = available_versions(template_source())
    listed = ", ".join(tag_for(v) for v in known) or "none"
    from_version = service.version
    development = service.development
    if from_version is None and development is not None:
        # A development build is updated from the release it builds on; what it had beyond
        # that release counts as the owner's edits, so nothing of it is lost.
        from_version = base_release(development, known)
        if from_version is None:
            raise SvcgenError(
                f"{service.name} was made from a development build ({service.commit}) older "
                f"than every release this svcgen knows ({listed})"
            )
    if from_version is None:
        raise SvcgenError(
            f"{service.path} records _commit {service.commit!r}, which is not a svcgen release "
            "(vX.Y.Z); the version it was made from is unknown"
        )
    to_version = requested_version(to)
    if to_version < from_version:
        message = f"{service.name} is at {tag_for(from_version)}; a downgrade to "
        message += f"{tag_for(to_version)} is not supported"
        if to is None:
            raise SvcgenError(message + f" (this svcgen is {to_version}: upgrade svcgen)")
        raise UsageError(message)
    if development is not None and to_version <= from_version:
        raise SvcgenError(
            f"{service.name} was made from a development build of svcgen ({service.commit}), "
            f"after {tag_for(from_version)}; it can be updated to a later release only"
        )
    if to_version not in known:
        raise UsageError(f"unknown version {tag_for(to_version)}; this svcgen knows {listed}")
    if from_version not in known:
        raise SvcgenError(
            f"{service.name} was made from {tag_for(from_version)}, which this svcgen's template "
            f"history does not hold ({listed})"
        )
    return Request(service, top, from_version, to_version, _overrides(service, catalogue, data))


def _overrides(service: Service, catalogue: Catalogue, data: list[str] | None) -> dict[str, Any]:
    """``--data`` answers, validated like every other answer, with the service's as context."""
    given = parse_data(data or [], catalogue)
    overrides = validate(catalogue, given, where="--data", context=service.user_answers)
    if "framework" in overrides and overrides["framework"] != service.framework:
        raise UsageError(
            f"framework cannot change in an update: {service.name} is written for "
            f"{service.framework}; generate a new service instead"
        )
    return overrides


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by its POSIX path, ``.git`` left out."""
    files: dict[str, bytes] = {}
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = [d for d in subdirs if d != ".git"]
        for name in names:
            full = Path(directory, name)
            if not full.is_symlink():
                files[full.relative_to(root).as_posix()] = full.read_bytes()
    return files


def _render(url: str, tag: str, answers: Mapping[str, Any], destination: Path) -> dict[str, bytes]:
    from copier import run_copy

    run_copy(
        url,
        destination,
        data=dict(answers),
        vcs_ref=tag,
        defaults=True,
        quiet=True,
        overwrite=True,
        unsafe=True,  # svcgen's own template, read from svcgen's own history
        skip_tasks=True,
    )
    return _template_tree(destination)


def _template_tree(root: Path) -> dict[str, bytes]:
    """A render of the template as a tree, without the answers file (it is the service's)."""
    tree = _tree(root)
    tree.pop(ANSWERS_FILE, None)
    return tree


def _tracked(service_dir: Path) -> dict[str, bytes]:
    """The service's committed files (the tree is clean, so the working tree is HEAD)."""
    listed = _git(["ls-files", "-z", "--", "."], service_dir).stdout.split("\0")
    return _read(service_dir, {name for name in listed if name})


def _read(root: Path, paths: set[str]) -> dict[str, bytes]:
    found = {}
    for rel in paths:
        full = root / rel
        if full.is_file() and not full.is_symlink():
            found[rel] = full.read_bytes()
    return found


def _markers(content: bytes | None) -> int:
    if content is None:
        return 0
    return sum(1 for line in content.splitlines() if line.startswith(_MARKER))


def classify(
    base: bytes | None, ours: bytes | None, new: bytes | None, result: bytes | None, rej: bool
) -> str | None:
    """The state of one file, from the three trees copier merges and what it left.

    None for a file the template has never had (the owner's own file).
    """
    if rej or _markers(result) > _markers(ours):
        return "conflict"
    if base is None and new is None:
        return None
    if base is None:
        if ours is None:
            return "added"
        return "unchanged" if ours == new else "merged"
    if new is None:
        if ours is None:
            return "deleted"
        return "removed" if ours == base else "kept"
    if ours is None:
        return "deleted"
    if base == new or ours == new:
        return "unchanged"
    return "template" if ours == base else "merged"


def _sweep(service_dir: Path) -> set[str]:
    """Files under the service with a ``.rej`` beside them or conflict markers git did not have.

    The exit code rests on this, not on the classification alone.
    """
    # `--ignored=matching` finds a .rej the owner's .gitignore hides, without listing the
    # contents of ignored directories such as .venv.
    status = _git(
        ["status", "--porcelain=v1", "-z", "-uall", "--ignored=matching", "--", "."],
        service_dir,
    )
    prefix = _git(["rev-parse", "--show-prefix"], service_dir).stdout.strip()
    found: set[str] = set()
    for entry in status.stdout.split("\0"):
        if len(entry) < 4:
            continue
        code, rel = entry[:2], entry[3:].removeprefix(prefix)
        full = service_dir / rel
        if rel.endswith(".rej"):
            found.add(rel.removesuffix(".rej"))
        elif code not in {"??", "!!"} and full.is_file():
            ours = _committed(service_dir, rel)
            if _markers(full.read_bytes()) > _markers(ours):
                found.add(rel)
    return found


def _committed(service_dir: Path, rel: str) -> bytes | None:
    """The bytes of ``rel`` at HEAD (None when HEAD has no such file), whatever its encoding."""
    shown = subprocess.run(
        ["git", "show", f"HEAD:./{rel}"],
        cwd=service_dir,
        capture_output=True,
        check=False,
        timeout=120,
    )
    return shown.stdout if shown.returncode == 0 else None


def _fragile(content: bytes | None) -> bool:
    """Whether copier's text patch cannot carry ``content``: binary to git, or not UTF-8.

    git calls a file binary (and will not merge it) when a NUL is in its first 8000 bytes;
    UTF-16 text is. copier pipes its patch through a UTF-8 text decoder, which drops the bytes
    of any other encoding (Latin-1's ``é``).
    """
    if content is None:
        return False
    if b"\0" in content[:8000]:
        return True
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _keep_owner_bytes(
    service_dir: Path,
    base: dict[str, bytes],
    ours: dict[str, bytes],
    new: dict[str, bytes],
) -> set[str]:
    """Put back every owner's byte copier's text merge lost; a conflict where both changed.

    A file the template did not change (or changed to exactly the owner's version) must be
    the owner's, byte for byte. A file both sides changed that copier's patch cannot carry
    (:func:`_fragile`) is left as the new template wrote it, the owner's bytes gone: it gets
    the owner's bytes back in the working tree and a conflict in the index (base, ours and the
    template's version as stages 1 to 3, as ``git merge`` records one), so
    ``git checkout --theirs`` shows the template's version and the update reports it.
    """
    conflicts: set[str] = set()
    for rel, content in ours.items():
        old, theirs = base.get(rel), new.get(rel)
        target = service_dir / rel
        if target.is_symlink() or target.is_dir():
            continue
        if target.is_file() and target.read_bytes() == content:
            continue
        if theirs is None:
            continue  # removed by the template: _restore_edited decides
        if theirs in (old, content):
            target.write_bytes(content)  # nothing of the template's to merge: the owner's file
            continue
        if content == old or not (_fragile(old) or _fragile(content) or _fragile(theirs)):
            continue  # the template's change alone, or git's own text merge
        target.write_bytes(content)
        _record_conflict(service_dir, rel, old, content, theirs)
        conflicts.add(rel)
    return conflicts


def _record_conflict(
    service_dir: Path, rel: str, base: bytes | None, ours: bytes, theirs: bytes
) -> None:
    """Mark ``rel`` unmerged in the index, with its three versions as git's stages 1 to 3."""
    mode = _git(["ls-files", "-s", "--", rel], service_dir).stdout.split(" ", 1)[0] or "100644"
    prefix = _git(["rev-parse", "--show-prefix"], service_dir).stdout.strip()
    lines = [f"0 {'0' * 40}\t{prefix}{rel}"]
    for stage, content in ((1, base), (2, ours), (3, theirs)):
        if content is None:
            continue
        stored = subprocess.run(
            ["git", "hash-object", "-w", "--stdin"],
            cwd=service_dir,
            input=content,
            capture_output=True,
            check=False,
            timeout=120,
        )
        if stored.returncode == 0:
            sha = stored.stdout.decode().strip()
            lines.append(f"{mode} {sha} {stage}\t{prefix}{rel}")
    top = _git(["rev-parse", "--show-toplevel"], service_dir).stdout.strip()
    subprocess.run(
        ["git", "update-index", "--index-info"],
        cwd=top or service_dir,
        input="".join(f"{line}\n" for line in lines).encode(),
        capture_output=True,
        check=False,
        timeout=120,
    )


def _undo(service_dir: Path) -> None:
    """Put the service back as committed after an update that failed half-way.

    :func:`prepare` refused a tree with uncommitted changes, so HEAD is the owner's work and
    every untracked, not ignored file is the failed update's.
    """
    _git(["checkout", "HEAD", "--", "."], service_dir)
    _git(["clean", "-fdq", "--", "."], service_dir)


def _file_mode_setting(top: Path) -> str:
    """The repository's ``core.fileMode`` (``true``, ``false`` or empty when unset)."""
    return _git(["config", "--type=bool", "--get", "core.fileMode"], top).stdout.strip()


def run(request: Request, *, conflict: str = "inline", plan: bool = False) -> Outcome:
    """Update the service (or, with ``plan``, a throwaway clone of it) and account for each file."""
    if conflict not in CONFLICT_MODES:
        raise UsageError(f"--conflict takes inline or rej, not {conflict!r}")
    outcome = Outcome(request, applied=not plan)
    development = request.service.development is not None
    if request.from_version == request.to_version and not request.answers_changed:
        return outcome  # already there: nothing to render or merge
    copier_without_prompt_imports()  # an update never prompts (defaults=True)
    with memory_scratch():
        return _run(request, outcome, conflict, plan, development)


#: A memory file system for an update's scratch files, used when it has this much room.
MEMORY_SCRATCH = Path("/dev/shm")
MEMORY_SCRATCH_MIN_FREE = 512 * 1024 * 1024


@contextmanager
def memory_scratch() -> Iterator[None]:
    """Put the update's temporary files (and copier's) on a memory file system, if one has room.

    An update writes some two thousand scratch files: five checkouts of the template, its two
    renders, their throwaway repositories. On a virtual machine's disk each new file can cost a
    millisecond of kernel time, more when several updates run at once; in memory, a tenth of
    that. Used only when ``TMPDIR`` does not name a place and :data:`MEMORY_SCRATCH` is a
    writable directory with :data:`MEMORY_SCRATCH_MIN_FREE` bytes free (a container's default
    64 MB ``/dev/shm`` is not used).
    """
    chosen: str | None = None
    if not os.environ.get("TMPDIR") and os.access(MEMORY_SCRATCH, os.W_OK | os.X_OK):
        try:
            if shutil.disk_usage(MEMORY_SCRATCH).free >= MEMORY_SCRATCH_MIN_FREE:
                chosen = str(MEMORY_SCRATCH)
        except OSError:
            chosen = None
    if chosen is None:
        yield
        return
    saved = tempfile.tempdir
    tempfile.tempdir = chosen
    try:
        yield
    finally:
        tempfile.tempdir = saved


def _run(
    request: Request, outcome: Outcome, conflict: str, plan: bool, development: bool
) -> Outcome:
    from copier import run_update
    from copier.errors import CopierError, DirtyLocalWarning

    scratch = Path(tempfile.mkdtemp(prefix="svcgen-update-"))
    try:
        source = _history_for(request, scratch) if development else None
        with (
            offline_template(request.service.src_path, source) as served,
            per_file_git_sync(enabled=_file_mode_setting(request.top) == "false"),
            compiled_templates(),  # both versions' files compiled once, then cached
            reused_template_mirror(),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore", DirtyLocalWarning)
            repo = request.top
            if plan:
                repo = scratch / "clone"
                cloned = _git(["clone", "-q", str(request.top), str(repo)], scratch)
                if cloned.returncode != 0:
                    raise SvcgenError(f"cannot clone {request.top}: {cloned.stderr.strip()}")
            subdir = request.service.path.relative_to(request.top)
            service_dir = repo / subdir
            ours = _tracked(service_dir)
            copies: dict[str, dict[str, bytes]] = {}

            def capture(old: Path, new: Path) -> None:
                # Copier's two renders of the template, just before it deletes them.
                if not copies:
                    copies["base"] = _template_tree(old / subdir)
                    copies["new"] = _template_tree(new / subdir)

            try:
                with capture_merged_trees(capture):
                    run_update(
                        str(service_dir),
                        data=dict(request.overrides),
                        vcs_ref=tag_for(request.to_version),
                        defaults=True,
                        overwrite=True,
                        conflict=conflict,  # type: ignore[arg-type]
                        quiet=True,
                        unsafe=True,  # svcgen's own template, read from svcgen's own history
                        skip_answered=True,
                    )
                if not copies:  # a copier whose internals moved: render the two trees again
                    old = request.service.user_answers
                    url = request.service.src_path
                    base_tag, new_tag = tag_for(request.from_version), tag_for(request.to_version)
                    copies["base"] = _render(url, base_tag, old, scratch / "b")
                    answers = {**old, **request.overrides}
                    copies["new"] = _render(url, new_tag, answers, scratch / "n")
            except CopierError as exc:
                _undo(service_dir)
                raise SvcgenError(f"copier could not update: {str(exc).splitlines()[0]}") from None
            except BaseException:
                _undo(service_dir)  # nothing half-done, no answers file claiming the new version
                raise
            base, new = copies["base"], copies["new"]
            paths = set(base) | set(new)
            _restore_edited(service_dir, base, ours, new)
            kept = _keep_owner_bytes(service_dir, base, ours, new)
            result = _read(service_dir, paths)
            for rel in sorted(paths):
                rej = (service_dir / f"{rel}.rej").exists()
                state = classify(base.get(rel), ours.get(rel), new.get(rel), result.get(rel), rej)
                if state is not None:
                    outcome.files[rel] = state
            for rel in _sweep(service_dir) | kept:
                outcome.files[rel] = "conflict"
            pins = release_pins(served, tag_for(request.to_version), scratch / "pins")
            outcome.lock, outcome.lock_note = refresh_lock(service_dir, pins)
        jinja_cache.save()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return outcome


def release_pins(source: Path, tag: str, scratch: Path) -> dict[str, str] | None:
    """The tested versions of release ``tag``, read from the template history ``source``.

    None for a release made before the template carried them (or whose pins cannot be read):
    its services had no lock from svcgen, and nothing is locked for them.
    """
    from scaffold import pins

    steps = [
        ["init", "-q", "--bare", str(scratch)],
        [
            "-C",
            str(scratch),
            "fetch",
            "-q",
            "--no-tags",
            str(source),
            f"refs/tags/{tag}:refs/tags/{tag}",
        ],
    ]
    for step in steps:
        if _git(step, scratch.parent).returncode != 0:
            return None
    shown = _git(["-C", str(scratch), "show", f"{tag}:{pins.PINS_FILE}"], scratch.parent)
    if shown.returncode != 0:
        return None
    return pins.parse_pins(shown.stdout, where=f"{tag}:{pins.PINS_FILE}")


def refresh_lock(service_dir: Path, pins: Mapping[str, str] | None) -> tuple[str, str]:
    """Lock the merged ``pyproject.toml``, up to the tested versions; a state and a note.

    Every package the owner's lock has stays at its version (uv keeps locked versions), so an
    owner's added dependency and anything they moved ahead survive; a package behind its pin
    (or new) is brought to the pin with ``-P``. A service with no lock (made before locks, or
    offline) gets one. With conflict markers in ``pyproject.toml`` nothing is locked: the
    owner resolves the conflict, then runs ``make lock``. When the owner's own requirements
    exclude a pin, uv cannot lock with it: the lock is made keeping what they ask for, and
    the note says which constraint won.
    """
    from scaffold import pins as tested

    if pins is None:
        return "none", ""
    pyproject = service_dir / "pyproject.toml"
    if _markers(pyproject.read_bytes() if pyproject.is_file() else None):
        return "conflict", "resolve the conflict in pyproject.toml, then run `make lock`"
    lock = service_dir / tested.LOCK_FILE
    before = lock.read_bytes() if lock.is_file() else None
    note = ""
    try:
        text = before.decode("utf-8", errors="replace") if before is not None else ""
        locked = tested.locked_versions(text) if before is not None else {}
        try:
            tested.uv_lock(service_dir, tested.lock_arguments(pins, locked))
        except SvcgenError as exc:
            # The owner's requirements exclude a tested version: lock what they ask for.
            tested.uv_lock(service_dir, [])
            note = f"your requirements keep some packages off the tested versions ({exc})"
    except tested.Unreachable as exc:
        return "offline", (
            f"{exc}; `uv sync --locked` refuses the stale lock until `make lock` is run "
            "with the index reachable"
        )
    except SvcgenError as exc:
        return "failed", f"{exc}; fix that, then run `make lock`"
    after = lock.read_bytes() if lock.is_file() else None
    if before is None:
        return "created", note
    return ("current" if after == before else "refreshed"), note


def _history_for(request: Request, scratch: Path) -> Path:
    """The template history, plus the development version the service records as a tag.

    Copier renders the old template at the service's ``_commit``; for a development build that
    is no release, so a copy of the history names the release it builds on that way too.
    """
    history = scratch / "history.git"
    steps = [
        ["init", "-q", "--bare", str(history)],
        ["-C", str(history), "fetch", "-q", str(template_source()), "refs/tags/*:refs/tags/*"],
        ["-C", str(history), "tag", request.service.commit, tag_for(request.from_version)],
    ]
    for step in steps:
        done = _git(step, scratch)
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise SvcgenError(f"cannot prepare the template history: {reason}")
    return history


def _restore_edited(
    service_dir: Path, base: dict[str, bytes], ours: dict[str, bytes], new: dict[str, bytes]
) -> None:
    """Bring back files the template removed but the owner had edited (copier deletes them)."""
    for rel, content in ours.items():
        if rel in base and rel not in new and content != base[rel]:
            target = service_dir / rel
            if not target.exists():
                _git(["checkout", "HEAD", "--", rel], service_dir)
