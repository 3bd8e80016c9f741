"""The service's error responses: one JSON body for every error, whatever raised it.

Every error the service answers, from a failed validation to an unknown route, is a JSON object
with a human-readable ``detail``; validation errors add ``errors``, the messages by location
(``json``, ``query``) and field. flask-smorest calls :func:`error_response` for every
``HTTPException`` (see :class:`.api.Api`) and documents :class:`ErrorSchema` as the body.
"""

from typing import Any

import marshmallow as ma
from werkzeug.exceptions import HTTPException, MethodNotAllowed


class ErrorSchema(ma.Schema):
    """The body of every error response."""

    detail = ma.fields.String(
        required=True, metadata={"description": "What went wrong, for a human reader"}
    )
    errors = ma.fields.Dict(
        metadata={"description": "Validation messages by location (json, query) and field"}
    )


def describe(messages: Any, path: tuple[str, ...] = ()) -> list[str]:
    """Flatten webargs' nested messages to ``field: message`` lines, leaving out the location."""
    if isinstance(messages, dict):
        return [
            line for key, value in messages.items() for line in describe(value, (*path, str(key)))
        ]
    if isinstance(messages, list):
        return [line for message in messages for line in describe(message, path)]
    field = ".".join(path[1:])
    return [f"{field}: {messages}" if field else str(messages)]


def error_response(error: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The body, status and headers answering ``error``; flask-smorest's ``abort`` data kept."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    payload: dict[str, Any] = {"detail": data.get("message") or error.description}
    if errors:
        payload["detail"] = "; ".join(describe(errors))
        payload["errors"] = errors
    headers = dict(data.get("headers") or {})
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return payload, error.code or 500, headers
