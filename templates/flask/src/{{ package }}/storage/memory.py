"""Items kept in the process's memory: the repository of a service without a database.

Items live as long as the process, and each gunicorn worker has its own: run one worker
(``WEB_CONCURRENCY=1``, the default) or choose the PostgreSQL option for shared storage.
"""

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from . import ItemChanges


@dataclass(frozen=True, slots=True)
class StoredItem:
    id: int
    name: str
    description: str | None
    created_at: datetime


class InMemoryItemRepository:
    """A dict from id to item; a lock keeps it whole under gunicorn's threads."""

    def __init__(self) -> None:
        self._items: dict[int, StoredItem] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, name: str, description: str | None) -> StoredItem:
        with self._lock:
            item = StoredItem(next(self._ids), name, description, datetime.now(UTC))
            self._items[item.id] = item
        return item

    def page(self, limit: int, offset: int) -> tuple[Sequence[StoredItem], int]:
        with self._lock:
            # Ids only grow, so insertion order is id order.
            # Past the end there is nothing to slice; islice refuses stops beyond sys.maxsize.
            if offset >= len(self._items):
                return [], len(self._items)
            items = list(itertools.islice(self._items.values(), offset, offset + limit))
            return items, len(self._items)

    def get(self, item_id: int) -> StoredItem | None:
        return self._items.get(item_id)

    def update(self, item_id: int, changes: ItemChanges) -> StoredItem | None:
        with self._lock:
            item = self._items.get(item_id)
            if item is None:
                return None
            # Frozen items: a reader holding the old one never sees half a change.
            item = self._items[item_id] = replace(item, **changes)
        return item

    def delete(self, item_id: int) -> bool:
        with self._lock:
            return self._items.pop(item_id, None) is not None
