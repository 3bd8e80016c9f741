"""Items in PostgreSQL, behind the storage interface (:class:`ItemRepository`).

Each call is one SQL statement on a pooled connection in autocommit (``database.py``): one round
trip, atomic on its own. The statements are SQLAlchemy Core on the mapped table, and rows become
:class:`Item` directly: an ORM session, its identity map and unit of work would cost more than
the query for what is one row in, one row out.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast

from sqlalchemy import Row, Table, delete, exc, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import Item, StorageUnavailable
from .models import ItemRow

#: What a database that is down, unreachable or out of connections raises: the driver's
#: connection errors (wrapped by SQLAlchemy or not), a connect timeout, the pool's timeout.
_UNAVAILABLE = (OSError, exc.OperationalError, exc.InterfaceError, exc.TimeoutError)

_TABLE = cast(Table, ItemRow.__table__)
_COLUMNS = (_TABLE.c.id, _TABLE.c.name, _TABLE.c.description, _TABLE.c.created_at)
#: The total a page reports, in the same statement as the page itself.
_TOTAL = select(func.count()).select_from(_TABLE).scalar_subquery().label("total")


def _item(row: Row[*tuple[Any, ...]]) -> Item:
    return Item(id=row.id, name=row.name, description=row.description, created_at=row.created_at)


class SqlItemRepository:
    """Items in the ``items`` table, one statement per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """A pooled connection; a database that cannot be reached is StorageUnavailable."""
        try:
            async with self._engine.connect() as connection:
                yield connection
        except _UNAVAILABLE as error:
            raise StorageUnavailable(" ".join(str(error).split())[:200]) from error

    async def create(self, name: str, description: str | None) -> Item:
        statement = insert(_TABLE).values(name=name, description=description).returning(*_COLUMNS)
        async with self._connection() as connection:
            row = (await connection.execute(statement)).one()
        return _item(row)

    async def get(self, item_id: int) -> Item | None:
        statement = select(*_COLUMNS).where(_TABLE.c.id == item_id)
        async with self._connection() as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else _item(row)

    async def page(self, limit: int, offset: int) -> tuple[list[Item], int]:
        statement = select(*_COLUMNS, _TOTAL).order_by(_TABLE.c.id).limit(limit).offset(offset)
        async with self._connection() as connection:
            rows = (await connection.execute(statement)).all()
            if rows:
                return [_item(row) for row in rows], rows[0].total
            # A page past the last item has no row to carry the total: ask for it alone.
            total = await connection.scalar(select(func.count()).select_from(_TABLE))
        return [], total or 0

    async def update(self, item_id: int, changes: Mapping[str, str | None]) -> Item | None:
        if not changes:
            return await self.get(item_id)
        statement = (
            update(_TABLE).where(_TABLE.c.id == item_id).values(**changes).returning(*_COLUMNS)
        )
        async with self._connection() as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else _item(row)

    async def delete(self, item_id: int) -> bool:
        statement = delete(_TABLE).where(_TABLE.c.id == item_id).returning(_TABLE.c.id)
        async with self._connection() as connection:
            deleted = await connection.scalar(statement)
        return deleted is not None
