"""Items in PostgreSQL, behind the storage interface (:class:`ItemRepository`).

Each call is one SQL statement on a pooled connection in autocommit (``database.py``): one round
trip, atomic on its own. The statements are SQLAlchemy Core on the mapped table, built once with
bound parameters (SQLAlchemy then finds each compiled in its cache without rebuilding it), and
rows become :class:`Item` directly: an ORM session, its identity map and unit of work would cost
more than the query for what is one row in, one row out.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, delete, exc, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import Item, StorageUnavailable
from .models import ItemRow

#: What a database that is down, unreachable or out of connections raises: the driver's
#: connection errors (wrapped by SQLAlchemy or not), a connect timeout, the pool's timeout.
_UNAVAILABLE = (OSError, exc.OperationalError, exc.InterfaceError, exc.TimeoutError)

_TABLE = cast(Table, ItemRow.__table__)
_COLUMNS = (_TABLE.c.id, _TABLE.c.name, _TABLE.c.description, _TABLE.c.created_at)
_ID = _TABLE.c.id == bindparam("item_id")
_CREATE = insert(_TABLE).returning(*_COLUMNS)
_GET = select(*_COLUMNS).where(_ID)
_COUNT = select(func.count()).select_from(_TABLE)
#: A page and the total, in one statement.
_PAGE = (
    select(*_COLUMNS, _COUNT.scalar_subquery().label("total"))
    .order_by(_TABLE.c.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_DELETE = delete(_TABLE).where(_ID).returning(_TABLE.c.id)


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
        async with self._connection() as connection:
            result = await connection.execute(_CREATE, {"name": name, "description": description})
            row = result.one()
        return _item(row)

    async def get(self, item_id: int) -> Item | None:
        async with self._connection() as connection:
            row = (await connection.execute(_GET, {"item_id": item_id})).first()
        return None if row is None else _item(row)

    async def page(self, limit: int, offset: int) -> tuple[list[Item], int]:
        async with self._connection() as connection:
            rows = (await connection.execute(_PAGE, {"limit": limit, "offset": offset})).all()
            if rows:
                return [_item(row) for row in rows], rows[0].total
            # A page past the last item has no row to carry the total: ask for it alone.
            total = await connection.scalar(_COUNT)
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
        async with self._connection() as connection:
            deleted = await connection.scalar(_DELETE, {"item_id": item_id})
        return deleted is not None
