"""A local OTLP/HTTP trace receiver: what a collector would get from a service, decoded.

:class:`Receiver` listens on a free loopback port and answers ``POST /v1/traces`` as a collector
does (protobuf ``ExportTraceServiceRequest`` in, an empty ``ExportTraceServiceResponse`` out),
keeping every span it was sent as a :class:`Span`. Point a service at it with
``OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint``.
"""

from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2

# The protobuf span kinds, by the names the tests use.
SPAN_KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def _value(value: common_pb2.AnyValue) -> Any:
    kind = value.WhichOneof("value")
    return None if kind is None else getattr(value, kind)


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: str
    attributes: dict[str, Any]
    service_name: str


@dataclass
class Receiver:
    """The spans received so far, and the address to send them to."""

    endpoint: str = ""
    spans: list[Span] = field(default_factory=list)
    requests: int = 0
    #: Keep the bodies as they came and decode them only in :meth:`decode_stored`: a benchmark's
    #: receiver must not spend the CPU it measures the service on.
    deferred: bool = False
    _stored: list[bytes] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, body: bytes) -> None:
        if self.deferred:
            with self._lock:
                self.requests += 1
                self._stored.append(body)
            return
        self._decode(body)
        with self._lock:
            self.requests += 1

    def decode_stored(self) -> list[Span]:
        """Decode the bodies a deferred receiver kept; the spans received so far."""
        with self._lock:
            stored, self._stored = self._stored, []
        for body in stored:
            self._decode(body)
        with self._lock:
            return list(self.spans)

    def _decode(self, body: bytes) -> None:
        request = trace_service_pb2.ExportTraceServiceRequest()
        request.ParseFromString(body)
        received = []
        for resource_spans in request.resource_spans:
            resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append(
                        Span(
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            name=span.name,
                            kind=SPAN_KINDS.get(span.kind, "unspecified"),
                            attributes={a.key: _value(a.value) for a in span.attributes},
                            service_name=str(resource.get("service.name", "")),
                        )
                    )
        with self._lock:
            self.spans.extend(received)

    def wait_for(self, found: Callable[[list[Span]], bool], timeout: float = 20.0) -> list[Span]:
        """The spans received, once ``found`` holds for them (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                spans = list(self.spans)
            if found(spans) or time.monotonic() > deadline:
                return spans
            time.sleep(0.1)


class _Handler(http.server.BaseHTTPRequestHandler):
    receiver: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if self.path != "/v1/traces":
            self.send_error(404)
            return
        self.receiver.add(body)
        answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the spans, not the receiver's access log."""


@contextmanager
def receiver(*, deferred: bool = False) -> Iterator[Receiver]:
    """A running receiver on 127.0.0.1, stopped on exit (``deferred``: see :class:`Receiver`)."""
    received = Receiver(deferred=deferred)
    handler = type("Handler", (_Handler,), {"receiver": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    received.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="otlp-receiver", daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
