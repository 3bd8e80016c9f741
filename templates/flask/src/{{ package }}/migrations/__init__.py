"""The Alembic migrations of the service's tables, and :func:`upgrade` to apply them.

``python -m <package> migrate`` and ``serve`` (with ``MIGRATE_ON_START``) call :func:`upgrade`;
``alembic.ini`` at the project root points the ``alembic`` command line here, to write new
revisions.
"""

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import exc, make_url

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(database_url: str) -> "Config":
    """An Alembic configuration without a file: these scripts, this database."""
    # Alembic announces each of its plugins at INFO when it is imported; only the migrations
    # themselves are news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from alembic.config import Config

    # Alembic's default stdout is the one of the moment it was imported; this call's is meant.
    config = Config(stdout=sys.stdout)
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["database_url"] = database_url
    return config


#: How long ``migrate`` waits to connect: longer than the readiness ping, for a database
#: that is still starting beside it (compose, a Kubernetes job).
CONNECT_TIMEOUT_SECONDS = 10


class MigrationError(Exception):
    """The migrations could not be applied; the message is one line, without the password."""


def upgrade(database_url: str) -> None:
    """Apply every migration not yet applied to the database.

    Raises :class:`MigrationError` when the database is missing or cannot be reached, naming
    it (``host:port/name``) and the fix.
    """
    config = alembic_config(database_url)
    from alembic import command

    try:
        command.upgrade(config, "head")
    except exc.DBAPIError as error:
        raise MigrationError(_reason(database_url, error)) from error


def _reason(database_url: str, error: exc.DBAPIError) -> str:
    url = make_url(database_url)
    host, port, user = url.host or "localhost", url.port or 5432, url.username or "postgres"
    database = url.database or user
    name = f"{host}:{port}/{database}"
    message = " ".join(str(error.orig).split())
    if f'database "{database}" does not exist' in message:
        return (
            f"the database {name} does not exist; "
            f"create it with: createdb -h {host} -p {port} -U {user} {database}"
        )
    if isinstance(error, exc.OperationalError):
        return (
            f"cannot reach PostgreSQL for {name} ({message}); "
            "start PostgreSQL, or set DATABASE_URL to a server that runs"
        )
    return f"{name}: {message}"
