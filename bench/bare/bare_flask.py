"""The smallest Flask app, served exactly as a generated Flask service's ``serve`` serves.

The benchmark's yardstick for the Flask template: one route, ``GET /health/live`` answering
``{"status": "ok"}``, on gunicorn with the same worker class, workers, threads, keep-alive,
graceful timeout and heartbeat directory as ``templates/flask/.../server.py``, listening on
``HOST``/``PORT``, with no access log. It runs in the generated service's virtualenv, so it uses
only what the service depends on (Flask and gunicorn).

With ``BARE_DB`` set it is also the yardstick of the database scenarios, on the ``items`` table
of a migrated db=postgres service at ``DATABASE_URL``: ``GET /items/{id}``, ``GET /items`` (a
page of 20 and the total) and ``POST /items``, written as the Flask and SQLAlchemy tutorials
write them. ``BARE_DB=orm`` uses the service's ORM and driver (a SQLAlchemy session per request
on psycopg 3, a pool of ``DB_POOL_SIZE``); ``BARE_DB=raw`` the bare driver (a psycopg
connection per server thread, in autocommit).

    HOST=127.0.0.1 PORT=8000 python bench/bare/bare_flask.py
    BARE_DB=orm DATABASE_URL=postgresql://... python bench/bare/bare_flask.py
"""

import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, abort, request
from gunicorn.app.base import BaseApplication

BARE_DB = os.environ.get("BARE_DB", "")
POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", "10"))
COLUMNS = "id, name, description, created_at"

app = Flask(__name__)


@app.get("/health/live")
def live() -> dict[str, str]:
    return {"status": "ok"}


def as_json(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "created_at": item.created_at.isoformat(),
    }


def orm_routes(url: str) -> None:
    from sqlalchemy import BigInteger, DateTime, String, create_engine, func, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

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

    engine = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1),
        pool_size=POOL_SIZE,
        max_overflow=0,
    )

    @app.get("/items/<int:item_id>")
    def get_item(item_id: int) -> dict[str, Any]:
        with Session(engine) as session:
            row = session.get(Row, item_id)
            if row is None:
                abort(404)
            return as_json(row)

    @app.get("/items")
    def list_items() -> dict[str, Any]:
        limit = request.args.get("limit", 20, type=int)
        offset = request.args.get("offset", 0, type=int)
        with Session(engine) as session:
            rows = session.scalars(select(Row).order_by(Row.id).limit(limit).offset(offset))
            items = [as_json(row) for row in rows]
            total = session.scalar(select(func.count()).select_from(Row))
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    @app.post("/items")
    def create_item() -> tuple[dict[str, Any], int]:
        body = request.get_json()
        with Session(engine, expire_on_commit=False) as session:
            row = Row(name=body["name"], description=body.get("description"))
            session.add(row)
            session.commit()
        return as_json(row), 201


def raw_routes(url: str) -> None:
    import psycopg
    from psycopg.rows import namedtuple_row

    local = threading.local()

    def connection() -> psycopg.Connection[Any]:
        if getattr(local, "connection", None) is None:
            local.connection = psycopg.connect(url, autocommit=True, row_factory=namedtuple_row)
        return local.connection

    @app.get("/items/<int:item_id>")
    def get_item(item_id: int) -> dict[str, Any]:
        row = connection().execute(f"SELECT {COLUMNS} FROM items WHERE id = %s", (item_id,))
        item = row.fetchone()
        if item is None:
            abort(404)
        return as_json(item)

    @app.get("/items")
    def list_items() -> dict[str, Any]:
        limit = request.args.get("limit", 20, type=int)
        offset = request.args.get("offset", 0, type=int)
        db = connection()
        query = f"SELECT {COLUMNS} FROM items ORDER BY id LIMIT %s OFFSET %s"
        items = [as_json(row) for row in db.execute(query, (limit, offset))]
        total = db.execute("SELECT count(*) AS total FROM items").fetchone().total
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    @app.post("/items")
    def create_item() -> tuple[dict[str, Any], int]:
        body = request.get_json()
        row = connection().execute(
            f"INSERT INTO items (name, description) VALUES (%s, %s) RETURNING {COLUMNS}",
            (body["name"], body.get("description")),
        )
        return as_json(row.fetchone()), 201


if BARE_DB:
    {"orm": orm_routes, "raw": raw_routes}[BARE_DB](os.environ["DATABASE_URL"])


class BareServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with the generated service's options (see its ``server.gunicorn_options``)."""

    def load_config(self) -> None:
        host = os.environ.get("HOST", "127.0.0.1")
        address = f"[{host}]" if ":" in host else host
        shm = Path("/dev/shm")
        options: dict[str, Any] = {
            "bind": [f"{address}:{os.environ.get('PORT', '8000')}"],
            "worker_class": "gthread",
            "workers": int(os.environ.get("WEB_CONCURRENCY", "1")),
            "threads": int(os.environ.get("WEB_THREADS", "8")),
            "keepalive": 5,
            "graceful_timeout": 8,
            "worker_tmp_dir": str(shm) if shm.is_dir() else None,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": os.environ.get("LOG_LEVEL", "INFO").lower(),
            "control_socket_disable": True,
        }
        for key, value in options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return app


if __name__ == "__main__":
    BareServer().run()
