"""What tracing costs a generated service: off, on without an endpoint, and exporting.

For each framework, generates two services with PostgreSQL, one with ``tracing=false`` and one
with ``tracing=true``, installs each in a fresh venv, migrates a throwaway database and stores
one item. Then, in alternating rounds on the same server settings (production command, one
worker, JSON logs), it loads with wrk on loopback:

- ``off``: the service generated without tracing (the yardstick);
- ``on``: tracing on, no ``OTEL_EXPORTER_OTLP_ENDPOINT`` (the service's ``"context"`` mode: no
  instrumentation, the caller's trace carried into the log lines);
- ``export``: tracing on, exporting over OTLP/HTTP to a local receiver, every trace sampled
  (``OTEL_TRACES_SAMPLER=always_on``). The receiver keeps what it is sent and decodes it after
  the run, so that it takes no CPU from the service while it is measured.

Two routes: ``GET /health/live`` (untraced by FastAPI's default exclusions, traced by the
others) and ``GET /items/{id}`` (a server span and a span per query). Each round runs the three
in another order, so that none always goes first. Printed for each contender: req/s, p99, and
the CPU the server's processes used per request, each with its ratio to ``off`` in the same
round (for CPU, ``off``'s CPU per request over the contender's: the share of ``off``'s req/s a
CPU-bound worker keeps). The verdict is on the CPU ratio: on a shared machine other load moves
wall-clock req/s by a tenth from round to round, but hardly the CPU a request takes.

Targets: ``on`` >= 0.95x and ``export`` >= 0.80x of ``off``.

    python bench/bench_tracing.py [--frameworks fastapi,flask] [--rounds 3] [--duration 5]

Needs wrk (Debian package ``wrk``), uv, and PostgreSQL on 127.0.0.1:5432 that the ``postgres``
user reaches without a password (``SVCGEN_BENCH_DATABASE_URL`` names another server).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from bench import bench_service  # noqa: E402
from bench.bench_service import group_cpu, started, wrk  # noqa: E402
from scaffold.catalogue import Catalogue  # noqa: E402
from scaffold.template import template_root  # noqa: E402
from tests.e2e.otlp import receiver  # noqa: E402

ADMIN_URL = os.environ.get("SVCGEN_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432")
TARGETS = {"on": 0.95, "export": 0.80}


def prepare(framework: str, tracing: bool, work: Path) -> Path:
    """Generate and install a db=postgres service with or without tracing."""
    return bench_service.prepare(framework, work, "postgres", {"tracing": str(tracing).lower()})


def database(name: str) -> str:
    """A fresh database on the bench server; its URL carries a password production accepts."""
    subprocess.run(
        ["psql", f"{ADMIN_URL}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["psql", f"{ADMIN_URL}/postgres", "-qc", f'CREATE DATABASE "{name}"'],
        check=True, capture_output=True,
    )  # fmt: skip
    host = ADMIN_URL.split("@", 1)[1]
    # Trust authentication ignores the password; production settings refuse a weak one.
    return f"postgresql://postgres:{secrets.token_urlsafe(16)}@{host}/{name}"


def drop(name: str) -> None:
    subprocess.run(
        ["psql", f"{ADMIN_URL}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
        check=False, capture_output=True,
    )  # fmt: skip


def store_one_item(url: str) -> int:
    request = urllib.request.Request(
        f"{url}/items",
        data=json.dumps({"name": "bench", "description": "one item to read"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(json.load(response)["id"])


def measure(framework: str, work: Path, rounds: int, duration: int, connections: int) -> None:
    services = {False: prepare(framework, False, work), True: prepare(framework, True, work)}
    db_name = f"svcgen_bench_tracing_{framework}"
    database_url = database(db_name)
    # The contenders' OTEL_* settings are theirs alone: none comes in from the bench's shell.
    base = {k: v for k, v in bench_service.production_env().items() if not k.startswith("OTEL_")}
    base.update(DATABASE_URL=database_url, MIGRATE_ON_START="false")
    try:
        subprocess.run(
            ["make", "migrate"], cwd=services[False], env=base, check=True, capture_output=True
        )
        with receiver(deferred=True) as received:
            contenders = {
                "off": (services[False], {}),
                "on": (services[True], {}),
                "export": (
                    services[True],
                    {
                        "OTEL_EXPORTER_OTLP_ENDPOINT": received.endpoint,
                        "OTEL_TRACES_SAMPLER": "always_on",
                    },
                ),
            }
            routes = ["/health/live", "/items/{id}"]
            rps: dict[tuple[str, str], list[float]] = {}
            p99: dict[tuple[str, str], list[float]] = {}
            cpu: dict[tuple[str, str], list[float]] = {}
            ratios: dict[tuple[str, str], list[float]] = {}
            cpu_ratios: dict[tuple[str, str], list[float]] = {}
            item_id = 0
            order = list(contenders)
            for round_number in range(rounds):
                this_round: dict[tuple[str, str], tuple[float, float]] = {}
                # Each contender takes each place in turn: none always runs first or last.
                shift = round_number % len(order)
                for name in order[shift:] + order[:shift]:
                    path, extra = contenders[name]
                    with started(["make", "run"], path, {**base, **extra}) as (url, pid, _s):
                        if not item_id:
                            item_id = store_one_item(url)
                        for route in routes:
                            target = url + route.format(id=item_id)
                            wrk(target, 1, connections)  # warm-up
                            before = group_cpu(pid)
                            got_rps, got_p99 = wrk(target, duration, connections)
                            used = (group_cpu(pid) - before) / (got_rps * duration) * 1e6
                            rps.setdefault((name, route), []).append(got_rps)
                            p99.setdefault((name, route), []).append(got_p99)
                            cpu.setdefault((name, route), []).append(used)
                            this_round[(name, route)] = (got_rps, used)
                for name in TARGETS:
                    for route in routes:
                        (got, used), (yardstick, yardstick_cpu) = (
                            this_round[(name, route)],
                            this_round[("off", route)],
                        )
                        ratios.setdefault((name, route), []).append(got / yardstick)
                        cpu_ratios.setdefault((name, route), []).append(yardstick_cpu / used)
            spans = len(received.decode_stored())
    finally:
        drop(db_name)

    print(f"\n{framework} (postgres): {rounds} rounds x {duration}s, {connections} conns, 1 worker")
    print(
        f"  {'route':<14}{'contender':<10}{'req/s':>8}{'p99 ms':>9}{'x off':>7}"
        f"{'CPU us/req':>12}{'x off':>7}  target (on CPU)"
    )
    for route in routes:
        for name in contenders:
            line = (
                f"  {route:<14}{name:<10}{statistics.median(rps[(name, route)]):>8.0f}"
                f"{statistics.median(p99[(name, route)]):>9.2f}"
            )
            if name in TARGETS:
                line += f"{statistics.median(ratios[(name, route)]):>7.2f}"
            else:
                line += " " * 7
            line += f"{statistics.median(cpu[(name, route)]):>12.0f}"
            if name in TARGETS:
                ratio = statistics.median(cpu_ratios[(name, route)])
                verdict = "PASS" if ratio >= TARGETS[name] else "MISS"
                line += f"{ratio:>7.2f}  >= {TARGETS[name]:.2f} {verdict}"
            print(line)
    print(f"  spans received by the local OTLP receiver: {spans}")


def main() -> None:
    frameworks = [str(v) for v in Catalogue.load(template_root())["framework"].choice_values]
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--frameworks", default=",".join(frameworks))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    for tool in ("wrk", "psql"):
        if shutil.which(tool) is None:
            sys.exit(f"bench_tracing: {tool} is not installed")
    with tempfile.TemporaryDirectory(prefix="svcgen-bench-tracing-") as tmp:
        for framework in args.frameworks.split(","):
            measure(framework, Path(tmp), args.rounds, args.duration, args.connections)


if __name__ == "__main__":
    main()
