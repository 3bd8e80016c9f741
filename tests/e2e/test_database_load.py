"""Readiness reflects the database, not the load on the service (the contract's "Under load").

For every framework with PostgreSQL, on its production server (``make run``):

- while 200 connections hammer the item endpoints and ``/health/ready`` itself, with a pool of
  two connections so that request traffic holds every pooled connection, and a healthy
  database, ``/health/ready`` never answers 503;
- when the database goes away under a running service, ``/health/ready`` answers 503 within
  its own short timeout, and 200 again as soon as the database is back.

The database is reached through a small TCP relay on loopback, which the test can cut (every
connection dropped, new ones refused) and restore, as a database restart or a network cut
would. Load is bounded: a few seconds, loopback only.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.harness import GeneratedService, Server

#: Concurrent client connections, and seconds of load.
CONNECTIONS = 200
LOAD_SECONDS = 4.0
#: Every this many requests a load connection asks /health/ready instead of an item.
READY_EVERY = 10
#: A probe must answer within this (the services give their check 2 s; the rest is queueing).
PROBE_DEADLINE_SECONDS = 10.0


def _requires_database(service: GeneratedService) -> None:
    if service.db != "postgres":
        pytest.skip("no database: readiness has nothing to wait for")


class Relay:
    """A TCP relay from a loopback port to PostgreSQL that can be cut and restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if not self._open:
                    client.close()
                    continue
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                except OSError:
                    client.close()
                    continue
                upstream.settimeout(None)
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every relayed connection and refuse new ones, as a stopped database would."""
        with self._lock:
            self._open = False
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        with self._lock:
            self._open = True

    def close(self) -> None:
        self.cut()
        self._listener.close()


@contextlib.contextmanager
def relayed(database_url: str) -> Iterator[tuple[Relay, str]]:
    """A relay to the database of ``database_url``, and the URL that goes through it."""
    prefix, _, rest = database_url.partition("@")
    hostport, _, name = rest.partition("/")
    host, _, port = hostport.partition(":")
    relay = Relay((host, int(port or 5432)))
    try:
        yield relay, f"{prefix}@127.0.0.1:{relay.port}/{name}"
    finally:
        relay.close()


def _create_item(server: Server) -> int:
    response = httpx.post(f"{server.url}/items", json={"name": "under load"}, timeout=10)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _get(
    client: httpx.AsyncClient, path: str, params: dict[str, int] | None
) -> httpx.Response:
    """GET ``path``, once more if the server closed the kept-alive connection first.

    A server may close an idle kept-alive connection just as the client sends on it; HTTP/1.1
    (RFC 9112, 9.3.1) has clients retry an idempotent request then, as browsers and the
    kubelet's fresh connections do. Any other failure, and a second one, is the server's.
    """
    try:
        return await client.get(path, params=params)
    except httpx.RemoteProtocolError:
        return await client.get(path, params=params)


async def _hammer(url: str, item_id: int) -> tuple[Counter[int], Counter[int], Counter[str]]:
    """Load ``url`` from :data:`CONNECTIONS` connections; count item and readiness statuses.

    Requests that got no answer are counted by kind ("ready" or "items"): a readiness probe
    with no answer fails a pod as surely as a 503, while one item request in a hundred, of 200
    connections queued on a busy 2-core machine, may time out or meet a closed connection.
    """
    items: Counter[int] = Counter()
    ready: Counter[int] = Counter()
    failures: Counter[str] = Counter()
    deadline = time.monotonic() + LOAD_SECONDS
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    timeout = httpx.Timeout(PROBE_DEADLINE_SECONDS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:

        async def worker(offset: int) -> None:
            sent = offset
            while time.monotonic() < deadline:
                sent += 1
                probe = sent % READY_EVERY == 0
                if probe:
                    path, params = "/health/ready", None
                elif sent % 3 == 0:
                    path, params = "/items", {"limit": 20}
                else:
                    path, params = f"/items/{item_id}", None
                try:
                    response = await _get(client, path, params)
                except httpx.HTTPError:
                    failures["ready" if probe else "items"] += 1
                else:
                    (ready if probe else items)[response.status_code] += 1

        await asyncio.gather(*(worker(n) for n in range(CONNECTIONS)))
    return items, ready, failures


def test_ready_is_not_starved_by_request_traffic(
    service: GeneratedService, database_url: str | None
) -> None:
    _requires_database(service)
    assert database_url is not None
    # Two pooled connections for the requests, so that the load surely holds all of them.
    with service.serve(DATABASE_URL=database_url, DB_POOL_SIZE="2", LOG_LEVEL="WARNING") as server:
        item_id = _create_item(server)
        items, ready, failures = asyncio.run(_hammer(server.url, item_id))
    summary = f"items {dict(items)}, ready {dict(ready)}, unanswered {dict(failures)}"
    assert sum(ready.values()) >= 20, f"too few readiness probes got through: {summary}"
    assert ready[503] == 0, f"/health/ready answered 503 under load: {summary}"
    assert set(ready) == {200}, summary
    assert items[200] >= 100, f"the load did not reach the database: {summary}"
    assert failures["ready"] == 0, f"readiness probes got no answer: {summary}"
    assert failures["items"] <= sum(items.values()) // 100, f"requests got no answer: {summary}"


def _ready(server: Server) -> tuple[int, float]:
    started = time.monotonic()
    response = httpx.get(f"{server.url}/health/ready", timeout=PROBE_DEADLINE_SECONDS)
    return response.status_code, time.monotonic() - started


def _wait_for_ready_status(server: Server, status: int, within: float) -> list[int]:
    """Probe until ``/health/ready`` answers ``status``; return every status seen."""
    seen: list[int] = []
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        answer, _ = _ready(server)
        seen.append(answer)
        if answer == status:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"/health/ready never answered {status} within {within}s: {seen}")


def test_ready_follows_the_database_away_and_back(
    service: GeneratedService, database_url: str | None
) -> None:
    _requires_database(service)
    assert database_url is not None
    with (
        relayed(database_url) as (relay, through_relay),
        service.serve(DATABASE_URL=through_relay, LOG_LEVEL="WARNING") as server,
    ):
        _create_item(server)
        assert _ready(server)[0] == 200
        relay.cut()
        status, seconds = _ready(server)
        assert status == 503, f"/health/ready answered {status} with the database gone"
        assert seconds < 5, f"/health/ready took {seconds:.1f}s: it needs its own short timeout"
        relay.restore()
        # The probe's connection was broken by the cut: it must reconnect, not stay unready.
        seen = _wait_for_ready_status(server, 200, within=10)
        assert len(seen) <= 2, f"readiness took {len(seen)} probes to recover: {seen}"
        # And requests get their pooled connections back too (one may find its own broken).
        statuses = [httpx.get(f"{server.url}/items", timeout=10).status_code for _ in range(12)]
        assert statuses[-1] == 200, statuses
