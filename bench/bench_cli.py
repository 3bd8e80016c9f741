"""How long svcgen takes, side by side with plain copier on the same template.

Installs svcgen from a wheel built off the working tree into a fresh virtualenv (as a user
gets it), then times, in one run and interleaved so that machine noise hits all alike:

- ``svcgen new NAME --framework fastapi --db postgres --no-input`` (with git init + commit),
- the same with ``--no-git``,
- ``copier copy`` of the installed template with the same answers,
- ``svcgen --help``.

Prints the median and spread of each, and the targets: ``svcgen new`` <= 0.5 s, ``--no-git``
at most 0.1 s slower than copier, ``--help`` <= 0.15 s.

    python bench/bench_cli.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.checkout import build_wheel, install_wheel  # noqa: E402


def install(work: Path) -> Path:
    """Build the wheel from the working tree and install it in a fresh venv; return its bin."""
    return install_wheel(build_wheel(REPO, work / "dist"), work / "venv")


def template_dir(bin_dir: Path) -> Path:
    code = "from scaffold.template import template_root; print(template_root())"
    out = subprocess.run(
        [bin_dir / "python", "-c", code], capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip())


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="svcgen-bench-") as tmp:
        work = Path(tmp)
        bin_dir = install(work)
        template = template_dir(bin_dir)
        answers = ["-d", "framework=fastapi", "-d", "db=postgres"]
        samples: dict[str, list[float]] = {
            "svcgen new": [],
            "svcgen new --no-git": [],
            "copier copy": [],
            "svcgen --help": [],
        }
        svcgen = str(bin_dir / "svcgen")
        new = [svcgen, "new", "--framework", "fastapi", "--db", "postgres", "--no-input"]
        copier = [str(bin_dir / "copier"), "copy", "--quiet", "--defaults", *answers]
        for round_ in range(args.rounds):
            out = work / f"round{round_}"
            out.mkdir()
            samples["svcgen new"].append(timed([*new, "a"], out))
            samples["svcgen new --no-git"].append(timed([*new, "--no-git", "b"], out))
            samples["copier copy"].append(
                timed([*copier, "-d", "name=c", str(template), str(out / "c")], out)
            )
            samples["svcgen --help"].append(timed([svcgen, "--help"], out))

    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"{'command':<24}{'median s':>10}{'min s':>9}{'max s':>9}")
    for name, values in samples.items():
        print(f"{name:<24}{medians[name]:>10.3f}{min(values):>9.3f}{max(values):>9.3f}")
    print()
    overhead = medians["svcgen new --no-git"] - medians["copier copy"]
    checks = [
        ("svcgen new <= 0.5 s", medians["svcgen new"] <= 0.5),
        (f"svcgen new --no-git - copier copy = {overhead:+.3f} s <= 0.1 s", overhead <= 0.1),
        ("svcgen --help <= 0.15 s", medians["svcgen --help"] <= 0.15),
    ]
    for label, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}  {label}")


if __name__ == "__main__":
    main()
