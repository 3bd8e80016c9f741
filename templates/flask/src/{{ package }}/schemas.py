"""The JSON the API reads and writes, as marshmallow schemas.

flask-smorest validates requests and serializes responses with them and writes them into the
OpenAPI document, so what is documented is what is enforced. The limits are those of
``problems.py``, the same in every svcgen service, and so are the messages: every field error
says what is wrong without repeating what was sent.
"""

import re
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import ValidationError, fields, validate

from . import problems

#: An integer parameter as sent: ASCII digits, no more than a bigint can have. ``int()`` alone
#: would also take spaces, underscores and other digits than ASCII.
_INTEGER = re.compile(r"[0-9]{1,19}")


def integer_message(minimum: int, maximum: int) -> str:
    return f"must be an integer from {minimum} to {maximum}"


def parse_integer(text: str, minimum: int, maximum: int) -> int | None:
    """``text`` as an integer from ``minimum`` to ``maximum``, or None."""
    if not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


class BoundedInteger(fields.Integer):
    """A query parameter: decimal digits only, within ``minimum``..``maximum``, one message."""

    def __init__(self, minimum: int, maximum: int, **kwargs: Any) -> None:
        self.message = integer_message(minimum, maximum)
        self.minimum, self.maximum = minimum, maximum
        # The Range validator passes whatever _deserialize returns; it is there for the docs.
        super().__init__(validate=validate.Range(minimum, maximum), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = None
        if isinstance(value, str):
            number = parse_integer(value, self.minimum, self.maximum)
        if number is None:
            raise ValidationError(self.message)
        return number


def _text(maximum: int, *, may_be_empty: bool) -> Callable[[str], None]:
    """A validator refusing what PostgreSQL text cannot hold, past ``maximum``, or empty."""

    def check(value: str) -> None:
        reason = problems.text_problem(value)
        if reason is None and len(value) > maximum:
            reason = f"must be at most {maximum} characters"
        if reason is None and not value and not may_be_empty:
            reason = "must not be empty"
        if reason is not None:
            raise ValidationError(reason)

    return check


def _name(*, required: bool) -> fields.String:
    return fields.String(
        required=required,
        validate=_text(problems.NAME_MAX, may_be_empty=False),
        error_messages={
            "required": "is required",
            "null": "must be a string",
            "invalid": "must be a string",
        },
        metadata={"minLength": 1, "maxLength": problems.NAME_MAX},
    )


def _description(**kwargs: Any) -> fields.String:
    return fields.String(
        allow_none=True,
        validate=_text(problems.DESCRIPTION_MAX, may_be_empty=True),
        error_messages={"invalid": "must be a string or null"},
        metadata={"maxLength": problems.DESCRIPTION_MAX},
        **kwargs,
    )


class BodySchema(ma.Schema):
    """A request body: an object whose unknown members are refused."""

    class Meta:
        unknown = ma.RAISE

    # marshmallow merges this class attribute into each schema's messages.
    error_messages = {"unknown": "unknown field"}  # noqa: RUF012


class HealthSchema(ma.Schema):
    status = fields.String(required=True, metadata={"examples": ["ok"]})


class ReadinessSchema(HealthSchema):
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Each dependency and whether it answered: ok or unreachable"},
    )


class ItemCreateSchema(BodySchema):
    """A new item."""

    name = _name(required=True)
    description = _description(load_default=None)


class ItemChangesSchema(BodySchema):
    """The members of an item to change; those left out stay as they are."""

    name = _name(required=False)
    description = _description()


class ItemSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)


class PageQuerySchema(ma.Schema):
    limit = BoundedInteger(*problems.LIMIT_RANGE, load_default=20)
    offset = BoundedInteger(0, problems.MAX_OFFSET, load_default=0)


class ItemPageSchema(ma.Schema):
    items = fields.List(fields.Nested(ItemSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
