"""The smallest FastAPI app, served exactly as a generated FastAPI service's ``serve`` serves.

The benchmark's yardstick for the FastAPI template: one route, ``GET /health/live`` answering
``{"status": "ok"}``, on uvicorn with the same options as ``templates/fastapi/.../server.py``
(uvloop, httptools, ``WEB_CONCURRENCY`` workers, no access log, no server header, the same
graceful-shutdown timeout and SIGTERM exit), listening on ``HOST``/``PORT``. It runs in the
generated service's virtualenv, so it uses only what the service depends on.

With ``BARE_DB`` set it is also the yardstick of the database scenarios, on the ``items`` table
of a migrated db=postgres service at ``DATABASE_URL``: ``GET /items/{id}``, ``GET /items`` (a
page of 20 and the total) and ``POST /items``, written as the FastAPI and SQLAlchemy tutorials
write them. ``BARE_DB=orm`` uses the service's ORM and driver (SQLAlchemy's async session on
asyncpg, a pool of ``DB_POOL_SIZE``); ``BARE_DB=raw`` the bare driver (an asyncpg pool).

    HOST=127.0.0.1 PORT=8000 python bench/bare/bare_fastapi.py
    BARE_DB=orm DATABASE_URL=postgresql://... python bench/bare/bare_fastapi.py
"""

import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

BARE_DB = os.environ.get("BARE_DB", "")
POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", "10"))
COLUMNS = "id, name, description, created_at"


class NewItem(BaseModel):
    name: str
    description: str | None = None


class ItemOut(BaseModel):
    id: int
    name: str
    description: str | None
    created_at: datetime


class Page(BaseModel):
    items: list[ItemOut]
    total: int
    limit: int
    offset: int


def orm_routes(app: FastAPI, url: str) -> Any:
    from sqlalchemy import BigInteger, DateTime, String, func, select
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Row(Base):
        __tablename__ = "items"
        id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
        name: Mapped[str] = mapped_column(String(100))
        description: Mapped[str | None] = mapped_column(String(1000))
        created_at: Mapped[datetime] = mapped_column(
            DateTime(timezone=True), server_default=func.now()
        )

    engine = create_async_engine(
        url.replace("postgresql://", "postgresql+asyncpg://", 1),
        pool_size=POOL_SIZE,
        max_overflow=0,
    )
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    def out(row: Row) -> ItemOut:
        return ItemOut(
            id=row.id, name=row.name, description=row.description, created_at=row.created_at
        )

    @app.get("/items/{item_id}")
    async def get_item(item_id: int) -> ItemOut:
        session: AsyncSession
        async with sessions() as session:
            row = await session.get(Row, item_id)
        if row is None:
            raise HTTPException(404)
        return out(row)

    @app.get("/items")
    async def list_items(limit: int = 20, offset: int = 0) -> Page:
        async with sessions() as session:
            rows = await session.scalars(select(Row).order_by(Row.id).limit(limit).offset(offset))
            total = await session.scalar(select(func.count()).select_from(Row))
        return Page(items=[out(row) for row in rows], total=total or 0, limit=limit, offset=offset)

    @app.post("/items", status_code=201)
    async def create_item(new: NewItem) -> ItemOut:
        async with sessions() as session, session.begin():
            row = Row(name=new.name, description=new.description)
            session.add(row)
        return out(row)

    return engine.dispose


def raw_routes(app: FastAPI, url: str) -> Any:
    import asyncpg

    pool: asyncpg.Pool | None = None

    async def connections() -> asyncpg.Pool:
        nonlocal pool
        if pool is None:
            pool = await asyncpg.create_pool(url, min_size=0, max_size=POOL_SIZE)
        return pool

    @app.get("/items/{item_id}")
    async def get_item(item_id: int) -> ItemOut:
        row = await (await connections()).fetchrow(
            f"SELECT {COLUMNS} FROM items WHERE id = $1", item_id
        )
        if row is None:
            raise HTTPException(404)
        return ItemOut(**row)

    @app.get("/items")
    async def list_items(limit: int = 20, offset: int = 0) -> Page:
        async with (await connections()).acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM items ORDER BY id LIMIT $1 OFFSET $2", limit, offset
            )
            total = await connection.fetchval("SELECT count(*) FROM items")
        return Page(items=[ItemOut(**row) for row in rows], total=total, limit=limit, offset=offset)

    @app.post("/items", status_code=201)
    async def create_item(new: NewItem) -> ItemOut:
        row = await (await connections()).fetchrow(
            f"INSERT INTO items (name, description) VALUES ($1, $2) RETURNING {COLUMNS}",
            new.name,
            new.description,
        )
        return ItemOut(**row)

    async def close() -> None:
        if pool is not None:
            await pool.close()

    return close


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    if close_database is not None:
        await close_database()


app = FastAPI(lifespan=lifespan)


@app.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


close_database = (
    {"orm": orm_routes, "raw": raw_routes}[BARE_DB](app, os.environ["DATABASE_URL"])
    if BARE_DB
    else None
)


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


if __name__ == "__main__":
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(stream=sys.stdout, level=level)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        # An import string, as the service passes, so that WEB_CONCURRENCY > 1 works: uvicorn's
        # worker processes re-run this script as their __main__ and find `app` in it.
        "__main__:app",
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        workers=int(os.environ.get("WEB_CONCURRENCY", "1")),
        loop="auto",
        http="httptools",
        ws="none",
        lifespan="on",
        log_config=None,
        log_level=level.lower(),
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=8,
    )
