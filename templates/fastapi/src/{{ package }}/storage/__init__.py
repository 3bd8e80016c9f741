"""Where items are kept, as an interface the routes depend on.

The routes see only :class:`ItemRepository`; the storage behind it is chosen once, in the
application's lifespan, so tests and the HTTP layer are the same whatever stores the items.
"""

from typing import Protocol

from ..schemas import Item, ItemCreate


class ItemRepository(Protocol):
    """Create, read, page through and delete items."""

    async def create(self, new: ItemCreate) -> Item:
        """Store a new item and return it with its id and creation time."""

    async def get(self, item_id: int) -> Item | None:
        """Return the item with this id, or ``None``."""

    async def page(self, limit: int, offset: int) -> tuple[list[Item], int]:
        """Return up to ``limit`` items after the first ``offset``, by id, and the total count."""

    async def delete(self, item_id: int) -> bool:
        """Delete the item with this id; return whether there was one."""
