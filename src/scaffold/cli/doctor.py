"""``svcgen doctor``: can this computer generate and run a service (see :mod:`scaffold.checkup`)."""

from __future__ import annotations

from pathlib import Path

import typer

from scaffold.cli.app import app
from scaffold.cli.options import OutputDir
from scaffold.errors import UsageError


@app.command("doctor")
def doctor(output_dir: OutputDir = Path(".")) -> None:
    """Check that this computer can generate and run a service; exit 1 if something is missing."""
    from scaffold.checkup import format_table, run_checks

    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"{output_dir} is not a directory")
    checks = run_checks(output_dir)
    typer.echo(format_table(checks))
    failed = [check.name for check in checks if check.required and not check.ok]
    if failed:
        typer.echo(f"\nsvcgen doctor: required check failed: {', '.join(failed)}", err=True)
        raise typer.Exit(1)
    typer.echo("\nReady: svcgen new NAME")
