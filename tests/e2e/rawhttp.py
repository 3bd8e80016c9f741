"""HTTP/1.1 requests written byte for byte, for input that ordinary clients refuse to send.

httpx and http.client normalise what they send (they reject control characters in a path, set
their own Content-Length, never send a chunked body past a server's answer). :func:`send`
writes the request line, the headers and the body itself on a fresh connection, so the tests
choose every byte, and reads the answer with the standard library's response parser.

Every socket operation has a timeout and every loop is bounded by the size of the body, so a
server that stops answering fails the test instead of hanging it. A body is sent in pieces;
before each one the socket is checked for an answer, so a server that refuses a large body
early (413 before reading it) is read at once, as a client that watches for it would.
"""

from __future__ import annotations

import http.client
import select
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

#: Body pieces (and chunks of a chunked body) are this large.
PIECE = 64 * 1024
#: At most this much of an answer's body is read: every answer of interest is far smaller.
MAX_READ = 64 * 1024


@dataclass(frozen=True)
class Request:
    """One request as it goes on the wire; ``target`` is the request-target, sent as it is."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    #: Send ``body`` with ``Transfer-Encoding: chunked`` instead of ``Content-Length``.
    chunked: bool = False


@dataclass
class Answer:
    """What the server answered: status, headers (case-insensitive), body, and the size of all."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes
    size: int
    #: The server answered before the whole body was sent.
    early: bool = False
    sent: int = 0


def _head(request: Request, host: str, request_id: str | None) -> bytes:
    lines = [f"{request.method} {request.target} HTTP/1.1", f"Host: {host}", "Connection: close"]
    if request_id is not None:
        lines.append(f"X-Request-ID: {request_id}")
    lines += [f"{name}: {value}" for name, value in request.headers]
    if request.body is not None:
        if request.chunked:
            lines.append("Transfer-Encoding: chunked")
        else:
            lines.append(f"Content-Length: {len(request.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _pieces(request: Request) -> list[bytes]:
    body = request.body or b""
    pieces = [body[start : start + PIECE] for start in range(0, len(body), PIECE)]
    if not request.chunked:
        return pieces
    framed = [b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces]
    return [*framed, b"0\r\n\r\n"]


def _answered(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


def send(base_url: str, request: Request, request_id: str | None, timeout: float = 10.0) -> Answer:
    """Send ``request`` to the server at ``base_url`` on a new connection; return its answer."""
    url = urlsplit(base_url)
    assert url.hostname, base_url
    assert url.port, base_url
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        sock.sendall(_head(request, url.netloc, request_id))
        sent = 0
        early = False
        if request.body is not None:
            try:
                for piece in _pieces(request):
                    if _answered(sock):
                        early = True
                        break
                    sock.sendall(piece)
                    sent += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                # The server answered and closed while the body was still coming: read it.
                early = True
        response = http.client.HTTPResponse(sock, method=request.method)
        response.begin()
        body = response.read(MAX_READ)
        head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n\r\n")
        head += sum(len(name) + len(value) + 4 for name, value in response.getheaders())
        return Answer(response.status, response.msg, body, head + len(body), early, sent)
