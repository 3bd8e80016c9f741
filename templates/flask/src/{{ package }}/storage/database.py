"""PostgreSQL through SQLAlchemy 2 and psycopg 3: the engine, a session per request, the ping.

``DATABASE_URL`` is the plain ``postgresql://`` form every tool understands; SQLAlchemy is told
here to use the psycopg 3 driver.

A request makes one round trip per statement and no more. The engine runs in autocommit: each
repository call is a single statement, atomic on its own, and a transaction around it would add
a ``BEGIN`` and a ``COMMIT`` or ``ROLLBACK``, two round trips that buy nothing. Nor is a
connection pinged before it is lent (``pool_pre_ping``): a connection that a database restart
has broken fails the one statement that finds out (a 503 the client may retry), and SQLAlchemy
then discards every pooled connection older than it. Readiness has a connection of its own
(:class:`ReadinessProbe`), so requests holding every pooled connection cannot starve it.
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

    def __init__(self, database_url: str, pool_size: int = 10, pool_timeout: float = 5.0) -> None:
        self.url = sqlalchemy_url(database_url)
        # At most pool_size connections (DB_POOL_SIZE); a request that finds them all busy
        # waits pool_timeout seconds (DB_POOL_TIMEOUT) for one, then is answered 503.
        self.engine = create_engine(
            self.url,
            isolation_level="AUTOCOMMIT",
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=pool_timeout,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.ping = ReadinessProbe(self.url.set(drivername="postgresql"))

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


class ReadinessProbe:
    """``SELECT 1`` on a short connection of its own, apart from the requests' pool.

    Each probe connects anew, within the connect timeout: requests holding every pooled
    connection cannot make it wait, a connection broken by a database restart is never reused,
    and an unreachable server fails the probe in seconds rather than hanging it. Probes come
    every few seconds, so the connection's cost does not matter.
    """

    def __init__(self, url: URL) -> None:
        self._conninfo = url.render_as_string(hide_password=False)

    def __call__(self) -> None:
        """Raise unless the database answers a trivial query."""
        with psycopg.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            options=f"-c statement_timeout={CONNECT_TIMEOUT_SECONDS * 1000}",
        ) as connection:
            connection.execute("SELECT 1")
