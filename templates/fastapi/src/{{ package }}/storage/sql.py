"""Items in PostgreSQL, behind the storage interface (:class:`ItemRepository`)."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from sqlalchemy import delete, exc, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from . import Item, StorageUnavailable
from .models import ItemRow

#: What a database that is down, unreachable or out of connections raises: the driver's
#: connection errors (wrapped by SQLAlchemy or not), a connect timeout, the pool's timeout.
_UNAVAILABLE = (OSError, exc.OperationalError, exc.InterfaceError, exc.TimeoutError)


def _item(row: ItemRow) -> Item:
    return Item(id=row.id, name=row.name, description=row.description, created_at=row.created_at)


class SqlItemRepository:
    """Items in the ``items`` table, one short transaction per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction; a database that cannot be reached is StorageUnavailable."""
        try:
            async with self._sessions.begin() as session:
                yield session
        except _UNAVAILABLE as error:
            raise StorageUnavailable(" ".join(str(error).split())[:200]) from error

    async def create(self, name: str, description: str | None) -> Item:
        statement = insert(ItemRow).values(name=name, description=description)
        async with self._transaction() as session:
            row = (await session.execute(statement.returning(ItemRow))).scalar_one()
        return _item(row)

    async def get(self, item_id: int) -> Item | None:
        async with self._transaction() as session:
            row = await session.get(ItemRow, item_id)
        return None if row is None else _item(row)

    async def page(self, limit: int, offset: int) -> tuple[list[Item], int]:
        async with self._transaction() as session:
            total = await session.scalar(select(func.count()).select_from(ItemRow))
            rows = await session.scalars(
                select(ItemRow).order_by(ItemRow.id).limit(limit).offset(offset)
            )
            return [_item(row) for row in rows], total or 0

    async def update(self, item_id: int, changes: Mapping[str, str | None]) -> Item | None:
        async with self._transaction() as session:
            if not changes:
                row = await session.get(ItemRow, item_id)
            else:
                statement = update(ItemRow).where(ItemRow.id == item_id).values(**changes)
                row = await session.scalar(statement.returning(ItemRow))
        return None if row is None else _item(row)

    async def delete(self, item_id: int) -> bool:
        async with self._transaction() as session:
            deleted = await session.scalar(
                delete(ItemRow).where(ItemRow.id == item_id).returning(ItemRow.id)
            )
        return deleted is not None
