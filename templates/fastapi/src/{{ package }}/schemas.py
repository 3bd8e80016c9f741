"""The JSON shapes of the items API: the bodies it reads, checked here, and what it answers.

One item is answered as it is stored (:class:`.storage.Item`); what is here is what the API
adds around it. :data:`ITEM_CREATE_SCHEMA` and :data:`ITEM_CHANGES_SCHEMA` describe the bodies
of ``POST /items`` and ``PATCH /items/{id}`` in the OpenAPI document, but the bodies are read
and checked by :func:`json_body`, :func:`new_item` and :func:`item_changes` rather than by FastAPI,
for three reasons: a body not sent as JSON must be a 415 and broken JSON a 400 (FastAPI makes
both a 422), nesting must be bounded before a parser recurses (``problems.loads_json``), and a
field error must name the field without echoing the input, in the same words as every other
service made from this template.

:func:`json_body` checks in the order of the service's error table: a ``Content-Length`` past
``MAX_BODY_BYTES`` is a 413 before anything is read (a chunked body that passes the limit is
stopped by :class:`.middleware.BodySizeLimit` while it is read); then a body not sent as JSON
is a 415; one that is not UTF-8, not JSON, or nested too deep is a 400; then the members are
checked, 422 naming each bad one.
"""

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from . import problems
from .errors import ProblemError, invalid, too_large
from .storage import Item

#: What a checked body of ``POST`` or ``PATCH`` gives the route: the members it sets.
ItemFields = dict[str, str | None]

CUT_SHORT = "the body ended before its declared length"


_NAME = {"type": "string", "minLength": 1, "maxLength": problems.NAME_MAX, "examples": ["Teapot"]}
_DESCRIPTION = {
    "type": ["string", "null"],
    "maxLength": problems.DESCRIPTION_MAX,
    "examples": ["Short and stout"],
}

#: What ``POST /items`` accepts; unknown members are refused rather than silently dropped.
ITEM_CREATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {"name": _NAME, "description": _DESCRIPTION},
}

#: What ``PATCH /items/{id}`` accepts: the members to change, none required.
ITEM_CHANGES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"name": _NAME, "description": _DESCRIPTION},
}

#: Every error answer, RFC 9457 problem details (``problems.py``, ``errors.py``).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance", "request_id"],
    "properties": {
        "type": {"type": "string", "examples": ["about:blank"]},
        "title": {"type": "string", "examples": ["Not Found"]},
        "status": {"type": "integer", "examples": [404]},
        "detail": {"type": "string", "examples": ["no item has this id"]},
        "instance": {"type": "string", "examples": ["/items/42"]},
        "request_id": {"type": "string"},
        "errors": {
            "description": "Only for 422: each invalid body member or parameter.",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

#: Schemas the OpenAPI document refers to by name although no route's model declares them.
COMPONENTS: dict[str, dict[str, Any]] = {
    "ItemChanges": ITEM_CHANGES_SCHEMA,
    "ItemCreate": ITEM_CREATE_SCHEMA,
    "Problem": PROBLEM_SCHEMA,
}


class ItemPage(BaseModel):
    """One page of items, ordered by id, with the total count for paging on."""

    items: list[Item]
    total: int
    limit: int
    offset: int


def _problem_response(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {problems.PROBLEM_JSON: {"schema": schema}}}


#: The error answers of the routes, for the OpenAPI document, by status.
Responses = dict[int | str, dict[str, Any]]
BAD_REQUEST: Responses = {
    400: _problem_response("The body is not valid UTF-8 or JSON, or nests too deep.")
}
NOT_FOUND: Responses = {404: _problem_response("No item has this id.")}
CONTENT_TOO_LARGE: Responses = {413: _problem_response("The body is larger than `MAX_BODY_BYTES`.")}
UNSUPPORTED: Responses = {415: _problem_response("The body is not sent as `application/json`.")}
UNPROCESSABLE: Responses = {
    422: _problem_response("A body member or a parameter is not valid; `errors` names each.")
}
SERVER_ERRORS: Responses = {
    500: _problem_response("An unexpected error; the log has the details."),
    503: _problem_response("The database is unavailable."),
}
BODY_ERRORS: Responses = {**BAD_REQUEST, **CONTENT_TOO_LARGE, **UNSUPPORTED}


def request_body(component: str) -> dict[str, Any]:
    """The ``openapi_extra`` that documents a schema of :data:`COMPONENTS` as the JSON body."""
    schema = {"$ref": f"#/components/schemas/{component}"}
    content = {"application/json": {"schema": schema}}
    return {"requestBody": {"required": True, "content": content}}


async def json_body(request: Request) -> object:
    """The request's body parsed as JSON; a 413, 415 or 400 problem when it cannot be."""
    limit: int = request.app.state.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    if not problems.is_json_media_type(request.headers.get("content-type")):
        raise ProblemError(415, problems.UNSUPPORTED_MEDIA_TYPE)
    try:
        raw = await request.body()
    except ClientDisconnect:
        # The client closed the connection mid-body: its fault, not the service's. The answer
        # reaches no one, but the access log records a 400 instead of an unexpected error.
        raise ProblemError(400, CUT_SHORT) from None
    try:
        return problems.loads_json(raw)
    except problems.BadJson as exc:
        raise ProblemError(400, str(exc)) from None


def _text_error(value: object, maximum: int, *, nullable: bool) -> str | None:
    """Why ``value`` is not a valid text member, or None when it is."""
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        return "must be a string or null" if nullable else "must be a string"
    reason = problems.text_problem(value)
    if reason is None and len(value) > maximum:
        reason = f"must be at most {maximum} characters"
    if reason is None and not value and not nullable:
        reason = "must not be empty"
    return reason


def _field_name(member: str) -> str:
    """A body member's name as a field error may show it: valid UTF-8, whatever was sent."""
    return member.encode("utf-8", "replace").decode("utf-8")


#: The item members a body may set: name, longest value, whether null is allowed.
_MEMBERS = (("name", problems.NAME_MAX, False), ("description", problems.DESCRIPTION_MAX, True))


def _item_fields(body: object, *, required: tuple[str, ...]) -> ItemFields:
    """The item members of ``body``, or a 422 naming every member that is not valid.

    The errors come in a fixed order, the same in every service made from this template:
    missing members, then ``name``, then ``description``, then unknown members as sent.
    """
    if not isinstance(body, dict):
        raise invalid([problems.field_error("body", "must be a JSON object")])
    errors = [problems.field_error(name, "is required") for name in required if name not in body]
    for name, maximum, nullable in _MEMBERS:
        if name in body:
            reason = _text_error(body[name], maximum, nullable=nullable)
            if reason is not None:
                errors.append(problems.field_error(name, reason))
    known = {name for name, _, _ in _MEMBERS}
    errors.extend(
        problems.field_error(_field_name(member), "unknown field")
        for member in body
        if member not in known
    )
    if errors:
        raise invalid(errors)
    return {name: body[name] for name, _, _ in _MEMBERS if name in body}


async def new_item(body: Annotated[object, Depends(json_body)]) -> ItemFields:
    """The ``name`` and optional ``description`` of a ``POST /items`` body, checked."""
    return _item_fields(body, required=("name",))


async def item_changes(body: Annotated[object, Depends(json_body)]) -> ItemFields:
    """The members a ``PATCH /items/{id}`` body sets, checked; ``{}`` changes nothing."""
    return _item_fields(body, required=())
