"""A generated service against the bare framework, on the same server settings.

For each framework (all of copier.yml's by default), generates a service (``db=none``), installs
it in a fresh venv, and starts in turn its production command (``make run``) and the bare app
``bench/bare/bare_<framework>.py`` (the smallest app of that framework, served exactly as the
service's ``serve`` serves). Each is loaded with wrk on loopback for a bounded time, in
alternating rounds, and the medians are printed side by side:

- req/s and p99 latency of ``GET /health/live``,
- resident memory (RSS of the server's whole process tree) after the load,
- cold start: from process start to the first 200 on ``/health/live``.

Targets: service >= 0.8x bare req/s and p99 <= 1.25x bare for every framework; cold start
<= 1.5x bare is FastAPI's target (shown for all).

    python bench/bench_service.py [--frameworks fastapi,flask] [--rounds 3] [--duration 5]

Needs wrk (Debian package ``wrk``) and uv.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from scaffold.catalogue import Catalogue  # noqa: E402
from scaffold.template import template_root  # noqa: E402


@dataclass
class Figures:
    rps: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    start_s: list[float] = field(default_factory=list)

    def median(self, name: str) -> float:
        values: list[float] = getattr(self, name)
        return statistics.median(values) if values else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    total_kb = 0
    queue = [pid]
    while queue:
        current = queue.pop()
        queue.extend(children.get(current, []))
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{current}/status").read_text()
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                total_kb += int(match.group(1))
    return total_kb / 1024


@contextlib.contextmanager
def started(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[tuple[str, int, float]]:
    """Start a server; yield its URL, pid and the seconds until /health/live answered 200."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    begin = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = begin + 60
        while True:
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"{' '.join(command)} did not start")
            try:
                with urllib.request.urlopen(f"{url}/health/live", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.02)
        yield url, process.pid, time.perf_counter() - begin
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wrk(url: str, duration: int, connections: int) -> tuple[float, float]:
    """Load ``url`` for ``duration`` seconds; return (requests/s, p99 ms)."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rps, p99


def prepare(framework: str, work: Path) -> Path:
    """Generate and install a db=none service; return its directory."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    svcgen = shutil.which("svcgen") or str(Path(sys.executable).parent / "svcgen")
    name = f"bench-{framework}"
    subprocess.run(
        [svcgen, "new", name, "--framework", framework, "--db", "none", "--no-input", "--no-git",
         "-o", str(work)],
        check=True, capture_output=True,
    )  # fmt: skip
    path = work / name
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, ".venv"], cwd=path, check=True)
    subprocess.run(
        [uv, "pip", "install", "-q", "-p", ".venv/bin/python", "-e", "."], cwd=path, check=True
    )
    return path


def measure(framework: str, work: Path, rounds: int, duration: int, connections: int) -> None:
    path = prepare(framework, work)
    bare = REPO / "bench" / "bare" / f"bare_{framework}.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
    # Production settings, as the image runs the service (Django's DEBUG, for one, is off).
    env.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
        WEB_CONCURRENCY="1",
    )
    contenders = {
        "service": ["make", "run"],
        "bare": [str(path / ".venv" / "bin" / "python"), str(bare)],
    }
    figures = {name: Figures() for name in contenders}
    for _ in range(rounds):
        for name, command in contenders.items():
            with started(command, path, env) as (url, pid, start_s):
                wrk(f"{url}/health/live", 1, connections)  # warm-up
                rps, p99 = wrk(f"{url}/health/live", duration, connections)
                figures[name].rps.append(rps)
                figures[name].p99_ms.append(p99)
                figures[name].rss_mb.append(tree_rss_mb(pid))
                figures[name].start_s.append(start_s)

    service, bare_figures = figures["service"], figures["bare"]
    print(f"\n{framework}: GET /health/live, {rounds} rounds x {duration}s, {connections} conns")
    print(f"  {'':<14}{'service':>12}{'bare':>12}{'ratio':>9}  target")
    rows = [
        ("req/s", "rps", ">= 0.80", lambda r: r >= 0.8),
        ("p99 ms", "p99_ms", "<= 1.25", lambda r: r <= 1.25),
        ("RSS MiB", "rss_mb", "", None),
        ("cold start s", "start_s", "<= 1.50", lambda r: r <= 1.5),
    ]
    for label, attr, target, ok in rows:
        mine, theirs = service.median(attr), bare_figures.median(attr)
        ratio = mine / theirs if theirs else float("nan")
        verdict = "" if ok is None else ("PASS" if ok(ratio) else "MISS")
        print(f"  {label:<14}{mine:>12.2f}{theirs:>12.2f}{ratio:>9.2f}  {target} {verdict}")


def main() -> None:
    frameworks = [str(v) for v in Catalogue.load(template_root())["framework"].choice_values]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frameworks", default=",".join(frameworks))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench_service: wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="svcgen-bench-") as tmp:
        for framework in args.frameworks.split(","):
            measure(framework, Path(tmp), args.rounds, args.duration, args.connections)


if __name__ == "__main__":
    main()
