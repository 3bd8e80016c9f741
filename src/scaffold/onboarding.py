"""The ``svcgen preset`` and ``svcgen doctor`` commands.

They live apart from ``cli.py`` so that the main command line only registers them; their logic
is in :mod:`scaffold.presets` and :mod:`scaffold.doctor`, imported when a command runs, so that
``svcgen --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scaffold.errors import SvcgenError, UsageError

preset_app = typer.Typer(
    name="preset",
    help="Team presets: default and locked answers for every `svcgen new`.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

PresetOption = Annotated[
    Path | None,
    typer.Option(
        "--preset",
        metavar="FILE",
        help="Preset TOML file (default: $SVCGEN_PRESET, then the user config preset.toml).",
        show_default=False,
    ),
]


@preset_app.command("init")
def preset_init(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="[FILE]",
            help="Where to write it ('-' for stdout; default: preset.toml in the user config dir).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented preset describing every question of the template."""
    from scaffold import presets
    from scaffold.catalogue import Catalogue
    from scaffold.template import template_root

    text = presets.init_text(Catalogue.load(template_root()))
    if path is not None and str(path) == "-":
        typer.echo(text, nl=False)
        return
    target = path if path is not None else presets.user_preset_path()
    if target.exists() and not force:
        raise SvcgenError(f"{target} already exists; pass --force to overwrite it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SvcgenError(f"cannot write {target}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {target}; uncomment the answers your team decides.")


@preset_app.command("show")
def preset_show(preset: PresetOption = None) -> None:
    """Print the answers `svcgen new` starts from and where each comes from."""
    from scaffold import presets
    from scaffold.catalogue import Catalogue
    from scaffold.template import template_root

    catalogue = Catalogue.load(template_root())
    found = presets.discover(preset, catalogue)
    if found is None:
        typer.echo(
            f"No preset (none given, ${presets.PRESET_ENV} unset, "
            f"no {presets.user_preset_path()}): the template's defaults apply."
        )
    else:
        typer.echo(f"Preset {found.name!r} from {found.path} (found via {found.origin}).")
        if found.description:
            typer.echo(found.description)
    rows = presets.effective(catalogue, found)
    width = max(len(row.key) for row in rows)
    shown = ["(required)" if row.required else presets.show(row.value) for row in rows]
    value_width = max(len(value) for value in shown)
    typer.echo("")
    for row, value in zip(rows, shown, strict=True):
        typer.echo(f"  {row.key:<{width}}  {value:<{value_width}}  {row.source}")


def doctor(
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output-dir", "-o", metavar="DIR", help="Directory new services will go into."
        ),
    ] = Path("."),
) -> None:
    """Check that this computer can generate and run a service; exit 1 if something is missing."""
    from scaffold.doctor import format_table, run_checks

    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"{output_dir} is not a directory")
    checks = run_checks(output_dir)
    typer.echo(format_table(checks))
    failed = [check.name for check in checks if check.required and not check.ok]
    if failed:
        typer.echo(f"\nsvcgen doctor: required check failed: {', '.join(failed)}", err=True)
        raise typer.Exit(1)
    typer.echo("\nReady: svcgen new NAME")
