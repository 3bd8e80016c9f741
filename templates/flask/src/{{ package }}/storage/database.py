"""PostgreSQL through SQLAlchemy 2 and psycopg 3: the engine, a session per request, the ping.

``DATABASE_URL`` is the plain ``postgresql://`` form every tool understands; SQLAlchemy is told
here to use the psycopg 3 driver.
"""

import psycopg
from flask import Flask, g
from sqlalchemy import URL, create_engine, exc, make_url
from sqlalchemy.orm import Session, sessionmaker

#: How long connecting may take, for the readiness ping and for the pool alike.
CONNECT_TIMEOUT_SECONDS = 2
#: What SQLAlchemy raises when the database cannot be reached or the pool has no connection
#: left: a 503 for the client (``errors.register``), where any other failure is a 500.
UNAVAILABLE: tuple[type[Exception], ...] = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,
)


def sqlalchemy_url(database_url: str) -> URL:
    """Name the psycopg 3 driver in a ``postgresql://`` (or ``postgres://``) URL."""
    url = make_url(database_url)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return url


class Database:
    """The connection pool of the process, and the session of the current request."""

    def __init__(self, database_url: str) -> None:
        self.url = sqlalchemy_url(database_url)
        self.engine = create_engine(
            self.url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        """Close the request's session when the request ends, rolling back what is uncommitted."""
        app.teardown_appcontext(self._close_session)

    def session(self) -> Session:
        """The session of the current request, opened on first use."""
        session: Session | None = g.get("db_session")
        if session is None:
            session = g.db_session = self._sessions()
        return session

    @staticmethod
    def _close_session(_error: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()

    def ping(self) -> None:
        """Run ``SELECT 1`` on a fresh connection, so a stale pool cannot make it hang."""
        conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(
            conninfo,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            options=f"-c statement_timeout={CONNECT_TIMEOUT_SECONDS * 1000}",
        ) as connection:
            connection.execute("SELECT 1")
