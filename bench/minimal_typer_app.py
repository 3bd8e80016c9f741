"""The yardstick for ``svcgen --help``: a bare Typer app with svcgen's commands and options.

Same commands (new, list, update, check, status, preset init/show, doctor), same options and
types, same Typer settings, and no work behind any of them: what ``--help`` costs in Typer
itself. ``bench_cli.py`` runs it with ``--help`` beside ``svcgen --help``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="svcgen",
    help="Generate production-ready Python microservices (Flask, FastAPI, Django, ASAB).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
preset_app = typer.Typer(name="preset", help="Team presets.", rich_markup_mode=None)
app.add_typer(preset_app, name="preset")

Data = Annotated[list[str] | None, typer.Option("--data", "-d", metavar="KEY=VALUE")]
Json = Annotated[bool, typer.Option("--json")]
PresetFile = Annotated[Path | None, typer.Option("--preset", metavar="FILE")]
OutputDir = Annotated[Path, typer.Option("--output-dir", "-o", metavar="DIR")]


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", is_eager=True)] = False) -> None:
    """Generate production-ready Python microservices (Flask, FastAPI, Django, ASAB)."""


@app.command()
def new(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    framework: Annotated[str | None, typer.Option("--framework", "-f")] = None,
    db: Annotated[str | None, typer.Option("--db")] = None,
    output_dir: OutputDir = Path("."),
    data: Data = None,
    answers_file: Annotated[Path | None, typer.Option("--answers-file")] = None,
    defaults: Annotated[bool, typer.Option("--defaults")] = False,
    no_input: Annotated[bool, typer.Option("--no-input")] = False,
    no_git: Annotated[bool, typer.Option("--no-git")] = False,
    preset: PresetFile = None,
) -> None:
    """Create a new service in ./NAME (or DIR/NAME)."""


@app.command("list")
def list_(as_json: Json = False) -> None:
    """List the questions, their choices and defaults."""


@app.command()
def update(
    path: Annotated[Path, typer.Argument(metavar="PATH")] = Path("."),
    to: Annotated[str | None, typer.Option("--to")] = None,
    data: Data = None,
    conflict: Annotated[str, typer.Option("--conflict")] = "inline",
    plan: Annotated[bool, typer.Option("--plan")] = False,
    all_: Annotated[bool, typer.Option("--all")] = False,
    as_json: Json = False,
) -> None:
    """Update a service to a newer template version."""


@app.command()
def check(
    path: Annotated[Path, typer.Argument(metavar="PATH")] = Path("."),
    as_json: Json = False,
    preset: PresetFile = None,
) -> None:
    """Exit 0 when the service is up to date."""


@app.command()
def status(
    directory: Annotated[Path, typer.Argument(metavar="DIR")] = Path("."), as_json: Json = False
) -> None:
    """Every generated service under DIR."""


@preset_app.command("init")
def preset_init(
    path: Annotated[Path | None, typer.Argument(metavar="[FILE]")] = None,
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """Write a commented preset."""


@preset_app.command("show")
def preset_show(preset: PresetFile = None) -> None:
    """Print the answers `svcgen new` starts from."""


@app.command()
def doctor(output_dir: OutputDir = Path(".")) -> None:
    """Check that this computer can generate and run a service."""


if __name__ == "__main__":
    app()
