"""Options several commands share, and the catalogue they read only when they run.

The catalogue (``copier.yml``) is loaded by :func:`catalogue` the first time a command needs
it, never at import, so ``svcgen --version`` and ``--help`` work with a broken template. The
``--framework`` and ``--db`` flags take exactly their question's choices; their help lists
those choices, filled in by :class:`CatalogueCommand` when help is shown.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from scaffold.answers import FLAGS
from scaffold.catalogue import Catalogue


@cache
def catalogue() -> Catalogue:
    """The template's questions, read once per run."""
    from scaffold.template import template_root

    return Catalogue.load(template_root())


def choices(name: str) -> list[str]:
    return [str(value) for value in catalogue()[name].choice_values]


def choice_help(name: str) -> str:
    return f"{catalogue()[name].help}: {', '.join(choices(name))}."


def choice_option(name: str, *flags: str) -> Any:
    """An option taking one of question ``name``'s choices in copier.yml."""

    def parse(value: str) -> str:
        allowed = choices(name)
        if value not in allowed:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return typer.Option(
        *flags,
        metavar=name.upper(),
        parser=parse,
        autocompletion=lambda: choices(name),
        help=f"One of the {name} choices in copier.yml (see `svcgen list`).",
        show_default=False,
    )


class CatalogueCommand(TyperCommand):
    """A command whose choice flags' help lists the choices, read from copier.yml for --help."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        for param in self.params:
            if param.name in FLAGS and hasattr(param, "help"):
                param.help = choice_help(str(param.name))
        super().format_help(ctx, formatter)


Data = Annotated[
    list[str] | None,
    typer.Option(
        "--data",
        "-d",
        metavar="KEY=VALUE",
        help="Answer a question (see `svcgen list`), e.g. db=postgres; repeatable.",
        show_default=False,
    ),
]

Json = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]

PresetFile = Annotated[
    Path | None,
    typer.Option(
        "--preset",
        metavar="FILE",
        help="Team preset (TOML) of default and locked answers; default: $SVCGEN_PRESET, "
        "then preset.toml in the user config directory (see `svcgen preset show`).",
        show_default=False,
    ),
]

OutputDir = Annotated[
    Path,
    typer.Option("--output-dir", "-o", metavar="DIR", help="Directory new services go into."),
]


def echo_json(data: Any) -> None:
    import json

    typer.echo(json.dumps(data, indent=2, default=str))
