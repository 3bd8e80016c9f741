"""``svcgen new`` and ``svcgen list``.

``new`` is a pipeline, in the order the function body reads: gather the answers from every
source (flags, ``--data``, an answers file, a team preset, prompts, defaults), validate them
all, render the template into a staging directory, make the first git commit there, move it
into place, and report what to do next. Each step is a function of its own module:
:func:`scaffold.answers.gather`, :func:`scaffold.answers.validate`,
:func:`scaffold.generate.render_service` (render and commit, all or nothing), :func:`report`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from scaffold import __version__
from scaffold.answers import FLAGS
from scaffold.cli.app import app
from scaffold.cli.options import (
    CatalogueCommand,
    Data,
    Json,
    OutputDir,
    PresetFile,
    catalogue,
    choice_option,
    echo_json,
)
from scaffold.display import display_path


def _progress(step: str) -> None:
    if sys.stderr.isatty():
        typer.echo(f"  {step}...", err=True)


@app.command(cls=CatalogueCommand)
def new(
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="Service name, e.g. billing-api.", show_default=False),
    ],
    framework: Annotated[str | None, choice_option("framework", "--framework", "-f")] = None,
    db: Annotated[str | None, choice_option("db", "--db")] = None,
    output_dir: OutputDir = Path("."),
    data: Data = None,
    answers_file: Annotated[
        Path | None,
        typer.Option(
            "--answers-file", metavar="FILE", help="YAML file of answers.", show_default=False
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Take the default of every unanswered question.")
    ] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt (the default without a terminal).")
    ] = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Do not initialise git or make the first commit.")
    ] = False,
    preset: PresetFile = None,
) -> None:
    """Create a new service in ./NAME (or DIR/NAME)."""
    from scaffold import presets
    from scaffold.answers import gather, validate
    from scaffold.generate import render_service
    from scaffold.template import template_root

    questions = catalogue()
    team = presets.discover(preset, questions)
    ask = None
    if not no_input and sys.stdin.isatty() and sys.stdout.isatty():
        from scaffold.prompts import make_asker

        ask = make_asker(questions)
    answers = gather(
        questions,
        flags={"name": name, "framework": framework, "db": db},
        data=data or [],
        answers_file=answers_file,
        preset=team,
        ask=ask,
        ask_all=not defaults,
    )
    answers = validate(questions, answers)
    target = (output_dir / answers["name"]).absolute()
    rendered = render_service(
        template_root(),
        target,
        answers,
        git_message=None if no_git else f"Generate {answers['name']} with svcgen {__version__}",
        progress=_progress,
        extra_files={presets.RECORD_FILE: presets.record_text(team)} if team else None,
    )
    report(target, answers, rendered.git, rendered.lock_note)


def report(target: Path, answers: dict[str, Any], git: Any, lock_note: str = "") -> None:
    """What was made, how git went, whether uv.lock was made, and the next commands."""
    shown = display_path(target)
    facts = ", ".join(
        f"{key}={answers[key]}" for key in ("framework", "db", "metrics") if key in answers
    )
    typer.echo(f"Created {answers['name']} in {shown} ({facts}).")
    if git is not None and git.committed:
        typer.echo("Initialised a git repository with the first commit.")
    elif git is not None:
        typer.echo(f"Note: {git.advice}")
    if lock_note:
        typer.echo(f"Note: {lock_note}")
    typer.echo("\nNext:")
    typer.echo(f"  cd {shown}")
    typer.echo("  make install      # virtualenv + the service with its dev tools")
    database = _development_database(target)
    if database:
        typer.echo(f"  {database}   # the database .env.example names")
        typer.echo("  make migrate      # create its tables")
    typer.echo("  make dev          # http://127.0.0.1:8000/docs")


def _development_database(target: Path) -> str | None:
    """``createdb`` for the development ``DATABASE_URL`` of the service's ``.env.example``.

    Read from the generated file rather than restated here, so the hint names exactly what
    ``make dev`` and ``make migrate`` will connect to; None when the service has no database.
    """
    from urllib.parse import urlsplit

    try:
        lines = (target / ".env.example").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("DATABASE_URL="):
            url = urlsplit(line.partition("=")[2].strip())
            name = url.path.lstrip("/")
            if url.hostname and name:
                return (
                    f"createdb -h {url.hostname} -p {url.port or 5432} "
                    f"-U {url.username or 'postgres'} {name}"
                )
    return None


@app.command("list")
def list_(as_json: Json = False) -> None:
    """List the questions, their choices and defaults (from the template's copier.yml)."""
    questions = [
        {
            "name": q.name,
            "type": q.type,
            "help": q.help,
            "required": q.required,
            "default": q.default,
            "choices": [{"value": c.value, "label": c.label} for c in q.choices],
            "flag": FLAGS.get(q.name, f"--data {q.name}=VALUE"),
        }
        for q in catalogue().askable
    ]
    if as_json:
        echo_json({"version": __version__, "questions": questions})
        return
    for q in questions:
        default = "required" if q["required"] else f"default: {q['default']}"
        typer.echo(f"{q['name']} ({q['type']}, {default}) {q['help']}")
        typer.echo(f"    set with {q['flag']}")
        for choice in q["choices"]:
            typer.echo(f"    - {choice['value']}: {choice['label']}")
