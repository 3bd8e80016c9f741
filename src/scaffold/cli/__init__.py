"""The ``svcgen`` command line: one module per command group, assembled on one Typer app.

- :mod:`scaffold.cli.app`: the app, ``--version``, errors and exit codes;
- :mod:`scaffold.cli.options`: the options several commands share, and the catalogue they
  read only when they run;
- :mod:`scaffold.cli.new`: ``new`` (the gather, validate, render, commit, report pipeline)
  and ``list``;
- :mod:`scaffold.cli.update`: ``update``, ``check`` and ``status``;
- :mod:`scaffold.cli.preset`: ``preset init`` and ``preset show``;
- :mod:`scaffold.cli.doctor`: ``doctor``.

Importing a command module registers its commands; each imports the work it does (copier,
questionary, git) only when the command runs.
"""

from __future__ import annotations

import sys

from scaffold.cli.app import app, run

# isort: off
# Importing a command module registers its commands, in the order `svcgen --help` lists them.
from scaffold.cli import new, update, preset, doctor
# isort: on

__all__ = ["app", "doctor", "entrypoint", "new", "preset", "run", "update"]


def entrypoint() -> None:
    """The ``svcgen`` console script."""
    sys.exit(run())
