"""How the views' arguments are read: webargs' Flask parser, made to follow the error table.

flask-smorest's ``Blueprint.arguments`` parses with webargs; :class:`Blueprint` gives it
:class:`ProblemParser`, which reads a JSON body in the order every svcgen service checks it: a
``Content-Length`` past ``MAX_BODY_BYTES`` is a 413 before anything is read, and a chunked
body is read no further than one byte past it (Werkzeug's ``MAX_CONTENT_LENGTH``); a body
not sent as JSON is a 415; one that is not UTF-8, not JSON, or nests deeper than
``problems.MAX_JSON_DEPTH`` is a 400 (``problems.loads_json``, which never hits a recursion
limit); JSON that is not an object is a 422. The schema's messages then become the problem's
field errors, in the order of the schema's fields and then of the body's unknown members.
"""

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import flask
import marshmallow as ma
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser

from .. import problems
from ..errors import ProblemError, ProblemSchema, invalid, too_large

_View = TypeVar("_View", bound=Callable[..., Any])

#: Where the parsed body waits for :meth:`ProblemParser.handle_error` to order its members.
_BODY_KEY = f"{__name__}.body"


class ProblemParser(FlaskParser):
    """webargs' Flask parser, answering each failure with the service's problem."""

    def load_json(self, req: flask.Request, schema: ma.Schema) -> Any:
        limit = flask.current_app.config["MAX_CONTENT_LENGTH"]
        if req.content_length is not None and req.content_length > limit:
            raise too_large()
        if not problems.is_json_media_type(req.headers.get("Content-Type")):
            raise ProblemError(415, problems.UNSUPPORTED_MEDIA_TYPE)
        raw = req.get_data(cache=True)
        # Werkzeug reads a chunked body only up to MAX_CONTENT_LENGTH and stops there without
        # an error; one more byte from the server's stream tells whether it went on.
        if req.content_length is None and len(raw) >= limit and req.environ["wsgi.input"].read(1):
            raise too_large()
        try:
            body = problems.loads_json(raw)
        except problems.BadJson as exc:
            raise ProblemError(400, str(exc)) from None
        if not isinstance(body, dict):
            raise invalid([problems.field_error("body", "must be a JSON object")])
        req.environ[_BODY_KEY] = body
        return body

    def handle_error(
        self,
        error: ma.ValidationError,
        req: flask.Request,
        schema: ma.Schema,
        *,
        error_status_code: int | None,
        error_headers: Any,
    ) -> NoReturn:
        messages = error.messages if isinstance(error.messages, dict) else {}
        # webargs files each location's messages under its name ("json", "query").
        by_field: dict[str, Any] = {}
        for location_messages in messages.values():
            if isinstance(location_messages, dict):
                by_field.update(location_messages)
        body = req.environ.get(_BODY_KEY) or {}
        order = {name: position for position, name in enumerate(schema.fields)}
        for member in body:
            order.setdefault(member, len(order))
        errors = [
            problems.field_error(_field_name(str(name)), _first(message))
            for name, message in sorted(by_field.items(), key=lambda item: order.get(item[0], 0))
        ]
        raise invalid(errors)


def _field_name(member: str) -> str:
    """A body member's name as a field error shows it: valid UTF-8, whatever was sent.

    A lone surrogate becomes ``?``, as in the services of the other frameworks, so a member
    name reads the same whichever of them answers.
    """
    return member.encode("utf-8", "replace").decode("utf-8")


def _first(message: Any) -> str:
    """The first message marshmallow gave a field (a list of them, or a nested dict)."""
    while isinstance(message, list | dict) and message:
        message = message[0] if isinstance(message, list) else next(iter(message.values()))
    return str(message)


class Blueprint(SmorestBlueprint):
    """flask-smorest's ``Blueprint``, parsing with :class:`ProblemParser`."""

    ARGUMENTS_PARSER = ProblemParser()

    def problem(self, status: int, description: str) -> Callable[[_View], _View]:
        """Document that the view may answer ``status``, a problem, for ``description``."""
        decorator: Callable[[_View], _View] = self.alt_response(
            status,
            schema=ProblemSchema,
            content_type=problems.PROBLEM_JSON,
            description=description,
        )
        return decorator
