"""The item repository interface: what the API needs from storage, whatever the storage is."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypedDict


class ItemChanges(TypedDict, total=False):
    """The members of an item that ``PATCH`` may set; those left out stay as they are."""

    name: str
    description: str | None


class Item(Protocol):
    """A stored item, as the API reads it."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


class ItemRepository(Protocol):
    """Stores items and hands them out by id, oldest first."""

    def add(self, name: str, description: str | None) -> Item:
        """Store a new item and return it with its id and creation time."""
        ...

    def page(self, limit: int, offset: int) -> tuple[Sequence[Item], int]:
        """Return up to ``limit`` items after the first ``offset``, ordered by id, and the total."""
        ...

    def get(self, item_id: int) -> Item | None:
        """Return the item with this id, or None."""
        ...

    def update(self, item_id: int, changes: ItemChanges) -> Item | None:
        """Set the ``name`` and ``description`` in ``changes`` on the item; None when absent."""
        ...

    def delete(self, item_id: int) -> bool:
        """Delete the item with this id; False when there was none."""
        ...
