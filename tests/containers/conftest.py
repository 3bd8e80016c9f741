"""The container stage: a private engine for the session, one image per framework x database.

These tests build images and start a Docker engine, so a plain ``pytest`` (the fast stage)
leaves them out; they run when asked for, with ``pytest -m containers`` (or by path,
``pytest tests/containers``), by the tier rule of ``tests/conftest.py``. The engine is
started once per session and stopped at the end, by its pid, only if this session started
it; every container, network and volume the tests made is removed even when a test fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.containers import service as svc
from tests.containers.engine import Engine, install_tools, unavailable_reason


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print each built image's size and build time (the issue asks them in the output)."""
    if svc.REPORT:
        terminalreporter.write_sep("-", "container images")
        terminalreporter.write_line(svc.sizes_table())


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The private dockerd with its stand-in base images (started here unless already up)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    install_tools()
    engine = Engine()
    started = engine.start()
    try:
        engine.prepare_images(log=False)
        yield engine
    finally:
        engine.remove_test_objects()
        if started:
            engine.stop()
