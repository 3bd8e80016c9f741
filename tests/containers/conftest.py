"""The container stage: a private engine for the session, one image per framework x database.

These tests build images and start a Docker engine, so a plain ``pytest`` (the fast stage)
deselects them; they run when asked for, with ``pytest -m containers`` (or by path,
``pytest tests/containers``). The engine is started once per session and stopped at the end,
by its pid, only if this session started it; every container, network and volume the tests
made is removed even when a test fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.containers import service as svc
from tests.containers.engine import Engine, install_tools, unavailable_reason

HERE = Path(__file__).resolve().parent


def _asked_for(config: pytest.Config) -> bool:
    if "containers" in (config.option.markexpr or ""):
        return True
    return any(Path(arg.split("::")[0]).resolve().is_relative_to(HERE) for arg in config.args)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the container tests unless the run asks for them (-m containers, or the path)."""
    if _asked_for(config):
        return
    kept = [item for item in items if item.get_closest_marker("containers") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(
            items=[item for item in items if item.get_closest_marker("containers")]
        )
        items[:] = kept


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
