"""The Alembic migrations of the service's tables, and :func:`upgrade` to apply them.

``python -m <package> migrate`` and ``serve`` (with ``MIGRATE_ON_START``) call :func:`upgrade`;
``alembic.ini`` at the project root points the ``alembic`` command line here, to write new
revisions.
"""

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(database_url: str) -> "Config":
    """An Alembic configuration without a file: these scripts, this database."""
    # Alembic announces each of its plugins at INFO when it is imported; only the migrations
    # themselves are news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    """Apply every migration not yet applied to the database."""
    config = alembic_config(database_url)
    from alembic import command

    command.upgrade(config, "head")
