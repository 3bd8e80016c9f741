"""A generated service against the bare framework, on the same server settings.

For each framework (all of copier.yml's by default), generates a service (``db=none``), installs
it in a fresh venv, and starts in turn its production command (``make run``) and the bare app
``bench/bare/bare_<framework>.py`` (the smallest app of that framework, served exactly as the
service's ``serve`` serves). Each is loaded with wrk on loopback for a bounded time, in
alternating rounds, and the medians are printed side by side:

- req/s and p99 latency of ``GET /health/live``,
- resident memory (RSS of the server's whole process tree) after the load,
- cold start: from process start to the first 200 on ``/health/live``.

Then the database scenarios, on a db=postgres service of each framework and a migrated
database holding 100 items: ``GET /items/1``, ``GET /items?limit=20`` (a page and the total) and
``POST /items``. The yardsticks are the same bare app with ``BARE_DB=orm`` (the service's ORM and
driver: the "same stack") and ``BARE_DB=raw`` (the bare driver), on the same server settings and
the same ``DB_POOL_SIZE``. Rounds alternate service, orm, raw, service, ...; rows the POSTs added
are deleted after each contender, so each starts on the same table.

Targets: service >= 0.8x bare req/s and p99 <= 1.25x bare for every framework (for the database
scenarios, of the same-stack app); RSS <= 1.25x and cold start <= 1.5x of the bare app.

    python bench/bench_service.py [--frameworks fastapi,flask] [--rounds 3] [--duration 5]
        [--scenarios live,db]

Needs wrk (Debian package ``wrk``), uv, and for the database scenarios psql and a PostgreSQL
server (``SVCGEN_BENCH_DATABASE_URL``, default ``postgresql://postgres@127.0.0.1:5432``, whose
user may create databases).
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
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from scaffold.catalogue import Catalogue  # noqa: E402
from scaffold.template import template_root  # noqa: E402
from tests.e2e.harness import process_stats  # noqa: E402

PG_ADMIN_URL = os.environ.get("SVCGEN_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432")
#: Items in the table at the start of every contender's turn.
SEED_ITEMS = 100
#: The database scenarios: name, path, wrk script (None: GET).
DB_SCENARIOS = [
    ("GET /items/{id}", "/items/1", None),
    ("GET /items (20)", "/items?limit=20", None),
    ("POST /items", "/items", "post.lua"),
]
POST_SCRIPT = """wrk.method = "POST"
wrk.body = '{"name": "bench", "description": "written by wrk"}'
wrk.headers["Content-Type"] = "application/json"
"""
#: The summary table's rows, gathered as the frameworks are measured.
SUMMARY: list[tuple[str, str, dict[str, float]]] = []


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


def group_cpu(pgid: int) -> float:
    """CPU seconds (user and system) used so far by the live processes of process group ``pgid``.

    :func:`started` makes the server the leader of a group of its own, so this is the CPU of
    ``make run`` and every server process under it. Read from ``/proc`` (Linux).
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for _pid, fields in process_stats():
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def wrk(
    url: str, duration: int, connections: int, script: Path | None = None
) -> tuple[float, float]:
    """Load ``url`` for ``duration`` seconds; return (requests/s, p99 ms).

    Answers other than 2xx/3xx make the run fail: a fast error is not a fast service.
    """
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 30
    ).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"wrk {url}: some answers were errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rps, p99


def prepare(
    framework: str, work: Path, db: str = "none", data: dict[str, str] | None = None
) -> Path:
    """Generate a service (``data``: more answers) and install it in a venv of its own."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    svcgen = shutil.which("svcgen") or str(Path(sys.executable).parent / "svcgen")
    answers = [f"{key}={value}" for key, value in (data or {}).items()]
    name = "-".join(["bench", framework, db, *(a.replace("=", "-") for a in answers)])
    given = [arg for answer in answers for arg in ("--data", answer)]
    subprocess.run(
        [svcgen, "new", name, "--framework", framework, "--db", db, *given, "--no-input",
         "--no-git", "-o", str(work)],
        check=True, capture_output=True,
    )  # fmt: skip
    path = work / name
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, ".venv"], cwd=path, check=True)
    subprocess.run(
        [uv, "pip", "install", "-q", "-p", ".venv/bin/python", "-e", "."], cwd=path, check=True
    )
    return path


def production_env() -> dict[str, str]:
    """Production settings, as the image runs the service (Django's DEBUG, for one, is off)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
    env.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
        WEB_CONCURRENCY="1",
    )
    return env


def measure(framework: str, work: Path, rounds: int, duration: int, connections: int) -> None:
    path = prepare(framework, work)
    bare = REPO / "bench" / "bare" / f"bare_{framework}.py"
    env = production_env()
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
    SUMMARY.append(
        (framework, "GET /health/live", ratios(service, bare_figures, ("rps", "p99_ms", "rss_mb")))
    )
    SUMMARY.append((framework, "cold start", ratios(service, bare_figures, ("start_s",))))


def ratios(mine: Figures, theirs: Figures, attrs: tuple[str, ...]) -> dict[str, float]:
    return {attr: mine.median(attr) / theirs.median(attr) for attr in attrs}


def psql(database: str, sql: str) -> None:
    subprocess.run(
        ["psql", f"{PG_ADMIN_URL}/{database}", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


@contextlib.contextmanager
def bench_database(path: Path, env: dict[str, str]) -> Iterator[str]:
    """A fresh database, migrated by the service and holding :data:`SEED_ITEMS` items."""
    name = f"svcgen_bench_{secrets.token_hex(4)}"
    psql("postgres", f'CREATE DATABASE "{name}"')
    try:
        # Trust authentication ignores the password; production settings refuse a weak one.
        scheme, _, rest = PG_ADMIN_URL.partition("://")
        userinfo, _, hostport = rest.rpartition("@")
        user = userinfo.split(":", 1)[0] or "postgres"
        url = f"{scheme}://{user}:{secrets.token_urlsafe(16)}@{hostport}/{name}"
        subprocess.run(
            ["make", "migrate"], cwd=path, env={**env, "DATABASE_URL": url},
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        psql(
            name,
            "INSERT INTO items (name, description, created_at) SELECT 'item ' || n, "
            f"'seeded by the bench', now() FROM generate_series(1, {SEED_ITEMS}) AS n",
        )
        yield url
    finally:
        psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure_db(framework: str, work: Path, rounds: int, duration: int, connections: int) -> None:
    """The database scenarios: the db=postgres service against its two yardsticks."""
    path = prepare(framework, work, db="postgres")
    bare = str(REPO / "bench" / "bare" / f"bare_{framework}.py")
    python = str(path / ".venv" / "bin" / "python")
    env = production_env()
    post = work / "post.lua"
    post.write_text(POST_SCRIPT)
    contenders = {"service": (["make", "run"], {}), "orm": ([python, bare], {"BARE_DB": "orm"})}
    # ASAB's service has no ORM: its same-stack app is the bare driver already.
    if framework != "asab":
        contenders["raw"] = ([python, bare], {"BARE_DB": "raw"})
    figures = {
        (name, scenario): Figures() for name in contenders for scenario, _, _ in DB_SCENARIOS
    }
    with bench_database(path, env) as url:
        database = url.rsplit("/", 1)[1]
        for _ in range(rounds):
            for name, (command, extra) in contenders.items():
                server_env = {**env, **extra, "DATABASE_URL": url}
                with started(command, path, server_env) as (base, pid, _start_s):
                    for scenario, target, script in DB_SCENARIOS:
                        lua = post if script else None
                        wrk(f"{base}{target}", 1, connections, lua)  # warm-up
                        rps, p99 = wrk(f"{base}{target}", duration, connections, lua)
                        figures[name, scenario].rps.append(rps)
                        figures[name, scenario].p99_ms.append(p99)
                        figures[name, scenario].rss_mb.append(tree_rss_mb(pid))
                psql(database, f"DELETE FROM items WHERE id > {SEED_ITEMS}")
                psql(database, "VACUUM items")

    names = list(contenders)
    print(f"\n{framework} + PostgreSQL: {rounds} rounds x {duration}s, {connections} conns")
    header = "".join(f"{name:>10}" for name in names)
    print(f"  {'':<26}{header}{'/orm':>7}{'/raw':>7}  target")
    for scenario, _, _ in DB_SCENARIOS:
        for label, attr, target, ok in (
            ("req/s", "rps", ">= 0.80", lambda r: r >= 0.8),
            ("p99 ms", "p99_ms", "<= 1.25", lambda r: r <= 1.25),
            ("RSS MiB", "rss_mb", "<= 1.25", lambda r: r <= 1.25),
        ):
            values = [figures[name, scenario].median(attr) for name in names]
            row = "".join(f"{value:>10.1f}" for value in values)
            vs_orm = values[0] / values[1]
            vs_raw = f"{values[0] / values[2]:>7.2f}" if len(values) > 2 else f"{'':>7}"
            verdict = "PASS" if ok(vs_orm) else "MISS"
            print(f"  {scenario + ' ' + label:<26}{row}{vs_orm:>7.2f}{vs_raw}  {target} {verdict}")
        attrs = ("rps", "p99_ms", "rss_mb")
        mine = figures["service", scenario]
        SUMMARY.append((framework, scenario, ratios(mine, figures["orm", scenario], attrs)))
        if "raw" in contenders:
            raw = ratios(mine, figures["raw", scenario], attrs)
            SUMMARY.append((framework, f"{scenario} vs raw driver", raw))


def print_summary() -> None:
    """Every ratio measured, as the Markdown table README.md shows."""
    print("\n| framework | scenario | req/s | p99 | RSS | cold start |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for framework, scenario, values in SUMMARY:
        cells = [
            f"{values[attr]:.2f}x" if attr in values else ""
            for attr in ("rps", "p99_ms", "rss_mb", "start_s")
        ]
        print(f"| {framework} | {scenario} | {' | '.join(cells)} |")


def main() -> None:
    frameworks = [str(v) for v in Catalogue.load(template_root())["framework"].choice_values]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frameworks", default=",".join(frameworks))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--scenarios", default="live,db", help="live, db or both (live,db)")
    args = parser.parse_args()
    scenarios = set(args.scenarios.split(","))
    if not scenarios or not scenarios <= {"live", "db"}:
        sys.exit(f"bench_service: --scenarios takes live, db or live,db, not {args.scenarios!r}")
    if shutil.which("wrk") is None:
        sys.exit("bench_service: wrk is not installed (apt-get install wrk)")
    if "db" in scenarios and shutil.which("psql") is None:
        sys.exit("bench_service: psql is not installed (apt-get install postgresql-client)")
    unknown = sorted(set(args.frameworks.split(",")) - set(frameworks))
    if unknown:
        sys.exit(f"bench_service: no such framework {', '.join(unknown)} (one of {frameworks})")
    with tempfile.TemporaryDirectory(prefix="svcgen-bench-") as tmp:
        for framework in args.frameworks.split(","):
            if "live" in scenarios:
                measure(framework, Path(tmp), args.rounds, args.duration, args.connections)
            if "db" in scenarios:
                measure_db(framework, Path(tmp), args.rounds, args.duration, args.connections)
    print_summary()


if __name__ == "__main__":
    main()
