"""The example resource, ``/items``: create, list, read, change and delete.

The views only speak to the ``ItemRepository`` interface of ``storage``; which one (memory or
PostgreSQL) the application factory decides and hands over through :func:`use_repository`.
Query and path parameters are checked to the ranges the storage holds (``problems.MAX_ID``,
``MAX_OFFSET``), so that no value past them reaches the database; an id that is not one is a
422, not a 404, which is why the route takes any path segment (:class:`ItemIdConverter`).
"""

from collections.abc import Callable
from typing import Any, cast

from flask import Flask, current_app
from flask.views import MethodView
from werkzeug.routing import BaseConverter

from .. import problems
from ..errors import ProblemError, invalid
from ..schemas import (
    ItemChangesSchema,
    ItemCreateSchema,
    ItemPageSchema,
    ItemSchema,
    PageQuerySchema,
    integer_message,
    parse_integer,
)
from ..storage import Item, ItemChanges, ItemRepository
from .parsing import Blueprint

blueprint = Blueprint("items", __name__, url_prefix="/items", description="An example resource")

_REPOSITORY = f"{__name__}.repository"

BAD_BODY = "The body is not valid UTF-8 or JSON, or nests too deep"
TOO_LARGE = "The body is larger than MAX_BODY_BYTES"
NOT_JSON = "The body is not sent as application/json"
BAD_ID = "The id is not an integer from 1 to 2**63 - 1"
ABSENT = "No item has this id"


class ItemIdConverter(BaseConverter):
    """Any one path segment: the view checks it, so a bad id is a 422 naming ``id``."""

    @staticmethod
    def openapi_schema(_converter: BaseConverter) -> dict[str, Any]:
        """How the OpenAPI document describes the parameter (``Api.register_converter``)."""
        return {"type": "integer", "minimum": 1, "maximum": problems.MAX_ID}


def use_repository(app: Flask, repository: Callable[[], ItemRepository]) -> None:
    """Let the views of ``app`` serve the items of ``repository()``, called once per request."""
    app.extensions[_REPOSITORY] = repository


def _items() -> ItemRepository:
    repository = cast(Callable[[], ItemRepository], current_app.extensions[_REPOSITORY])
    return repository()


def _item_id(text: str) -> int:
    """The path's item id, or a 422 when it cannot be one."""
    item_id = parse_integer(text, 1, problems.MAX_ID)
    if item_id is None:
        raise invalid([problems.field_error("id", integer_message(1, problems.MAX_ID))])
    return item_id


def _found(item: Item | None) -> Item:
    if item is None:
        raise ProblemError(404, problems.NO_SUCH_ITEM)
    return item


@blueprint.route("")
class Items(MethodView):
    @blueprint.arguments(PageQuerySchema, location="query")
    @blueprint.response(200, ItemPageSchema)
    def get(self, query: dict[str, int]) -> dict[str, Any]:
        """List items, oldest first"""
        items, total = _items().page(query["limit"], query["offset"])
        return {"items": items, "total": total, **query}

    @blueprint.arguments(ItemCreateSchema)
    @blueprint.response(201, ItemSchema)
    @blueprint.problem(400, BAD_BODY)
    @blueprint.problem(413, TOO_LARGE)
    @blueprint.problem(415, NOT_JSON)
    def post(self, new_item: dict[str, Any]) -> tuple[Item, int, dict[str, str]]:
        """Create an item"""
        item = _items().add(new_item["name"], new_item["description"])
        return item, 201, {"Location": f"/items/{item.id}"}


@blueprint.route("/<item_id:item_id>")
class ItemById(MethodView):
    @blueprint.response(200, ItemSchema)
    @blueprint.problem(404, ABSENT)
    @blueprint.problem(422, BAD_ID)
    def get(self, item_id: str) -> Item:
        """Read an item"""
        return _found(_items().get(_item_id(item_id)))

    @blueprint.arguments(ItemChangesSchema)
    @blueprint.response(200, ItemSchema)
    @blueprint.problem(400, BAD_BODY)
    @blueprint.problem(404, ABSENT)
    @blueprint.problem(413, TOO_LARGE)
    @blueprint.problem(415, NOT_JSON)
    def patch(self, changes: ItemChanges, item_id: str) -> Item:
        """Change an item's name or description; members left out stay as they are"""
        return _found(_items().update(_item_id(item_id), changes))

    @blueprint.response(204)
    @blueprint.problem(404, ABSENT)
    @blueprint.problem(422, BAD_ID)
    def delete(self, item_id: str) -> None:
        """Delete an item"""
        if not _items().delete(_item_id(item_id)):
            raise ProblemError(404, problems.NO_SUCH_ITEM)
