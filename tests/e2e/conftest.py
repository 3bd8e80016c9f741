"""The end-to-end matrix: every framework x every database choice in copier.yml.

Each combination is generated, installed and migrated once (session fixtures), and its tests
run on one xdist worker (``xdist_group``), so ``pytest -n 2 --dist loadgroup`` spreads the
combinations over the machine's cores without setting any of them up twice.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaffold.catalogue import Catalogue
from scaffold.template import template_root
from tests.e2e.harness import GeneratedService, Server, postgres_reachable

CATALOGUE = Catalogue.load(template_root())
MATRIX = [
    (framework, db)
    for framework in CATALOGUE["framework"].choice_values
    for db in CATALOGUE["db"].choice_values
]


def _svcgen() -> str:
    found = shutil.which("svcgen") or str(Path(sys.executable).parent / "svcgen")
    if not Path(found).exists():
        pytest.fail("the svcgen command is not installed in this environment (pip install -e .)")
    return found


@pytest.fixture(
    scope="session",
    params=[
        pytest.param(combo, id=f"{combo[0]}-{combo[1]}", marks=pytest.mark.xdist_group(f"{combo}"))
        for combo in MATRIX
    ],
)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GeneratedService]:
    """A generated, installed (and, with a database, migrated) service."""
    framework, db = request.param
    if db == "postgres" and not postgres_reachable():
        message = "PostgreSQL is not reachable at 127.0.0.1:5432 (set SVCGEN_E2E_DATABASE_URL)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    svc = GeneratedService(framework, db, tmp_path_factory.mktemp(f"{framework}-{db}"), _svcgen())
    svc.generate().check()
    svc.install().check()
    try:
        yield svc
    finally:
        svc.drop_databases()


@pytest.fixture(scope="session")
def database_url(service: GeneratedService) -> str | None:
    """A migrated database for the running service (None without a database)."""
    if service.db != "postgres":
        return None
    url = service.create_database()
    service.run("make", "migrate", DATABASE_URL=url).check()
    return url


@pytest.fixture(scope="session")
def server(service: GeneratedService, database_url: str | None) -> Iterator[Server]:
    """The service's production server (``make run``), JSON logs on."""
    env = {"LOG_FORMAT": "json"}
    if database_url:
        env["DATABASE_URL"] = database_url
    with service.serve(**env) as running:
        yield running
