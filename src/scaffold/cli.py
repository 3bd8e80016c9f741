"""The ``svcgen`` command line.

``new`` reads as a pipeline: load the catalogue (``copier.yml``), gather answers (arguments,
answers file, prompts, defaults), check the target, render atomically, commit, report. The
allowed values of every flag come from the catalogue at start-up, so adding a framework to
``copier.yml`` adds it here. Heavy imports (copier, questionary) wait until a command needs them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

try:  # Typer >= 0.20 carries its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older Typer uses click itself
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

from scaffold import __version__
from scaffold.answers import MissingAnswer, parse_data, read_answers_file, resolve
from scaffold.catalogue import Catalogue
from scaffold.display import display_path
from scaffold.errors import SvcgenError, UsageError
from scaffold.template import template_root

CATALOGUE = Catalogue.load(template_root())

#: Questions that have a flag of their own; every other question is set with --data.
FLAGS = {"framework": "--framework", "db": "--db"}

app = typer.Typer(
    name="svcgen",
    help="Generate production-ready Python microservices (Flask, FastAPI, Django, ASAB).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _choice_parser(name: str) -> Any:
    """A flag parser accepting exactly the question's choices from copier.yml."""
    allowed = [str(value) for value in CATALOGUE[name].choice_values]

    def parse(value: str) -> str:
        if value not in allowed:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return parse


def _choice_help(name: str) -> str:
    question = CATALOGUE[name]
    return f"{question.help}: {', '.join(str(v) for v in question.choice_values)}."


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


def _progress(step: str) -> None:
    if sys.stderr.isatty():
        typer.echo(f"  {step}...", err=True)


@app.command()
def new(
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="Service name, e.g. billing-api.", show_default=False),
    ],
    framework: Annotated[
        str | None,
        typer.Option(
            "--framework",
            "-f",
            metavar="FRAMEWORK",
            parser=_choice_parser("framework"),
            autocompletion=lambda: [str(v) for v in CATALOGUE["framework"].choice_values],
            help=_choice_help("framework"),
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="DB",
            parser=_choice_parser("db"),
            autocompletion=lambda: [str(v) for v in CATALOGUE["db"].choice_values],
            help=_choice_help("db"),
            show_default=False,
        ),
    ] = None,
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output-dir", "-o", metavar="DIR", help="Directory to create the service in."
        ),
    ] = Path("."),
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Answer any question (see `svcgen list`); repeatable.",
            show_default=False,
        ),
    ] = None,
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
    preset: Annotated[
        Path | None,
        typer.Option(
            "--preset",
            metavar="FILE",
            help="Team preset (TOML) of default and locked answers; default: $SVCGEN_PRESET, "
            "then preset.toml in the user config directory (see `svcgen preset show`).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a new service in ./NAME (or DIR/NAME)."""
    given: dict[str, Any] = {}
    if answers_file is not None:
        given.update(read_answers_file(answers_file, CATALOGUE))
    given.update(parse_data(data or [], CATALOGUE))
    for key, value in (("name", name), ("framework", framework), ("db", db)):
        if value is None:
            continue
        if key in given and str(given[key]) != value and key in FLAGS:
            raise UsageError(f"{FLAGS[key]} {value} contradicts --data {key}={given[key]}")
        given[key] = value

    from scaffold import presets

    catalogue = CATALOGUE
    team = presets.discover(preset, CATALOGUE)
    if team is not None:
        catalogue, given = presets.apply(CATALOGUE, team, given)

    interactive = not no_input and sys.stdin.isatty() and sys.stdout.isatty()
    ask = None
    if interactive:
        from scaffold.prompts import make_asker

        ask = make_asker(catalogue)
    try:
        answers = resolve(catalogue, given, ask=ask, ask_all=not defaults)
    except MissingAnswer as exc:
        flag = FLAGS.get(exc.question.name, f"--data {exc.question.name}=VALUE")
        hint = ""
        if exc.question.choices:
            hint = f" ({', '.join(str(v) for v in exc.question.choice_values)})"
        raise UsageError(f"{exc.question.name} is required: pass {flag}{hint}") from None

    from scaffold.generate import render_service

    target = (output_dir / answers["name"]).absolute()
    message = f"Generate {answers['name']} with svcgen {__version__}"
    git = render_service(
        template_root(),
        target,
        answers,
        git_message=None if no_git else message,
        progress=_progress,
        extra_files={presets.RECORD_FILE: presets.record_text(team)} if team else None,
    )
    _report(target, answers, git)


def _report(target: Path, answers: dict[str, Any], git: Any) -> None:
    shown = display_path(target)
    facts = ", ".join(
        f"{key}={answers[key]}" for key in ("framework", "db", "metrics") if key in answers
    )
    typer.echo(f"Created {answers['name']} in {shown} ({facts}).")
    if git is not None and git.committed:
        typer.echo("Initialised a git repository with the first commit.")
    elif git is not None:
        typer.echo(f"Note: {git.advice}")
    typer.echo("\nNext:")
    typer.echo(f"  cd {shown}")
    typer.echo("  make install      # virtualenv + the service with its dev tools")
    typer.echo("  make dev          # http://127.0.0.1:8000/docs")


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
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
        for q in CATALOGUE.askable
    ]
    if as_json:
        typer.echo(json.dumps({"version": __version__, "questions": questions}, indent=2))
        return
    for q in questions:
        default = "required" if q["required"] else f"default: {q['default']}"
        typer.echo(f"{q['name']} ({q['type']}, {default}) {q['help']}")
        typer.echo(f"    set with {q['flag']}")
        for choice in q["choices"]:
            typer.echo(f"    - {choice['value']}: {choice['label']}")


from scaffold.onboarding import doctor, preset_app  # noqa: E402 - registered after `new`/`list`

app.add_typer(preset_app, name="preset")
app.command("doctor")(doctor)

from scaffold import update_cli  # noqa: E402 - update, check, status (see scaffold.update_cli)

update_cli.register(app, CATALOGUE)


def run(argv: list[str] | None = None) -> int:
    """Entry point of the ``svcgen`` script: one-line errors, meaningful exit codes."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="svcgen", standalone_mode=False)
    except typer.Exit as exc:
        if exc.exit_code == 130:  # Typer's translation of Ctrl-C
            typer.echo("\nsvcgen: interrupted; nothing was written", err=True)
        return int(exc.exit_code)
    except click_exceptions.UsageError as exc:
        hint = f" (see 'svcgen {exc.ctx.info_name} --help')" if exc.ctx and exc.ctx.parent else ""
        typer.echo(f"svcgen: error: {exc.format_message()}{hint}", err=True)
        return 2
    except typer.Abort:
        typer.echo("\nsvcgen: aborted; nothing was written", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("\nsvcgen: interrupted; nothing was written", err=True)
        return 130
    except SvcgenError as exc:
        typer.echo(f"svcgen: error: {exc}", err=True)
        return exc.exit_code
    except BrokenPipeError:  # e.g. `svcgen list | head`
        sys.stderr.close()
        return 0
    if result == 130:  # Typer returns its translation of Ctrl-C without standalone mode
        typer.echo("\nsvcgen: interrupted; nothing was written", err=True)
    return result if isinstance(result, int) else 0


def entrypoint() -> None:
    sys.exit(run())
