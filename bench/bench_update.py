"""How long ``svcgen update`` of one service, ``status`` over 50, and ``update --all`` take.

Copies the working tree into a temporary repository, commits it as this version's release,
generates a FastAPI service, changes a shared template and commits the next release (a
version bump, as RELEASING.md says), then times with the development svcgen of that repository:

- ``svcgen update SERVICE`` (undone with ``git reset --hard && git clean -fd`` between rounds),
- ``svcgen status DIR`` over 50 services,
- ``svcgen update --all DIR`` over 20 services at ``-j 1`` and at ``-j 2``, in pairs (the two
  in alternating order, the fleet reset between runs), as the ratio of their wall times and
  the CPU per service (of all the processes the run started).

Targets: update <= 1.5 s, status over 50 services <= 5 s, ``-j 2`` <= 0.6x the wall time of
``-j 1`` on a 2-core machine.

    python bench/bench_update.py [--rounds 5] [--pairs 2] [--fleet 20] [--only update|fleet]
"""

from __future__ import annotations

import argparse
import os
import resource
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
    git("commit", "-qm", f"Release {__version__}", cwd=repo)
    return repo


def release_next(repo: Path) -> None:
    major, minor, _ = (int(p) for p in __version__.split("."))
    shared = repo / "templates" / "_shared" / "env.example.jinja"
    shared.write_text(shared.read_text() + "# next release\n")
    init = repo / "src" / "scaffold" / "__init__.py"
    init.write_text(init.read_text().replace(f'"{__version__}"', f'"{major}.{minor + 1}.0"'))
    git("commit", "-qam", f"Release {major}.{minor + 1}.0", cwd=repo)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reset(services: list[Path]) -> None:
    for service in services:
        git("reset", "-q", "--hard", cwd=service)
        git("clean", "-qfd", cwd=service)


def bench_fleet(
    svcgen: list[str], env: dict[str, str], work: Path, args: argparse.Namespace
) -> None:
    fleet = work / "fleet-all"
    services = [fleet / f"svc-{n:02d}" for n in range(args.fleet)]
    for service in services:
        shutil.copytree(work / "fleet" / "svc-00", service, symlinks=True)
    runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    for pair in range(args.pairs):
        for jobs in (1, 2) if pair % 2 == 0 else (2, 1):
            cpu = children_cpu()
            started = time.perf_counter()
            done = subprocess.run(
                [*svcgen, "update", "--all", str(fleet), "-j", str(jobs)],
                cwd=work, env=env, capture_output=True, text=True, check=False,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
            wall = time.perf_counter() - started
            if done.returncode != 0:
                sys.exit(done.stdout + done.stderr)
            runs[jobs].append((wall, (children_cpu() - cpu) / len(services)))
            reset(services)
    ratios = [two[0] / one[0] for one, two in zip(runs[1], runs[2], strict=True)]
    for jobs in (1, 2):
        walls = [wall for wall, _ in runs[jobs]]
        cpus = [cpu for _, cpu in runs[jobs]]
        print(
            f"svcgen update --all ({args.fleet} services) -j {jobs}: wall median "
            f"{statistics.median(walls):.1f} s ({', '.join(f'{w:.1f}' for w in walls)}), "
            f"CPU {statistics.median(cpus):.2f} s a service"
        )
    ratio = statistics.median(ratios)
    verdict = "ok" if ratio <= 0.6 else "OVER TARGET"
    print(
        f"-j 2 / -j 1 wall, paired: median {ratio:.2f} ({', '.join(f'{r:.2f}' for r in ratios)}; "
        f"target 0.6: {verdict}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--fleet", type=int, default=20)
    parser.add_argument("--only", choices=["update", "fleet"])
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
        if args.only != "fleet":
            service = fleet / "svc-00"
            updates, statuses = [], []
            for _ in range(args.rounds):
                updates.append(run("update", str(service), cwd=work))
                reset([service])
                statuses.append(run("status", str(fleet), cwd=work))
            for label, times, target in (
                ("svcgen update (1 service)", updates, 1.5),
                ("svcgen status (50 services)", statuses, 5.0),
            ):
                median = statistics.median(times)
                verdict = "ok" if median <= target else "OVER TARGET"
                print(
                    f"{label:<30} median {median:.2f} s  (min {min(times):.2f}, "
                    f"max {max(times):.2f}; target {target} s: {verdict})"
                )
        if args.only != "update":
            bench_fleet(svcgen, env, work, args)


if __name__ == "__main__":
    main()
