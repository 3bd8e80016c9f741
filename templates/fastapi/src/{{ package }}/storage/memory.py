"""Items kept in this process's memory, behind the storage interface (:class:`ItemRepository`).

Items are lost on restart and each worker process (``WEB_CONCURRENCY``) has its own; that is
enough for an example resource. Every method finishes without awaiting, so the event loop
never interleaves two of them and no lock is needed.
"""

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from itertools import islice

from . import Item


class InMemoryItemRepository:
    """Items in a dict keyed by id; ids only grow, so insertion order is id order."""

    def __init__(self) -> None:
        self._items: dict[int, Item] = {}
        self._next_id = 1

    async def create(self, name: str, description: str | None) -> Item:
        item = Item(
            id=self._next_id, name=name, description=description, created_at=datetime.now(UTC)
        )
        self._items[item.id] = item
        self._next_id += 1
        return item

    async def get(self, item_id: int) -> Item | None:
        return self._items.get(item_id)

    async def page(self, limit: int, offset: int) -> tuple[list[Item], int]:
        # islice refuses bounds past sys.maxsize; no page starts beyond the last item anyway.
        count = len(self._items)
        start = min(offset, count)
        return list(islice(self._items.values(), start, min(start + limit, count))), count

    async def update(self, item_id: int, changes: Mapping[str, str | None]) -> Item | None:
        item = self._items.get(item_id)
        if item is None:
            return None
        name = changes.get("name", item.name)
        changed = replace(item, name=item.name if name is None else name)
        if "description" in changes:
            changed = replace(changed, description=changes["description"])
        self._items[item_id] = changed
        return changed

    async def delete(self, item_id: int) -> bool:
        return self._items.pop(item_id, None) is not None
