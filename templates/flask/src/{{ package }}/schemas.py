"""The JSON the API reads and writes, as marshmallow schemas.

flask-smorest validates requests and serializes responses with them and writes them into the
OpenAPI document, so what is documented is what is enforced.
"""

import marshmallow as ma
from marshmallow import fields, validate


class HealthSchema(ma.Schema):
    status = fields.String(required=True, metadata={"examples": ["ok"]})


class ReadinessSchema(HealthSchema):
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Each dependency and whether it answered: ok or unreachable"},
    )


class ItemCreateSchema(ma.Schema):
    """A new item. Unknown fields are refused."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=1000)
    )


class ItemSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)


class PageQuerySchema(ma.Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class ItemPageSchema(ma.Schema):
    items = fields.List(fields.Nested(ItemSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
