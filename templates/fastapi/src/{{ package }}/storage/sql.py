"""Items in PostgreSQL, behind the storage interface (:class:`ItemRepository`)."""

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from . import Item
from .models import ItemRow

# Ids are BIGINT; a larger number in a URL cannot name a row, and must not reach the driver.
_BIGINT_MAX = 2**63 - 1


def _item(row: ItemRow) -> Item:
    return Item(id=row.id, name=row.name, description=row.description, created_at=row.created_at)


class SqlItemRepository:
    """Items in the ``items`` table, one short transaction per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def create(self, name: str, description: str | None) -> Item:
        statement = insert(ItemRow).values(name=name, description=description)
        async with self._sessions.begin() as session:
            row = (await session.execute(statement.returning(ItemRow))).scalar_one()
        return _item(row)

    async def get(self, item_id: int) -> Item | None:
        if not 0 < item_id <= _BIGINT_MAX:
            return None
        async with self._sessions() as session:
            row = await session.get(ItemRow, item_id)
        return None if row is None else _item(row)

    async def page(self, limit: int, offset: int) -> tuple[list[Item], int]:
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(ItemRow))
            rows = await session.scalars(
                select(ItemRow).order_by(ItemRow.id).limit(limit).offset(min(offset, _BIGINT_MAX))
            )
            return [_item(row) for row in rows], total or 0

    async def delete(self, item_id: int) -> bool:
        if not 0 < item_id <= _BIGINT_MAX:
            return False
        async with self._sessions.begin() as session:
            deleted = await session.scalar(
                delete(ItemRow).where(ItemRow.id == item_id).returning(ItemRow.id)
            )
        return deleted is not None
