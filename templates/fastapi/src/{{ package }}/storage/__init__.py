"""Where items are kept: the stored record and the interface the HTTP layer depends on.

The routes see only :class:`ItemRepository`; the storage behind it is chosen once, in the
application's lifespan, so the HTTP layer and its tests are the same whatever keeps the items.
Nothing here knows about HTTP or pydantic: the routes answer an :class:`Item` as it is, and
FastAPI describes and serialises the dataclass as it would a model.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Item:
    """A stored item."""

    id: int
    name: str
    description: str | None
    created_at: datetime


class StorageUnavailable(Exception):
    """The storage cannot be reached now; the request may succeed later (answered 503)."""


class ItemRepository(Protocol):
    """Create, read, page through, change and delete items.

    Ids are 1 to 2**63 - 1 and offsets at most 2**63 - 1, the range of the table's ``bigint``;
    the HTTP layer refuses anything outside before it calls a repository. A repository raises
    :class:`StorageUnavailable` when it cannot reach its storage.
    """

    async def create(self, name: str, description: str | None) -> Item:
        """Store a new item and return it with its id and creation time."""

    async def get(self, item_id: int) -> Item | None:
        """Return the item with this id, or ``None``."""

    async def page(self, limit: int, offset: int) -> tuple[list[Item], int]:
        """Return up to ``limit`` items after the first ``offset``, by id, and the total count."""

    async def update(self, item_id: int, changes: Mapping[str, str | None]) -> Item | None:
        """Set the members in ``changes`` (``name``, ``description``); ``None`` if no such item."""

    async def delete(self, item_id: int) -> bool:
        """Delete the item with this id; return whether there was one."""
