"""How much CPU svcgen takes, paired with what it is measured against, in one run.

Installs svcgen from a wheel built off the working tree into a fresh virtualenv (as a user
gets it: byte-compiled), then runs each pair A, B, A, B... interleaved, so that the load of a
shared machine falls on both sides alike, and measures each process's CPU seconds (user +
system, its git children included) from ``getrusage(RUSAGE_CHILDREN)`` before and after:

- ``svcgen new NAME --framework fastapi --db postgres --no-input`` (git init, first commit
  and the ``uv.lock`` of the tested versions included) against plain ``copier copy`` of the
  same installed template and answers followed by the same ``uv lock -P ...`` svcgen runs:
  the same output, made by hand;
- the same ``svcgen new`` against plain ``copier copy`` alone (which writes no lock), and the
  lock step by itself (``uv lock``, CPU and wall seconds, from uv's warm cache), so what the
  lock costs is shown on its own rather than hidden in a ratio;
- ``svcgen --help`` against ``--help`` of ``minimal_typer_app.py``: the same commands and
  options on a bare Typer app.

One round of each is run first and not counted (it fills svcgen's compiled-template cache,
as any earlier ``svcgen new`` on the machine would have). Prints, per pair, the median CPU of
each side and the median of the per-round ratios, against the targets: ``new`` <= 0.7x
copier + uv lock, ``--help`` <= 1.2x the minimal app (the comparison with copier alone has no
target: svcgen does more than copier there, and says how much).

    python bench/bench_cli.py [--rounds 9]
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
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))

from tests.checkout import build_wheel, install_wheel  # noqa: E402

TARGETS: dict[str, float | None] = {
    "svcgen new / copier copy + uv lock": 0.7,
    "svcgen new / copier copy (no lock)": None,
    "svcgen --help / minimal Typer --help": 1.2,
}


def cpu_seconds(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """User + system CPU of ``command`` and the children it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        command, cwd=cwd, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def wall_and_cpu(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``command``."""
    import time

    start = time.perf_counter()
    cpu = cpu_seconds(command, cwd, env)
    return time.perf_counter() - start, cpu


def lock_command(bin_dir: Path) -> list[str]:
    """The ``uv lock`` svcgen runs in a new service: every pin, uv's cache first."""
    code = (
        "from scaffold import pins; from scaffold.template import template_root; "
        "print(pins.uv_binary()); "
        "print('\\n'.join(pins.lock_arguments(pins.load_pins(template_root()), {})))"
    )
    out = subprocess.run(
        [bin_dir / "python", "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [out[0], "lock", "--no-progress", "--offline", "--python", str(bin_dir / "python"),
            *out[1:]]  # fmt: skip


def template_dir(bin_dir: Path) -> Path:
    code = "from scaffold.template import template_root; print(template_root())"
    out = subprocess.run(
        [bin_dir / "python", "-c", code], capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="svcgen-bench-") as tmp:
        work = Path(tmp)
        bin_dir = install_wheel(build_wheel(REPO, work / "dist"), work / "venv")
        template = template_dir(bin_dir)
        app_dir = work / "app"
        app_dir.mkdir()
        shutil.copy(BENCH / "minimal_typer_app.py", app_dir)
        env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "PYTHONPATH": str(app_dir)}
        # uv's cache stays the user's: a lock from a warm cache is what svcgen new costs on a
        # machine that has locked (or installed) these versions before.
        env["UV_CACHE_DIR"] = subprocess.run(
            [str(bin_dir / "python"), "-m", "uv", "cache", "dir"],
            capture_output=True, text=True, check=True, env=env,
        ).stdout.strip()  # fmt: skip
        uv_lock = lock_command(bin_dir)
        lock_times: list[tuple[float, float]] = []
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # the minimal app is byte-compiled too
        svcgen = str(bin_dir / "svcgen")
        new = [svcgen, "new", "--framework", "fastapi", "--db", "postgres", "--no-input"]
        copier = [str(bin_dir / "copier"), "copy", "--quiet", "--defaults",
                  "-d", "framework=fastapi", "-d", "db=postgres"]  # fmt: skip
        launch = "import sys; sys.argv[0] = 'svcgen'; import minimal_typer_app as m; m.app()"
        minimal = [str(bin_dir / "python"), "-c", launch]
        counter = iter(range(10**6))

        def fresh() -> Path:
            out = work / f"out{next(counter)}"
            out.mkdir()
            return out

        def copier_and_lock() -> float:
            out = fresh()
            cpu = cpu_seconds([*copier, "-d", "name=c", str(template), "c"], out, env)
            wall, lock_cpu = wall_and_cpu(uv_lock, out / "c", env)
            lock_times.append((wall, lock_cpu))
            return cpu + lock_cpu

        pairs: dict[str, tuple[Callable[[], float], Callable[[], float]]] = {
            "svcgen new / copier copy + uv lock": (
                lambda: cpu_seconds([*new, "a"], fresh(), env),
                copier_and_lock,
            ),
            "svcgen new / copier copy (no lock)": (
                lambda: cpu_seconds([*new, "a"], fresh(), env),
                lambda: cpu_seconds([*copier, "-d", "name=c", str(template), "c"], fresh(), env),
            ),
            "svcgen --help / minimal Typer --help": (
                lambda: cpu_seconds([svcgen, "--help"], work, env),
                lambda: cpu_seconds([*minimal, "--help"], work, env),
            ),
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in pairs}
        for round_ in range(args.rounds + 1):
            for name, (first, second) in pairs.items():
                a, b = first(), second()
                if round_:  # round 0 warms the caches
                    samples[name].append((a, b))

    print(f"{'pair':<40}{'A cpu s':>9}{'B cpu s':>9}{'A/B':>7}{'target':>8}")
    for name, values in samples.items():
        a_median = statistics.median(a for a, _ in values)
        b_median = statistics.median(b for _, b in values)
        ratio = statistics.median(a / b for a, b in values if b > 0)
        target = TARGETS[name]
        shown, verdict = ("-", "") if target is None else (f"<= {target}", "  PASS")
        if target is not None and ratio > target:
            verdict = "  MISS"
        print(f"{name:<40}{a_median:>9.3f}{b_median:>9.3f}{ratio:>7.2f}{shown:>8}{verdict}")
    counted = lock_times[1:]  # round 0 warms
    wall = statistics.median(w for w, _ in counted)
    cpu = statistics.median(c for _, c in counted)
    print(f"the lock step alone (uv lock, warm cache): {wall:.3f} s wall, {cpu:.3f} s CPU")


if __name__ == "__main__":
    main()
