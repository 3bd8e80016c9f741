"""Tracing, end to end: a real service exports its spans over OTLP/HTTP to a local receiver.

For every framework x database of copier.yml (the ``service`` fixture): a request with a known
``traceparent`` gives a server span in that trace, named by its route, a database span as its
child (postgres), and a JSON log line with the same ``trace_id``; a call through the service's
client helper to a second instance carries the trace across. A framework whose generated
service has no server instrumentation yet is skipped, with the reason, until it is wired.
"""

from __future__ import annotations

import json
import secrets
import textwrap
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.e2e.harness import GeneratedService, Server
from tests.e2e.otlp import Receiver, Span, receiver

pytestmark = pytest.mark.e2e

#: Instrumentation every service with tracing has (client.py); the server's is the framework's.
SHARED_INSTRUMENTATION = {"opentelemetry-instrumentation-httpx"}


def _server_instrumentation(service: GeneratedService) -> list[str]:
    """The framework instrumentation packages the generated service depends on."""
    project = tomllib.loads((service.path / "pyproject.toml").read_text())["project"]
    names = [
        dep.split(">")[0].split("=")[0].split("[")[0].strip() for dep in project["dependencies"]
    ]
    return [
        name
        for name in names
        if name.startswith("opentelemetry-instrumentation-") and name not in SHARED_INSTRUMENTATION
    ]


@dataclass
class Traced:
    service: GeneratedService
    server: Server
    receiver: Receiver
    env: dict[str, str]


@pytest.fixture(scope="module")
def traced(service: GeneratedService, database_url: str | None) -> Iterator[Traced]:
    """The service's production server, exporting to a local receiver, JSON logs on."""
    if not (service.path / "src" / service.package / "tracing.py").is_file():
        pytest.skip(f"the {service.framework} service was generated without tracing")
    if not _server_instrumentation(service):
        pytest.skip(f"tracing not wired for {service.framework} yet")
    with receiver() as received:
        env = {
            "LOG_FORMAT": "json",
            "OTEL_EXPORTER_OTLP_ENDPOINT": received.endpoint,
            # Export within a fraction of a second instead of the default 5 s.
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        with service.serve(**env) as running:
            yield Traced(service, running, received, env)


def _ids() -> tuple[str, str]:
    return secrets.token_hex(16), secrets.token_hex(8)


def _spans(received: Receiver, trace_id: str, *, servers: int = 1) -> list[Span]:
    """The trace's spans, once its ``servers`` server spans (and their children) arrived."""

    def complete(spans: list[Span]) -> bool:
        found = [s for s in spans if s.trace_id == trace_id and s.kind == "server"]
        return len(found) >= servers

    spans = received.wait_for(complete)
    # The children of a span end before it does, so they are sent no later than it is.
    return [s for s in spans if s.trace_id == trace_id]


def test_request_gives_server_span_db_span_and_log_line(traced: Traced) -> None:
    url = traced.server.url
    created = httpx.post(f"{url}/items", json={"name": "traced"}, timeout=10)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    trace_id, parent_id = _ids()
    request_id = f"traced-{secrets.token_hex(4)}"
    response = httpx.get(
        f"{url}/items/{item_id}",
        headers={"traceparent": f"00-{trace_id}-{parent_id}-01", "X-Request-ID": request_id},
        timeout=10,
    )
    assert response.status_code == 200, response.text

    spans = _spans(traced.receiver, trace_id)
    servers = [s for s in spans if s.kind == "server"]
    assert len(servers) == 1, spans
    [server] = servers
    assert server.parent_span_id == parent_id
    assert server.service_name == traced.service.name
    # Named by the route template, not by the path with this item's id in it.
    method, _, route = server.name.partition(" ")
    assert method == "GET", server.name
    assert "items/" in route, server.name
    assert f"/{item_id}" not in "/" + route.lstrip("/"), server.name

    queries = [
        s
        for s in spans
        if "postgresql" in (s.attributes.get("db.system"), s.attributes.get("db.system.name"))
    ]
    if traced.service.db == "postgres":
        assert queries, f"no database span in {spans}"
        assert all(q.parent_span_id == server.span_id for q in queries), queries
    else:
        assert queries == []

    lines = [json.loads(line) for line in traced.server.log.splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == request_id]
    assert mine, f"no log line with request_id {request_id}:\n{traced.server.log}"
    for line in mine:
        assert line.get("trace_id") == trace_id, line
        assert line.get("span_id") == server.span_id, line


CALLER = """
import sys

from opentelemetry import trace

from {package} import client, logs, tracing

tracing.configure("e2e-caller")
logs.request_id_var.set(sys.argv[2])
with trace.get_tracer("e2e").start_as_current_span("caller") as span:
    with client.sync_client(sys.argv[1]) as http:
        http.get("/items").raise_for_status()
    print(format(span.get_span_context().trace_id, "032x"))
tracing.shutdown()
"""


def test_client_helper_carries_the_trace_to_another_instance(traced: Traced) -> None:
    service = traced.service
    request_id = f"called-{secrets.token_hex(4)}"
    with service.serve(**traced.env) as callee:
        script = textwrap.dedent(CALLER.format(package=service.package))
        result = service.run(
            str(service.python),
            "-c",
            script,
            callee.url,
            request_id,
            timeout=60,
            OTEL_EXPORTER_OTLP_ENDPOINT=traced.receiver.endpoint,
        ).check()
        trace_id = result.output.strip().splitlines()[-1]
        spans = _spans(traced.receiver, trace_id)
        callee_log = callee.log

    [caller] = [s for s in spans if s.name == "caller"]
    [call] = [s for s in spans if s.kind == "client" and s.parent_span_id == caller.span_id]
    [server] = [s for s in spans if s.kind == "server"]
    assert call.service_name == "e2e-caller"
    assert server.service_name == service.name
    assert server.parent_span_id == call.span_id
    assert server.trace_id == caller.trace_id == trace_id

    lines = [json.loads(line) for line in callee_log.splitlines() if line.startswith("{")]
    [access] = [line for line in lines if line.get("request_id") == request_id]
    assert access["trace_id"] == trace_id


CARRIED_CALLER = """
import sys

from opentelemetry import trace

from {package} import client, logs, tracing

tracing.configure("e2e-caller")  # no endpoint: installs no provider, makes no span
token = tracing.carry({{"traceparent": sys.argv[3]}})
logs.request_id_var.set(sys.argv[2])
with client.sync_client(sys.argv[1]) as http:
    http.get("/items").raise_for_status()
print(format(trace.get_current_span().get_span_context().span_id, "016x"))
tracing.release(token)
"""


def test_without_an_endpoint_the_trace_is_carried_through_logs_and_calls(
    service: GeneratedService, database_url: str | None
) -> None:
    """The default, no OTLP endpoint: no span is made, yet the ids reach the logs and callees."""
    if not (service.path / "src" / service.package / "tracing.py").is_file():
        pytest.skip(f"the {service.framework} service was generated without tracing")
    env = {"LOG_FORMAT": "json", **({"DATABASE_URL": database_url} if database_url else {})}
    trace_id, parent_id = _ids()
    request_id = f"carried-{secrets.token_hex(4)}"
    with service.serve(**env) as callee:
        direct = httpx.get(
            f"{callee.url}/items",
            headers={"traceparent": f"00-{trace_id}-{parent_id}-00", "X-Request-ID": request_id},
            timeout=10,
        )
        assert direct.status_code == 200, direct.text
        called_id = f"{request_id}-called"
        result = service.run(
            str(service.python),
            "-c",
            textwrap.dedent(CARRIED_CALLER.format(package=service.package)),
            callee.url,
            called_id,
            f"00-{trace_id}-{parent_id}-01",
            timeout=60,
        ).check()
        caller_span_id = result.output.strip().splitlines()[-1]
        log = callee.log

    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    [access] = [line for line in lines if line.get("request_id") == request_id]
    assert access["trace_id"] == trace_id
    assert access["span_id"] not in (parent_id, None)
    [called] = [line for line in lines if line.get("request_id") == called_id]
    assert called["trace_id"] == trace_id
    assert called["span_id"] not in (parent_id, caller_span_id, access["span_id"], None)
