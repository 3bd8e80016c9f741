"""Error answers: every error is RFC 9457 ``application/problem+json``, whoever raises it.

The body's members, titles and limits come from ``problems.py``, which every service made
from the same template shares, so the same fault gets the same answer in every framework.

Views and the request parser (``api/parsing.py``) raise :class:`ProblemError` for the faults
they find. flask-smorest hands every ``HTTPException`` to :func:`handle_http_exception` (see
:class:`.api.Api`), so Werkzeug's own errors get the same body: no route (404), a method the
route does not take (405, with its ``Allow`` header), a body past ``MAX_CONTENT_LENGTH`` while
it is read (413), and the 500 Flask makes of an exception no view caught, after it has logged
the traceback. Their wording is fixed here, never Werkzeug's, whose texts are long HTML-era
sentences. :func:`register` adds the 503 for a storage that cannot be reached.
"""

import logging
from collections.abc import Mapping

import marshmallow as ma
from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from . import problems
from .logs import request_id_var

L = logging.getLogger(__name__)

#: For a Werkzeug error that has no wording of its own here.
_DETAILS = {
    404: problems.NO_SUCH_RESOURCE,
    405: problems.METHOD_NOT_ALLOWED,
    500: problems.UNEXPECTED,
}


class ProblemError(HTTPException):
    """A fault answered with a problem: the status, its ``detail`` and any field errors."""

    def __init__(
        self, status: int, detail: str, errors: list[problems.FieldError] | None = None
    ) -> None:
        super().__init__(detail)
        self.code = status
        self.errors = errors


def invalid(errors: list[problems.FieldError]) -> ProblemError:
    """The 422 for a request whose body, query or path parameters fail validation."""
    return ProblemError(422, problems.INVALID, errors)


def too_large() -> ProblemError:
    """The 413 for a body past the app's ``MAX_CONTENT_LENGTH`` (``MAX_BODY_BYTES``)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return ProblemError(413, f"the body must be at most {limit} bytes")


def _path() -> str:
    """The request's path, with the leading slashes it was sent with.

    Werkzeug's ``request.path`` folds ``//x`` to ``/x``; the problem's ``instance`` names
    the path as the client sent it, like the other frameworks' services do.
    """
    path_info = request.environ.get("PATH_INFO", "")
    slashes = len(path_info) - len(path_info.lstrip("/"))
    return "/" * max(slashes, 1) + request.path.lstrip("/")


def problem_response(
    status: int,
    detail: str,
    errors: list[problems.FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The ``application/problem+json`` answer to the current request."""
    body = problems.problem(
        status,
        detail,
        instance=_path(),
        request_id=request_id_var.get() or "",
        errors=errors,
    )
    response = Response(problems.dumps(body), status=status, mimetype=problems.PROBLEM_JSON)
    response.headers.update(headers or {})
    return response


def handle_http_exception(error: HTTPException) -> Response:
    """The problem answering ``error``; flask-smorest calls it for every HTTP exception."""
    status = error.code or 500
    if isinstance(error, ProblemError):
        return problem_response(status, error.description or "", error.errors)
    if status == 413:
        return handle_http_exception(too_large())
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = _DETAILS.get(status) or problems.title(status)
    return problem_response(status, detail, headers=headers)


def register(app: Flask, *, unavailable: tuple[type[Exception], ...] = ()) -> None:
    """Answer the exceptions ``unavailable`` (a storage that cannot be reached) with a 503."""

    def storage_unavailable(error: Exception) -> Response:
        L.warning("Storage unavailable serving %s %s: %s", request.method, request.path, error)
        return problem_response(503, problems.STORAGE_UNAVAILABLE)

    for exception in unavailable:
        app.register_error_handler(exception, storage_unavailable)


class FieldErrorSchema(ma.Schema):
    field = ma.fields.String(
        required=True, metadata={"description": "The body member, query or path parameter"}
    )
    message = ma.fields.String(required=True, metadata={"description": "What is wrong with it"})


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem: the body of every error answer (``problems.problem``)."""

    type = ma.fields.String(required=True, metadata={"examples": ["about:blank"]})
    title = ma.fields.String(required=True, metadata={"examples": ["Unprocessable Content"]})
    status = ma.fields.Integer(required=True, metadata={"examples": [422]})
    detail = ma.fields.String(
        required=True, metadata={"description": "What went wrong, for a human reader"}
    )
    instance = ma.fields.String(required=True, metadata={"description": "The request path"})
    request_id = ma.fields.String(
        required=True, metadata={"description": "The request's X-Request-ID, as in the logs"}
    )
    errors = ma.fields.List(
        ma.fields.Nested(FieldErrorSchema),
        metadata={"description": "Only with 422: each invalid field (at most 5)"},
    )
