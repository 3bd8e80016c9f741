"""Property: whatever the owner and the template change, no line the owner wrote is lost.

Hypothesis draws random owner edits and random template edits of one file; a one-file template
in a temporary repository is tagged before and after the template edits, and
``scaffold.update`` (copier's merge plus svcgen's account) updates a project made from the
first tag. Every line the owner wrote must still be in the file (inside conflict markers if it
clashes), and the update must report a conflict exactly when markers were left.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scaffold import update, versions
from scaffold.catalogue import Catalogue

BASE = [f"base line {i}" for i in range(8)]
COPIER_YML = "_answers_file: .copier-answers.yml\nframework:\n  type: str\n  default: tiny\n"
ANSWERS = "{{ _copier_answers | to_nice_yaml }}"

#: An edit: (operation, position); applied from the end so positions stay meaningful.
edits = st.lists(
    st.tuples(st.sampled_from(["insert", "replace", "delete"]), st.integers(0, len(BASE) - 1)),
    max_size=4,
    unique_by=lambda edit: edit[1],
)


def apply(lines: list[str], changes: list[tuple[str, int]], who: str) -> list[str]:
    result = list(lines)
    for n, (operation, at) in enumerate(sorted(changes, key=lambda c: -c[1])):
        if operation == "insert":
            result.insert(at, f"{who} added {n}")
        elif operation == "replace":
            result[at] = f"{who} changed {n}"
        else:
            del result[at]
    return result


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def write(path: Path, lines: list[str]) -> None:
    path.write_text("".join(f"{line}\n" for line in lines))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(owner=edits, template=edits)
def test_no_owner_line_is_lost(
    owner: list[tuple[str, int]], template: list[tuple[str, int]]
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        tpl = root / "template"
        tpl.mkdir()
        (tpl / "copier.yml").write_text(COPIER_YML)
        (tpl / "{{ _copier_conf.answers_file }}.jinja").write_text(ANSWERS)
        write(tpl / "notes.txt", BASE)
        git("init", "-q", "-b", "main", cwd=tpl)
        git("add", "-A", cwd=tpl)
        git("commit", "-qm", "one", cwd=tpl)
        git("tag", "v0.1.0", cwd=tpl)
        write(tpl / "notes.txt", apply(BASE, template, "template"))
        git("commit", "-qam", "two", "--allow-empty", cwd=tpl)
        git("tag", "v0.2.0", cwd=tpl)

        with (
            mock.patch.object(versions, "template_source", return_value=tpl),
            mock.patch.object(update, "template_source", return_value=tpl),
        ):
            from copier import run_copy

            project = root / "project"
            with versions.offline_template():
                run_copy(
                    versions.TEMPLATE_URL, project, vcs_ref="v0.1.0", defaults=True, quiet=True
                )
            git("init", "-q", "-b", "main", cwd=project)
            git("add", "-A", cwd=project)
            git("commit", "-qm", "generated", cwd=project)
            ours = apply(BASE, owner, "owner")
            write(project / "notes.txt", ours)
            git("commit", "-qam", "owner", "--allow-empty", cwd=project)

            request = update.prepare(project, Catalogue.load(tpl), to="0.2.0")
            outcome = update.run(request)

        text = (project / "notes.txt").read_text()
        lines = text.splitlines()
        for line in ours:
            if line not in BASE:
                assert line in lines, f"owner line {line!r} lost:\n{text}"
        has_markers = any(line.startswith("<<<<<<< ") for line in lines)
        event("conflict" if has_markers else "clean merge")
        assert has_markers == ("notes.txt" in outcome.conflicts), text
        assert outcome.exit_code == (1 if has_markers else 0)
        if not has_markers:
            assert not any(line.startswith((">>>>>>> ", "=======")) for line in lines)


#: One file's content in each encoding a service may hold; every kind has a base, an owner's
#: and a template's version, so that any pair of kinds can meet in one update.
def _encoded(kind: str, who: str) -> bytes:
    lines = [f"{who} line {i} café" for i in range(4)]
    text = "".join(f"{line}\n" for line in lines)
    if kind == "utf-8":
        return text.encode("utf-8")
    if kind == "latin-1":
        return text.encode("latin-1")
    if kind == "utf-16":
        return text.encode("utf-16")  # with its byte-order mark
    if kind == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    return bytes(range(256)) + who.encode() + b"\0" * 16  # binary: NUL bytes, no lines


KINDS = ["utf-8", "latin-1", "utf-16", "crlf", "binary"]
#: What the owner does to a tracked file, and what the template's next version does to it.
OWNER_ACTIONS = st.sampled_from(["keep", "rewrite", "delete", "symlink"])
TEMPLATE_ACTIONS = st.sampled_from(["keep", "rewrite", "delete"])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base_kind=st.sampled_from(KINDS),
    owner_kind=st.sampled_from(KINDS),
    new_kind=st.sampled_from(KINDS),
    owner_action=OWNER_ACTIONS,
    template_action=TEMPLATE_ACTIONS,
)
def test_no_owner_byte_is_lost(
    base_kind: str, owner_kind: str, new_kind: str, owner_action: str, template_action: str
) -> None:
    """Binary and text files in any encoding: the owner's bytes survive, or a conflict says so.

    A file the owner rewrote is either in the working tree as the owner left it (every byte
    line of it present) or reported as a conflict that still holds the owner's bytes; the exit
    code is 1 whenever a conflict is reported, and the update never raises.
    """
    base = _encoded(base_kind, "base")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        tpl = root / "template"
        tpl.mkdir()
        (tpl / "copier.yml").write_text(COPIER_YML)
        (tpl / "{{ _copier_conf.answers_file }}.jinja").write_text(ANSWERS)
        (tpl / "data.bin").write_bytes(base)
        git("init", "-q", "-b", "main", cwd=tpl)
        git("add", "-A", cwd=tpl)
        git("commit", "-qm", "one", cwd=tpl)
        git("tag", "v0.1.0", cwd=tpl)
        if template_action == "rewrite":
            (tpl / "data.bin").write_bytes(_encoded(new_kind, "template"))
        elif template_action == "delete":
            (tpl / "data.bin").unlink()
        git("add", "-A", cwd=tpl)
        git("commit", "-qm", "two", "--allow-empty", cwd=tpl)
        git("tag", "v0.2.0", cwd=tpl)

        with (
            mock.patch.object(versions, "template_source", return_value=tpl),
            mock.patch.object(update, "template_source", return_value=tpl),
        ):
            from copier import run_copy

            project = root / "project"
            with versions.offline_template():
                run_copy(
                    versions.TEMPLATE_URL, project, vcs_ref="v0.1.0", defaults=True, quiet=True
                )
            git("init", "-q", "-b", "main", cwd=project)
            git("add", "-A", cwd=project)
            git("commit", "-qm", "generated", cwd=project)
            target = project / "data.bin"
            ours: bytes | None = None
            if owner_action == "rewrite":
                ours = _encoded(owner_kind, "owner")
                target.write_bytes(ours)
            elif owner_action == "delete":
                target.unlink()
            elif owner_action == "symlink":
                (project / "mine.txt").write_bytes(b"the owner's own file\n")
                target.unlink()
                target.symlink_to("mine.txt")
            git("add", "-A", cwd=project)
            git("commit", "-qm", "owner", "--allow-empty", cwd=project)

            request = update.prepare(project, Catalogue.load(tpl), to="0.2.0")
            outcome = update.run(request)

        event(f"{owner_action}/{template_action}: {sorted(set(outcome.files.values()))}")
        conflict = "data.bin" in outcome.conflicts
        assert outcome.exit_code == (1 if outcome.conflicts else 0)
        if owner_action == "symlink":
            assert (project / "mine.txt").read_bytes() == b"the owner's own file\n"
        if ours is not None and ours != base:
            assert target.is_file(), f"the owner's file is gone ({outcome.files})"
            left = target.read_bytes()
            if not conflict:
                # Merged cleanly: every line the owner wrote is still there.
                for line in ours.splitlines():
                    assert line in left.splitlines(), (line, left, outcome.files)
            else:
                assert left == ours or all(
                    line in left.splitlines() for line in ours.splitlines()
                ), (left, ours)
