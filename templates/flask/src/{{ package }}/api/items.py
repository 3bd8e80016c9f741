"""The example resource, ``/items``: create, list, read and delete.

The views only speak to the ``ItemRepository`` interface of ``storage``; which one (memory or
PostgreSQL) the application factory decides and hands over through :func:`use_repository`.
"""

from collections.abc import Callable
from typing import Any, cast

from flask import Flask, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from ..errors import ErrorSchema
from ..schemas import ItemCreateSchema, ItemPageSchema, ItemSchema, PageQuerySchema
from ..storage import Item, ItemRepository

blueprint = Blueprint("items", __name__, url_prefix="/items", description="An example resource")

_REPOSITORY = f"{__name__}.repository"


def use_repository(app: Flask, repository: Callable[[], ItemRepository]) -> None:
    """Let the views of ``app`` serve the items of ``repository()``, called once per request."""
    app.extensions[_REPOSITORY] = repository


def _items() -> ItemRepository:
    repository = cast(Callable[[], ItemRepository], current_app.extensions[_REPOSITORY])
    return repository()


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
    def post(self, new_item: dict[str, Any]) -> Item:
        """Create an item"""
        return _items().add(new_item["name"], new_item["description"])


@blueprint.route("/<int:item_id>")
class ItemById(MethodView):
    @blueprint.response(200, ItemSchema)
    @blueprint.alt_response(404, schema=ErrorSchema, description="No item has this id")
    def get(self, item_id: int) -> Item:
        """Read an item"""
        item = _items().get(item_id)
        if item is None:
            raise NotFound(f"item {item_id} not found")
        return item

    @blueprint.response(204)
    @blueprint.alt_response(404, schema=ErrorSchema, description="No item has this id")
    def delete(self, item_id: int) -> None:
        """Delete an item"""
        if not _items().delete(item_id):
            raise NotFound(f"item {item_id} not found")
