"""The fleet runner on its own: every process becomes its row, whatever it did; exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from scaffold import fleet
from scaffold.status import marker_line

CLEAN = {"name": "clean", "from": "v1.0.0", "to": "v1.1.0", "applied": True, "conflicts": []}

#: What each fake service's update process does.
BEHAVIOUR = {
    "clean": f"print({json.dumps(json.dumps(CLEAN))})",
    "killed": "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
    "traceback": "raise RuntimeError('boom in the merge')",
    "refused": "import sys; print('svcgen: error: it is dirty', file=sys.stderr); sys.exit(1)",
    "slow-clean": f"import time; time.sleep(0.5); print({json.dumps(json.dumps(CLEAN))})",
}


def _fake(path: Path, options: Sequence[str]) -> list[str]:
    return [sys.executable, "-c", BEHAVIOUR[path.name]]


def test_a_crash_is_its_services_row_and_the_others_finish(tmp_path: Path) -> None:
    paths = [tmp_path / name for name in BEHAVIOUR]
    heard: list[tuple[str, int]] = []
    rows = fleet.update_all(
        paths,
        [],
        jobs=2,
        progress=lambda row, done, running: heard.append((Path(row["path"]).name, done)),
        command=_fake,
    )
    by_name = {Path(row["path"]).name: row for row in rows}
    assert [Path(row["path"]).name for row in rows] == list(BEHAVIOUR)  # the order asked
    assert by_name["clean"]["result"] == by_name["slow-clean"]["result"] == "updated"
    assert by_name["killed"]["result"] == "crashed"
    assert "killed by SIGKILL" in by_name["killed"]["error"]
    assert by_name["traceback"]["result"] == "crashed"
    assert "RuntimeError: boom in the merge" in by_name["traceback"]["error"]
    assert (by_name["refused"]["result"], by_name["refused"]["error"]) == ("failed", "it is dirty")
    assert sorted(done for _, done in heard) == [1, 2, 3, 4, 5]
    assert fleet.exit_code(rows) == 1


def test_exit_code_is_the_worst_service() -> None:
    assert fleet.exit_code([{"exit_code": 0}, {"exit_code": 0}]) == 0
    assert fleet.exit_code([{"exit_code": 0}, {"exit_code": 3}]) == 3
    assert fleet.exit_code([{"exit_code": 3}, {"exit_code": 1}]) == 1
    assert fleet.exit_code([{"exit_code": 0}, {"exit_code": -9}]) == 1


def test_verify_picks_check_then_test_and_keeps_the_failing_output(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("test:\n\t@echo ran-test\ncheck:\n\t@echo bad; exit 4\n")
    result = fleet.verify(tmp_path)
    assert (result["passed"], result["command"]) == (False, "make check")
    assert "bad" in result["output"]
    (tmp_path / "Makefile").write_text("test:\n\t@echo ran-test\n")
    assert fleet.verify(tmp_path) == {"passed": True, "command": "make test", "output": ""}
    (tmp_path / "Makefile").write_text("lint:\n\t@true\n")
    assert fleet.verify(tmp_path)["passed"] is False


def test_marker_lines_are_copiers_and_gits_not_markdown_underlines() -> None:
    assert marker_line(b"a\n<<<<<<< before updating\nx\n=======\ny\n>>>>>>> after\n") == 2
    assert marker_line(b"one\n>>>>>>> after updating\n") == 2
    assert marker_line(b"Title\n=======\n\ntext >>>>>>> inline\n") is None


def test_a_lock_uv_could_not_make_is_a_failed_row(tmp_path: Path) -> None:
    report = {**CLEAN, "lock": {"state": "failed", "note": "uv could not lock svc: boom"}}
    script = f"import sys; print({json.dumps(json.dumps(report))}); sys.exit(1)"
    rows = fleet.update_all(
        [tmp_path / "svc"],
        [],
        jobs=1,
        progress=lambda row, done, running: None,
        command=lambda path, options: [sys.executable, "-c", script],
    )
    assert rows[0]["result"] == "failed"
    assert rows[0]["error"] == "uv.lock: uv could not lock svc: boom"
    assert fleet.exit_code(rows) == 1
