"""Test-wide rules: the tiers, a git identity, and one cache of rendered services.

Tests are laid out by tier, one directory each, and the directory is the tier's marker:

- ``tests/unit``: svcgen's own code and command line (seconds);
- ``tests/render``: rendered services checked without installing them, the wheel install;
- ``tests/e2e``: services generated, installed and run (minutes; PostgreSQL for db=postgres);
- ``tests/containers``: every image built and run by a real engine (root, a private dockerd).

So ``pytest -m "not e2e"``, ``-m e2e`` or ``-m render`` select by tier. The opt-in tiers
(:data:`OPT_IN`) run only when asked for, by marker (``-m containers``) or by path
(``pytest tests/containers``); a plain ``pytest`` runs every other tier.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_process import svcgen

TESTS = Path(__file__).resolve().parent
TIERS = ("unit", "render", "e2e", "containers")
#: Tiers a run leaves out unless it names them.
OPT_IN = ("containers",)


def _tier(path: Path) -> str | None:
    try:
        relative = path.resolve().relative_to(TESTS)
    except ValueError:
        return None
    tier = relative.parts[0] if len(relative.parts) > 1 else None
    return tier if tier in TIERS else None


def _asked_for(config: pytest.Config, tier: str) -> bool:
    if tier in (config.option.markexpr or ""):
        return True
    return any(_tier(Path(arg.split("::")[0])) == tier for arg in config.args)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its directory's tier; leave out opt-in tiers not asked for."""
    skipped = {tier for tier in OPT_IN if not _asked_for(config, tier)}
    kept, deselected = [], []
    for item in items:
        tier = _tier(item.path)
        if tier is not None:
            item.add_marker(tier)
        (deselected if tier in skipped else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(autouse=True, scope="session")
def git_identity() -> None:
    """Give git an identity where the machine has none (CI containers often do not)."""
    configured = subprocess.run(
        ["git", "config", "user.email"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if configured:
        return
    for role in ("AUTHOR", "COMMITTER"):
        os.environ.setdefault(f"GIT_{role}_NAME", "svcgen tests")
        os.environ.setdefault(f"GIT_{role}_EMAIL", "tests@svcgen.invalid")


#: Renders a service: (name, answers as --data) -> its directory. Do not change what it returns.
Render = Callable[..., Path]


@pytest.fixture(scope="session")
def rendered_service(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """``svcgen new NAME --data KEY=VALUE... --no-git``, run once per distinct answers.

    Every module that checks rendered files asks this one fixture, so a service with the same
    answers is rendered once per session (per xdist worker), whichever modules read it. The
    tree is shared: tests read it and write nothing into it.
    """
    made: dict[tuple[str, tuple[tuple[str, str], ...]], Path] = {}

    def render(name: str, **answers: object) -> Path:
        data = tuple(sorted((key, _flag_value(value)) for key, value in answers.items()))
        key = (name, data)
        if key not in made:
            out = tmp_path_factory.mktemp("rendered")
            pairs = [arg for k, v in data for arg in ("--data", f"{k}={v}")]
            result = svcgen("new", name, *pairs, "--no-input", "--no-git", "-o", str(out), cwd=out)
            assert result.returncode == 0, result.stderr
            made[key] = out / name
        return made[key]

    return render


def _flag_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
