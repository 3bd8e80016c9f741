"""Updating many services at once, and checking that a merged service still works.

``svcgen update --all DIR`` runs one ``svcgen update SERVICE --json`` per service, as a process
of its own (``python -m scaffold``), at most ``jobs`` at a time. A service whose update fails,
or whose process crashes or is killed, becomes that service's row of the report; the others go
on. Processes rather than threads, because an update is CPU-bound Python (copier's rendering)
and because nothing one update does (a crash, a stuck git, a signal) can reach another.

``--verify`` (:func:`verify`) runs the service's own checks on the merged tree: ``make
check`` when its Makefile has that target, else ``make test``, after ``make install`` when the
service has no ``.venv`` yet. The tree is left as the update made it, for review, either way.

Exit codes of ``svcgen update``, per service and for ``--all`` (the worst of its services):

- 0: updated (or planned) cleanly, and with ``--verify`` its checks passed;
- 1: needs a human: a conflict is left, the update was refused or failed, or crashed;
- 2: a usage error (bad option or version);
- 3: merged cleanly but the service's own checks failed (``--verify``).
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

#: Exit code of an update whose merge is clean but whose checks failed.
VERIFY_FAILED = 3

#: How long one service's checks may run.
VERIFY_TIMEOUT = 1800

#: How long one service's update may run.
UPDATE_TIMEOUT = 3600

_OUTPUT_KEPT = 20


def _make_targets(makefile: Path) -> set[str]:
    text = makefile.read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", text, re.MULTILINE))


def verify(service: Path) -> dict[str, Any]:
    """Run the service's own checks; ``{"passed": bool, "command": str, "output": str}``."""
    makefile = service / "Makefile"
    if not makefile.is_file():
        return {"passed": False, "command": "", "output": "the service has no Makefile"}
    targets = _make_targets(makefile)
    target = "check" if "check" in targets else "test" if "test" in targets else None
    if target is None:
        return {
            "passed": False,
            "command": "",
            "output": "the service's Makefile has neither a check nor a test target",
        }
    steps = [["make", target]]
    if "install" in targets and not (service / ".venv").exists():
        steps.insert(0, ["make", "install"])
    output: list[str] = []
    for step in steps:
        try:
            done = subprocess.run(
                step,
                cwd=service,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                check=False,
                timeout=VERIFY_TIMEOUT,
            )
        except FileNotFoundError:
            return {"passed": False, "command": " ".join(step), "output": "make is not installed"}
        except subprocess.TimeoutExpired:
            message = f"timed out after {VERIFY_TIMEOUT} s"
            return {"passed": False, "command": " ".join(step), "output": message}
        output.extend(done.stdout.splitlines())
        if done.returncode != 0:
            tail = "\n".join(output[-_OUTPUT_KEPT:])
            return {"passed": False, "command": " ".join(step), "output": tail}
    return {"passed": True, "command": " ".join(steps[-1]), "output": ""}


def update_command(path: Path, options: Sequence[str]) -> list[str]:
    """The command that updates one service: this svcgen, in a process of its own."""
    return [sys.executable, "-m", "scaffold", "update", str(path), "--json", *options]


def _row_from_process(path: Path, done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"path": str(path.absolute()), "exit_code": done.returncode}
    stderr = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode in {0, 1, VERIFY_FAILED}:
        try:
            report = json.loads(done.stdout)
        except ValueError:
            report = None
        if isinstance(report, dict):
            row.update(report)
            row["exit_code"] = done.returncode
            lock = report.get("lock") or {}
            if report.get("conflicts"):
                row["result"] = "conflicts"
            elif lock.get("state") == "failed":
                # Merged, but uv could not lock the result: the service cannot install.
                row.update(result="failed", error=f"uv.lock: {lock.get('note', '')}")
            elif report.get("verify") and not report["verify"]["passed"]:
                row["result"] = "checks failed"
            else:
                row["result"] = "planned" if not report.get("applied", True) else "updated"
            return row
    errors = [line for line in stderr if line.startswith("svcgen: error:")]
    if errors and done.returncode in {1, 2}:
        row.update(result="failed", error=errors[-1].removeprefix("svcgen: error:").strip())
        return row
    if done.returncode < 0:
        try:
            why = f"killed by {signal.Signals(-done.returncode).name}"
        except ValueError:
            why = f"killed by signal {-done.returncode}"
    else:
        why = f"exited {done.returncode}"
    last = stderr[-1] if stderr else "no output"
    row.update(result="crashed", error=f"svcgen {why}: {last}", exit_code=1)
    return row


def update_one(path: Path, command: list[str]) -> dict[str, Any]:
    """Run one service's update process and turn whatever it did into its row."""
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=UPDATE_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        row: dict[str, Any] = {
            "path": str(path.absolute()),
            "result": "crashed",
            "error": f"the update did not finish in {UPDATE_TIMEOUT} s",
            "exit_code": 1,
        }
    except OSError as exc:
        row = {
            "path": str(path.absolute()),
            "result": "crashed",
            "error": f"cannot start the update: {exc}",
            "exit_code": 1,
        }
    else:
        row = _row_from_process(path, done)
    row["seconds"] = round(time.monotonic() - started, 2)
    return row


def update_all(
    paths: Sequence[Path],
    options: Sequence[str],
    jobs: int,
    progress: Callable[[dict[str, Any], int, list[Path]], None] = lambda row, done, running: None,
    command: Callable[[Path, Sequence[str]], list[str]] = update_command,
) -> list[dict[str, Any]]:
    """Every service's row, in the order of ``paths``; ``progress`` hears of each as it ends."""
    rows: dict[Path, dict[str, Any]] = {}
    running: list[Path] = []
    lock = threading.Lock()

    def one(path: Path) -> dict[str, Any]:
        with lock:
            running.append(path)
        try:
            return update_one(path, command(path, options))
        finally:
            with lock:
                running.remove(path)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, path): path for path in paths}
        for future in as_completed(futures):
            path = futures[future]
            rows[path] = future.result()
            with lock:
                still = list(running)
            progress(rows[path], len(rows), still)
    return [rows[path] for path in paths]


def exit_code(rows: Sequence[dict[str, Any]]) -> int:
    """1 if any service needs a human for its merge, else 3 if any failed its checks, else 0."""
    codes = {int(row.get("exit_code", 1)) for row in rows}
    if codes & {1, 2} or any(code not in {0, VERIFY_FAILED} for code in codes):
        return 1
    return VERIFY_FAILED if VERIFY_FAILED in codes else 0
