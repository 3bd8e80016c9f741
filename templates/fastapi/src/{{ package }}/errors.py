"""Error answers: every error is RFC 9457 ``application/problem+json``, whoever raises it.

The body's members, titles and limits come from ``problems.py``, which every service made
from the same template shares, so the same fault gets the same answer in every framework.

The routes raise :class:`ProblemError` for the faults they find (a bad body, an absent item);
:func:`install` answers it, and maps FastAPI's and Starlette's own faults onto the same body
with fixed wording: no route (404), a method the route does not take (405, with its ``Allow``
header), a path or query parameter that fails validation (422, ``errors`` naming each one,
never echoing the value as FastAPI's own answer does). A storage that cannot be reached is a
503. Any other exception is caught by :class:`UnexpectedErrors`, a pure ASGI middleware inside
the request-id middleware, so that the 500 carries the request id like every other answer:
it tells nothing of the code, while the log line has the traceback and the request id.
"""

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import logs, problems
from .storage import StorageUnavailable

L = logging.getLogger(__name__)

#: For a Starlette error that has no wording of its own here.
_DETAILS = {404: problems.NO_SUCH_RESOURCE, 405: problems.METHOD_NOT_ALLOWED}
#: Longest ``instance`` sent: the request path, cut so that any error answer stays small.
MAX_INSTANCE = 200
#: At most this many field errors are listed, so that an error answer stays small.
MAX_FIELD_ERRORS = 5
#: The headers of a Starlette error that its problem answer keeps.
_KEPT_HEADERS = ("Allow",)

#: Path and query parameters by their Python name: the name a field error gives, and the
#: range of integers the parameter takes (the ``bigint`` column's for ids and offsets).
PARAMETERS = {
    "item_id": ("id", 1, problems.MAX_ID),
    "limit": ("limit", *problems.LIMIT_RANGE),
    "offset": ("offset", 0, problems.MAX_OFFSET),
}


class ProblemError(Exception):
    """A fault that is answered with a problem: the status, its ``detail``, field errors."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[problems.FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})


def invalid(errors: list[problems.FieldError]) -> ProblemError:
    """The 422 for a request whose body, query or path parameters fail validation."""
    return ProblemError(422, problems.INVALID, errors[:MAX_FIELD_ERRORS])


def not_found() -> ProblemError:
    """The 404 for a valid item id that names no item."""
    return ProblemError(404, problems.NO_SUCH_ITEM)


def too_large(limit: int) -> ProblemError:
    """The 413 for a body past ``limit`` bytes."""
    return ProblemError(413, f"the body must be at most {limit} bytes")


def problem_body(
    path: str, status: int, detail: str, errors: list[problems.FieldError] | None = None
) -> bytes:
    """The serialised problem for a request to ``path``, with this request's id."""
    body = problems.problem(
        status,
        detail,
        instance=path[:MAX_INSTANCE],
        request_id=logs.request_id_var.get() or "",
        errors=errors,
    )
    return problems.dumps(body)


def problem_response(
    request: Request,
    status: int,
    detail: str,
    errors: list[problems.FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The ``application/problem+json`` answer for this request."""
    return Response(
        problem_body(request.url.path, status, detail, errors),
        status_code=status,
        media_type=problems.PROBLEM_JSON,
        headers=headers,
    )


def _field_error(error: Mapping[str, Any]) -> problems.FieldError:
    """A parameter's validation error from pydantic, in the service's words."""
    location: Sequence[Any] = error.get("loc", ())
    name = str(location[-1]) if location else "request"
    if name in PARAMETERS:
        field, low, high = PARAMETERS[name]
        return problems.field_error(field, f"must be an integer from {low} to {high}")
    # Only the parameters above are declared; keep any other failure small and input-free.
    return problems.field_error(name, "is not valid")


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc.status, exc.detail, exc.errors, exc.headers)


def _allowed_methods(request: Request) -> str | None:
    """Every method the API takes on this path, or None for a path it does not describe.

    FastAPI makes one route per path and method, and Starlette's 405 names only the methods
    of the first route that matched the path; the OpenAPI document has them all.
    """
    app = request.app
    methods_by_path: list[tuple[re.Pattern[str], str]] | None = getattr(
        app.state, "allowed_methods", None
    )
    if methods_by_path is None:
        methods_by_path = [
            (compile_path(template)[0], ", ".join(sorted(method.upper() for method in operations)))
            for template, operations in app.openapi().get("paths", {}).items()
        ]
        app.state.allowed_methods = methods_by_path
    path = request.url.path
    return next((methods for pattern, methods in methods_by_path if pattern.match(path)), None)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = _DETAILS.get(exc.status_code) or problems.title(exc.status_code)
    headers = exc.headers or {}
    kept = {name: headers[name] for name in _KEPT_HEADERS if name in headers}
    if exc.status_code == 405:
        kept["Allow"] = _allowed_methods(request) or kept.get("Allow", "")
    return problem_response(request, exc.status_code, detail, headers=kept)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors: list[problems.FieldError] = []
    for error in exc.errors():
        field_error = _field_error(error)
        if field_error not in errors:
            errors.append(field_error)
    return problem_response(request, 422, problems.INVALID, errors[:MAX_FIELD_ERRORS])


async def _storage_unavailable(request: Request, exc: Exception) -> Response:
    L.warning("Storage unavailable serving %s %s: %s", request.method, request.url.path, exc)
    return problem_response(request, 503, problems.STORAGE_UNAVAILABLE)


class UnexpectedErrors:
    """Answer an exception that no handler took with a 500 problem, and log its traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking_start(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_start)
        except Exception:
            L.exception(
                "Unhandled error serving %s %s, request %s",
                scope["method"],
                scope["path"],
                logs.request_id_var.get(),
            )
            if started:
                # Part of the answer is sent; the server can only close the connection.
                raise
            body = problem_body(scope["path"], 500, problems.UNEXPECTED)
            headers = [
                (b"content-type", problems.PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})


def install(app: FastAPI) -> None:
    """Answer every fault on ``app`` with a problem."""
    app.add_exception_handler(ProblemError, _problem)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StorageUnavailable, _storage_unavailable)
    app.add_middleware(UnexpectedErrors)
