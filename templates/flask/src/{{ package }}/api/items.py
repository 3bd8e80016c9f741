"""The example resource, ``/items``: create, list, read and delete.

The views only speak to an :class:`~..storage.ItemRepository`; which one (memory or
PostgreSQL) the application factory decides.
"""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from .. import dependencies
from ..schemas import ItemCreateSchema, ItemPageSchema, ItemSchema, PageQuerySchema
from ..storage import Item
from . import ErrorSchema

blueprint = Blueprint("items", __name__, url_prefix="/items", description="An example resource")


@blueprint.route("")
class Items(MethodView):
    @blueprint.arguments(PageQuerySchema, location="query")
    @blueprint.response(200, ItemPageSchema)
    def get(self, query: dict[str, int]) -> dict[str, Any]:
        """List items, oldest first"""
        items, total = dependencies.current().items().page(query["limit"], query["offset"])
        return {"items": items, "total": total, **query}

    @blueprint.arguments(ItemCreateSchema)
    @blueprint.response(201, ItemSchema)
    def post(self, new_item: dict[str, Any]) -> Item:
        """Create an item"""
        return dependencies.current().items().add(new_item["name"], new_item["description"])


@blueprint.route("/<int:item_id>")
class ItemById(MethodView):
    @blueprint.response(200, ItemSchema)
    @blueprint.alt_response(404, schema=ErrorSchema, description="No item has this id")
    def get(self, item_id: int) -> Item:
        """Read an item"""
        item = dependencies.current().items().get(item_id)
        if item is None:
            raise NotFound(f"item {item_id} not found")
        return item

    @blueprint.response(204)
    @blueprint.alt_response(404, schema=ErrorSchema, description="No item has this id")
    def delete(self, item_id: int) -> None:
        """Delete an item"""
        if not dependencies.current().items().delete(item_id):
            raise NotFound(f"item {item_id} not found")
