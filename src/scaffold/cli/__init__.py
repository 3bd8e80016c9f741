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

import os
import signal
import sys


def _interrupted_at_start(signum: int, frame: object) -> None:
    """Ctrl-C while the command line is still importing: nothing was done, so just go."""
    os.write(2, b"svcgen: interrupted; nothing was written\n")
    os._exit(130)


# Installed before the imports below (Typer, click and the command modules), which take most
# of svcgen's start-up: a Ctrl-C there would otherwise print a KeyboardInterrupt traceback.
try:
    _default_sigint = signal.signal(signal.SIGINT, _interrupted_at_start)
except ValueError:  # imported outside the main thread: leave signals alone
    _default_sigint = None

from scaffold.cli.app import app, run  # noqa: E402

# isort: off
# Importing a command module registers its commands, in the order `svcgen --help` lists them.
from scaffold.cli import new, update, preset, doctor  # noqa: E402
# isort: on

if _default_sigint is not None:
    signal.signal(signal.SIGINT, _default_sigint)

__all__ = ["app", "doctor", "entrypoint", "new", "preset", "run", "update"]


def entrypoint() -> None:
    """The ``svcgen`` console script."""
    try:
        code = run()
        sys.stdout.flush()  # a failed write (`svcgen list > /dev/full`) is an error, here
    except KeyboardInterrupt:
        os.write(2, b"svcgen: interrupted; nothing was written\n")
        code = 130
    except BrokenPipeError:  # `svcgen list | head`: the reader has what it wanted
        code = 0
    except OSError as exc:
        os.write(2, f"svcgen: error: cannot write the output: {exc.strerror or exc}\n".encode())
        code = 1
    # Finished: a late Ctrl-C changes nothing, and the output is already out (or failed).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _discard_stdout()
    sys.exit(code)


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        return
