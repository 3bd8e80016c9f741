"""``.editorconfig`` and ``.devcontainer/`` in every service: valid, and true to its style.

The editor settings must agree with the service's own formatter (``ruff format`` in its
``pyproject.toml``), or a newcomer's first save fails ``make lint``: ASAB indents with tabs.
"""

from __future__ import annotations

import configparser
import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from scaffold.catalogue import Catalogue
from scaffold.template import template_root
from tests.render.answers import LONG_NAME, PYTHON

CATALOGUE = Catalogue.load(template_root())
COMBOS = [
    (framework, db)
    for framework in CATALOGUE["framework"].choice_values
    for db in CATALOGUE["db"].choice_values
]


@pytest.fixture(params=COMBOS, ids=lambda c: f"{c[0]}-{c[1]}")
def rendered(request: pytest.FixtureRequest, awkward: Callable[..., Path]) -> Path:
    framework, db = request.param
    return awkward(framework, db)


def test_editorconfig_matches_the_formatter(rendered: Path) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    text = (rendered / ".editorconfig").read_text()
    parser.read_string("[top]\n" + text)  # `root = true` sits before the first section
    assert parser["top"]["root"] == "true"
    assert parser["*"]["end_of_line"] == "lf"
    assert parser["Makefile"]["indent_style"] == "tab"
    ruff = tomllib.loads((rendered / "pyproject.toml").read_text())["tool"]["ruff"]
    expected = ruff.get("format", {}).get("indent-style", "space")
    assert parser["*.py"]["indent_style"] == expected
    assert int(parser["*.py"]["max_line_length"]) == ruff["line-length"]


def test_devcontainer_installs_and_forwards_the_port(rendered: Path) -> None:
    config = json.loads((rendered / ".devcontainer" / "devcontainer.json").read_text())
    assert config["name"] == LONG_NAME
    assert config["postCreateCommand"] == "make install"
    assert 8000 in config["forwardPorts"]
    answers = yaml.safe_load((rendered / ".copier-answers.yml").read_text())
    compose_path = rendered / ".devcontainer" / "compose.yaml"
    if answers["db"] == "postgres":
        compose = yaml.safe_load(compose_path.read_text())
        assert config["dockerComposeFile"] == "compose.yaml"
        assert config["service"] in compose["services"]
        dev = compose["services"][config["service"]]
        assert PYTHON in dev["image"]
        # The database shares its network with the dev container: .env.example's 127.0.0.1
        # DATABASE_URL and the database it names work there unchanged.
        assert dev["network_mode"] == "service:postgres"
        database = compose["services"]["postgres"]["environment"]["POSTGRES_DB"]
        env_example = (rendered / ".env.example").read_text()
        assert f"@127.0.0.1:5432/{database}\n" in env_example
    else:
        assert not compose_path.exists()
        assert PYTHON in config["image"]
