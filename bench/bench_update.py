"""How long ``svcgen update`` of one service and ``svcgen status`` over 50 services take.

Copies the working tree into a temporary repository, tags it as this version, generates a
FastAPI service, changes a shared template and tags the next version (as
``tests/e2e/test_update.py`` does), then times with the development svcgen of that repository:

- ``svcgen update SERVICE`` (undone with ``git reset --hard && git clean -fd`` between rounds),
- ``svcgen status DIR`` over 50 services.

Targets: update <= 1.5 s, status over 50 services <= 5 s.

    python bench/bench_update.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from scaffold import __version__  # noqa: E402
from tests.checkout import copy_working_tree  # noqa: E402


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def build_history(work: Path) -> Path:
    repo = work / "repo"
    copy_working_tree(repo)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "one", cwd=repo)
    git("tag", f"v{__version__}", cwd=repo)
    return repo


def release_next(repo: Path) -> None:
    major, minor, _ = (int(p) for p in __version__.split("."))
    shared = repo / "templates" / "_shared" / "env.example.jinja"
    shared.write_text(shared.read_text() + "# next release\n")
    init = repo / "src" / "scaffold" / "__init__.py"
    init.write_text(init.read_text().replace(f'"{__version__}"', f'"{major}.{minor + 1}.0"'))
    git("commit", "-qam", "two", cwd=repo)
    git("tag", f"v{major}.{minor + 1}.0", cwd=repo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ}
    for role in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{role}_NAME", "bench")
        env.setdefault(f"GIT_{role}_EMAIL", "bench@svcgen.invalid")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        repo = build_history(work)
        env["PYTHONPATH"] = str(repo / "src")
        svcgen = [sys.executable, "-m", "scaffold"]

        def run(*argv: str, cwd: Path) -> float:
            started = time.perf_counter()
            subprocess.run(
                [*svcgen, *argv],
                cwd=cwd,
                env=env,
                check=False,
                capture_output=True,
                stdin=subprocess.DEVNULL,
            )
            return time.perf_counter() - started

        fleet = work / "fleet"
        fleet.mkdir()
        first = subprocess.run(
            [*svcgen, "new", "svc-00", "-f", "fastapi", "--no-input"],
            cwd=fleet,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if first.returncode != 0:
            sys.exit(first.stderr)
        for n in range(1, 50):
            shutil.copytree(fleet / "svc-00", fleet / f"svc-{n:02d}", symlinks=True)
        release_next(repo)
        service = fleet / "svc-00"
        updates, statuses = [], []
        for _ in range(args.rounds):
            updates.append(run("update", str(service), cwd=work))
            git("reset", "-q", "--hard", cwd=service)
            git("clean", "-qfd", cwd=service)
            statuses.append(run("status", str(fleet), cwd=work))
    for label, times, target in (
        ("svcgen update (1 service)", updates, 1.5),
        ("svcgen status (50 services)", statuses, 5.0),
    ):
        median = statistics.median(times)
        verdict = "ok" if median <= target else "OVER TARGET"
        print(
            f"{label:<30} median {median:.2f} s  (min {min(times):.2f}, max {max(times):.2f}; "
            f"target {target} s: {verdict})"
        )


if __name__ == "__main__":
    main()
