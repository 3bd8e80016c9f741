"""Hostile input, sent to every framework x database as its production server runs it.

Each request of ``corpus.CORPUS`` goes byte for byte on its own connection (``rawhttp``), and
its answer must be what the contract says: never a 5xx, the status of the contract's "Errors"
table, an ``application/problem+json`` body of the RFC 9457 members whose ``request_id`` is the
``X-Request-ID`` header, the 422's field errors in order, the whole answer under 4 KiB, and the
security headers. ``corpus.ACCEPTED`` holds valid requests that only look hostile: they are
served. After the corpus the server still answers, and its log has no traceback.
"""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e import rawhttp
from tests.e2e.corpus import ACCEPTED, CORPUS, Case
from tests.e2e.harness import GeneratedService, Server

PROBLEM_MEMBERS = ["type", "title", "status", "detail", "instance", "request_id"]
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
#: The harness's bound on any error answer, status line and headers included.
MAX_ANSWER_BYTES = 4096
#: The fixed titles of the shared problems module (not ``HTTPStatus.phrase``).
TITLES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
}


def log_faults(server: Server, request_ids: set[str]) -> list[str]:
    """The server's JSON log lines, for these request ids, of an error or a 5xx answer."""
    faults = []
    for line in server.log.splitlines():
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("request_id") not in request_ids:
            continue
        status = record.get("status")
        if (
            record.get("exception")
            or record.get("level") in {"ERROR", "CRITICAL"}
            or (isinstance(status, int) and status >= 500)
        ):
            faults.append(line[:3000])
    return faults


def running_server(request: pytest.FixtureRequest, service: GeneratedService) -> Server:
    """The service's running production server (the harness's session fixture)."""
    server: Server = request.getfixturevalue("server")
    return server


def assert_security_headers(answer: rawhttp.Answer) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers.get(name) == value, f"{name}: {answer.headers.get(name)!r}"


def assert_problem(case: Case, answer: rawhttp.Answer, request_id: str) -> dict[str, object]:
    """Everything the contract asks of an error answer; return the problem."""
    assert answer.status < 500, f"{answer.status}: {answer.body[:500]!r}"
    assert answer.status == case.status, f"{answer.status}: {answer.body[:500]!r}"
    assert answer.size < MAX_ANSWER_BYTES, f"{answer.size} bytes"
    assert answer.headers.get_content_type() == "application/problem+json", answer.headers
    assert answer.headers.get("X-Request-ID") == request_id
    assert_security_headers(answer)
    problem = json.loads(answer.body)
    assert isinstance(problem, dict), problem
    expected = PROBLEM_MEMBERS + (["errors"] if case.status == 422 else [])
    assert list(problem) == expected, problem
    assert problem["type"] == "about:blank"
    assert problem["status"] == case.status
    assert problem["request_id"] == request_id
    assert problem["title"] == TITLES[case.status]
    assert isinstance(problem["detail"], str)
    assert 0 < len(problem["detail"]) <= 200
    instance = problem["instance"]
    assert isinstance(instance, str)
    assert len(instance) <= 200, instance
    path = case.request.target.split("?", 1)[0]
    assert "?" not in instance, "instance is the path, never the query string"
    if path.isascii() and "%" not in path:
        assert instance == path[:200]
    if case.status == 405:
        assert answer.headers.get("Allow"), "a 405 lists the allowed methods in Allow"
    if case.status == 422:
        errors = problem["errors"]
        assert isinstance(errors, list)
        assert 0 < len(errors) <= 5, errors
        for error in errors:
            assert list(error) == ["field", "message"], error
            assert isinstance(error["message"], str)
            assert 0 < len(error["message"]) <= 200
        if case.fields is not None:
            assert tuple(error["field"] for error in errors) == case.fields, errors
    return problem


def _body_not_echoed(case: Case, answer: rawhttp.Answer) -> None:
    """No error answer carries the request body back (checked on bodies long enough to tell)."""
    body = case.request.body or b""
    if len(body) >= 64:
        assert body[:64] not in answer.body, "the answer echoes the request body"


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CORPUS])
def test_hostile_request_is_refused_cleanly(
    request: pytest.FixtureRequest, service: GeneratedService, case: Case
) -> None:
    server = running_server(request, service)
    request_id = f"hostile-{case.id}"
    answer = rawhttp.send(server.url, case.request, request_id)
    assert_problem(case, answer, request_id)
    _body_not_echoed(case, answer)


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in ACCEPTED])
def test_valid_request_that_looks_hostile_is_served(
    request: pytest.FixtureRequest, service: GeneratedService, case: Case
) -> None:
    server = running_server(request, service)
    request_id = f"accepted-{case.id}"
    answer = rawhttp.send(server.url, case.request, request_id)
    assert answer.status == case.status, f"{answer.status}: {answer.body[:500]!r}"
    assert answer.headers.get_content_type() == "application/json"
    assert answer.headers.get("X-Request-ID") == request_id
    assert_security_headers(answer)
    data = json.loads(answer.body)
    if case.status == 201:
        sent = json.loads(case.request.body or b"")
        assert data["name"] == sent["name"], "the item keeps the name exactly as sent"


def test_unsafe_request_id_is_replaced(
    request: pytest.FixtureRequest, service: GeneratedService
) -> None:
    """A request id that is too long or not printable is not echoed; the problem has the new one."""
    server = running_server(request, service)
    for unsafe in ("x" * 1000, "a b", "<script>"):
        answer = rawhttp.send(server.url, rawhttp.Request("GET", "/nowhere"), unsafe)
        assert answer.status == 404
        replaced = answer.headers.get("X-Request-ID")
        assert replaced
        assert replaced != unsafe
        assert len(replaced) <= 128
        assert json.loads(answer.body)["request_id"] == replaced
        assert_security_headers(answer)


def test_client_leaving_mid_body_harms_no_one(
    request: pytest.FixtureRequest, service: GeneratedService
) -> None:
    """A body cut short by the client (it promised more, then closed) is not a server error:
    no 5xx is answered or logged, and the server goes on answering."""
    server = running_server(request, service)
    url = urlsplit(server.url)
    assert url.hostname
    assert url.port
    for _ in range(3):
        with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
            sock.sendall(
                b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\nX-Request-ID: cut-short\r\n\r\n" + b'{"name": "pe'
            )
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(10)
            answer = b""
            while len(answer) < rawhttp.MAX_READ:
                try:
                    piece = sock.recv(4096)
                except (ConnectionResetError, TimeoutError):
                    break
                if not piece:
                    break
                answer += piece
        if answer:
            status = int(answer.split(b" ", 2)[1])
            assert status < 500, answer[:500]
    assert httpx.get(f"{server.url}/health/live", timeout=5).status_code == 200
    # The server may log the cut request after the client has gone: give it a moment.
    deadline = time.monotonic() + 3
    while not (faults := log_faults(server, {"cut-short"})) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not faults, "\n".join(faults)


def test_corpus_leaves_no_traceback(
    request: pytest.FixtureRequest, service: GeneratedService
) -> None:
    """No request of the corpus is an unexpected error inside the server either: after all of
    them, the server still answers, and its log has no error line for any of them."""
    server = running_server(request, service)
    request_ids = set()
    for case in CORPUS:
        request_ids.add(f"trace-{case.id}")
        rawhttp.send(server.url, case.request, f"trace-{case.id}")
    assert httpx.get(f"{server.url}/health/live", timeout=5).status_code == 200
    faults = log_faults(server, request_ids)
    assert not faults, "\n".join(faults)


def test_corpus_paths_are_what_the_server_sees() -> None:
    """The corpus itself: every target is a valid request-target (no raw space or control
    character), so each answer is the service's, not a refusal of the HTTP parser."""
    for case in CORPUS + ACCEPTED:
        target = case.request.target
        assert target.startswith("/"), case.id
        assert target.isascii(), case.id
        assert not any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target), case.id
        assert len(target) < 8000, case.id
