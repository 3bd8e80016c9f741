"""The ``svcgen`` Typer application, its global options, and how it turns errors into exits.

The command modules of this package (:mod:`~scaffold.cli.new`, :mod:`~scaffold.cli.update`,
:mod:`~scaffold.cli.preset`, :mod:`~scaffold.cli.doctor`) add their commands to :data:`app`
with decorators. Nothing here reads the template: ``svcgen --version`` and ``--help`` work even
when ``copier.yml`` is broken, and stay fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

try:  # Typer >= 0.20 carries its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older Typer uses click itself
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

from scaffold import __version__
from scaffold.errors import SvcgenError

app = typer.Typer(
    name="svcgen",
    help="Generate production-ready Python microservices (Flask, FastAPI, Django, ASAB).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"svcgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_show_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Generate production-ready Python microservices (Flask, FastAPI, Django, ASAB)."""


def _interrupted() -> int:
    typer.echo("\nsvcgen: interrupted; nothing was written", err=True)
    return 130


def run(argv: list[str] | None = None) -> int:
    """Run the command line: one-line errors on stderr, meaningful exit codes."""
    from scaffold.patches import plain_option_values

    command = typer.main.get_command(app)
    try:
        with plain_option_values():
            result = command.main(args=argv, prog_name="svcgen", standalone_mode=False)
    except typer.Exit as exc:
        if exc.exit_code == 130:  # Typer's translation of Ctrl-C
            return _interrupted()
        return int(exc.exit_code)
    except click_exceptions.UsageError as exc:
        hint = f" (see 'svcgen {exc.ctx.info_name} --help')" if exc.ctx and exc.ctx.parent else ""
        typer.echo(f"svcgen: error: {exc.format_message()}{hint}", err=True)
        return 2
    except typer.Abort:
        typer.echo("\nsvcgen: aborted; nothing was written", err=True)
        return 130
    except KeyboardInterrupt:
        return _interrupted()
    except SvcgenError as exc:
        typer.echo(f"svcgen: error: {exc}", err=True)
        return exc.exit_code
    except BrokenPipeError:  # e.g. `svcgen list | head`
        sys.stderr.close()
        return 0
    if result == 130:  # Typer returns its translation of Ctrl-C without standalone mode
        return _interrupted()
    return result if isinstance(result, int) else 0
