"""``svcgen preset init`` and ``svcgen preset show``: a team's presets.

The presets themselves (reading, validating, recording) are :mod:`scaffold.presets`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scaffold.cli.app import app
from scaffold.cli.options import PresetFile, catalogue
from scaffold.errors import SvcgenError

preset_app = typer.Typer(
    name="preset",
    help="Team presets: default and locked answers for every `svcgen new`.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


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

    text = presets.init_text(catalogue())
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
def preset_show(preset: PresetFile = None) -> None:
    """Print the answers `svcgen new` starts from and where each comes from."""
    from scaffold import presets

    found = presets.discover(preset, catalogue())
    if found is None:
        typer.echo(
            f"No preset (none given, ${presets.PRESET_ENV} unset, "
            f"no {presets.user_preset_path()}): the template's defaults apply."
        )
    else:
        typer.echo(f"Preset {found.name!r} from {found.path} (found via {found.origin}).")
        if found.description:
            typer.echo(found.description)
    rows = presets.effective(catalogue(), found)
    width = max(len(row.key) for row in rows)
    shown = ["(required)" if row.required else presets.show(row.value) for row in rows]
    value_width = max(len(value) for value in shown)
    typer.echo("")
    for row, value in zip(rows, shown, strict=True):
        typer.echo(f"  {row.key:<{width}}  {value:<{value_width}}  {row.source}")


app.add_typer(preset_app, name="preset")
