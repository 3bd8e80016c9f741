"""Items in PostgreSQL, through the session of the current request."""

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from . import ItemChanges
from .models import Item


class SqlItemRepository:
    """Each write commits at once: one request, one unit of work."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, name: str, description: str | None) -> Item:
        item = Item(name=name, description=description)
        self.session.add(item)
        # PostgreSQL fills id and created_at; SQLAlchemy reads them back with RETURNING.
        self.session.commit()
        return item

    def page(self, limit: int, offset: int) -> tuple[Sequence[Item], int]:
        items = self.session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
        total = self.session.scalar(select(func.count()).select_from(Item))
        return items.all(), total or 0

    def get(self, item_id: int) -> Item | None:
        return self.session.get(Item, item_id)

    def update(self, item_id: int, changes: ItemChanges) -> Item | None:
        if not changes:
            return self.get(item_id)
        # One statement, so two concurrent changes of one item cannot interleave.
        statement = update(Item).where(Item.id == item_id).values(**changes).returning(Item)
        item = self.session.scalar(statement, execution_options={"synchronize_session": False})
        self.session.commit()
        return item

    def delete(self, item_id: int) -> bool:
        deleted = self.session.scalar(delete(Item).where(Item.id == item_id).returning(Item.id))
        self.session.commit()
        return deleted is not None
