"""``svcgen update``, ``check`` and ``status``: a generated service against the template.

The logic is in :mod:`scaffold.update`, :mod:`scaffold.status` and :mod:`scaffold.service`;
these commands parse options, print, and pick exit codes:

- ``update``: 0 clean, 1 while a conflict is left (or would be, with ``--plan``), 2 usage;
- ``check``: 0 up to date, 1 behind (or a finding), 2 not a service;
- ``status``: 0, with one row per service found.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scaffold.cli.app import app
from scaffold.cli.options import Data, Json, PresetFile, catalogue, echo_json
from scaffold.display import display_path
from scaffold.errors import SvcgenError, UsageError

if TYPE_CHECKING:
    from scaffold.catalogue import Catalogue


def _print_outcome(outcome: Any, *, plan: bool) -> None:
    from scaffold.update import STATES

    req = outcome.request
    where = display_path(req.service.path)
    versions = f"v{req.from_version} to v{req.to_version}"
    if not outcome.files and req.from_version == req.to_version and not req.answers_changed:
        typer.echo(f"{req.service.name} is already at v{req.to_version}; nothing to do.")
        return
    head = "Plan for" if plan else "Updated"
    typer.echo(f"{head} {req.service.name} ({where}) from {versions}" + (":" if plan else "."))
    for key, (old, new) in req.answers_changed.items():
        typer.echo(f"  answer {key}: {old} -> {new}")
    order = list(STATES)
    width = max(len(s) for s in STATES)
    unchanged = 0
    for path, state in sorted(outcome.files.items(), key=lambda i: (order.index(i[1]), i[0])):
        if state == "unchanged" and not plan:
            unchanged += 1
            continue
        typer.echo(f"  {state:<{width}}  {path}")
    if unchanged:
        typer.echo(f"  ({unchanged} files unchanged)")
    conflicts = outcome.conflicts
    top = req.top
    if plan:
        verdict = f"{len(conflicts)} conflict(s) would be left" if conflicts else "no conflicts"
        typer.echo(f"Nothing was changed ({verdict}). Run without --plan to update.")
        return
    if conflicts:
        typer.echo(
            f"\n{len(conflicts)} file(s) in conflict: resolve the <<<<<<< markers "
            "(or the .rej files, then delete them) before committing."
        )
    typer.echo("\nThe changes are not committed.")
    repo = display_path(top)
    typer.echo(f"  review:  git -C {repo} status && git -C {repo} diff")
    typer.echo(f"  abandon: git -C {repo} reset --hard && git -C {repo} clean -fd")


@app.command()
def update(
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="The service (with --all: a directory of services)."),
    ] = Path("."),
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="VERSION",
            help="Template version to update to (default: this svcgen's).",
            show_default=False,
        ),
    ] = None,
    data: Data = None,
    conflict: Annotated[
        str,
        typer.Option(
            "--conflict",
            metavar="inline|rej",
            help="Leave conflicts as markers in the file (inline) or as .rej files.",
        ),
    ] = "inline",
    plan: Annotated[
        bool,
        typer.Option("--plan", help="Change nothing; list what would happen to each file."),
    ] = False,
    all_: Annotated[
        bool, typer.Option("--all", help="Update every service under PATH, one after another.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Update a service to a newer template version, keeping your edits (offline)."""
    from scaffold import update as updating

    if conflict not in updating.CONFLICT_MODES:
        raise UsageError(f"--conflict takes inline or rej, not {conflict!r}")
    if all_:
        raise typer.Exit(_update_all(path, catalogue(), to, data, conflict, plan, as_json))
    request = updating.prepare(path, catalogue(), to=to, data=data)
    outcome = updating.run(request, conflict=conflict, plan=plan)
    if as_json:
        echo_json(outcome.as_dict())
    else:
        _print_outcome(outcome, plan=plan)
    raise typer.Exit(outcome.exit_code)


@app.command()
def check(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="The service.")] = Path("."),
    as_json: Json = False,
    preset: PresetFile = None,
) -> None:
    """Exit 0 when the service is up to date, 1 when behind, 2 when it is not a service."""
    from scaffold import presets
    from scaffold.status import check_service

    result = check_service(path)
    team = presets.discover(preset, catalogue())
    contradictions = presets.service_contradictions(path, catalogue(), team)
    result.findings.extend(str(found) for found in contradictions)
    if as_json:
        echo_json(result.as_dict())
        raise typer.Exit(result.exit_code)
    name, version = result.service.name, result.service.commit
    if result.state == "behind":
        typer.echo(f"{name}: behind: made from {version}, latest is v{result.latest}")
        typer.echo(f"  update with: svcgen update {display_path(result.service.path)}")
    elif result.state == "ahead":
        typer.echo(f"{name}: made from {version}, newer than this svcgen (v{result.latest})")
    elif result.state == "up-to-date":
        typer.echo(f"{name}: up to date ({version})")
    for finding in result.findings:
        typer.echo(f"{name}: {finding}")
    raise typer.Exit(result.exit_code)


@app.command()
def status(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Directory to search for services.")
    ] = Path("."),
    as_json: Json = False,
) -> None:
    """Every generated service under DIR: version, behind/ahead, uncommitted changes."""
    from scaffold.service import find_services
    from scaffold.status import status_rows
    from scaffold.versions import current_version

    rows = status_rows(find_services(directory))
    if as_json:
        echo_json({"latest": f"v{current_version()}", "services": rows})
        return
    if not rows:
        typer.echo(f"No svcgen services under {display_path(directory.absolute())}.")
        return
    table = [("SERVICE", "FRAMEWORK", "VERSION", "STATE", "GIT", "PATH")]
    for row in rows:
        if "error" in row:
            table.append(
                ("?", "", "", "error", "", f"{display_path(Path(row['path']))}: {row['error']}")
            )
            continue
        git = ("dirty" if row["dirty"] else "clean") if row["git"] else "no git"
        state = row["state"] if row["updatable"] else f"{row['state']} (not updatable)"
        table.append(
            (
                row["name"],
                row["framework"],
                row["version"] or "?",
                state,
                git,
                display_path(Path(row["path"])),
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    for r in table:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=False)) + "  " + r[5])
    behind = sum(1 for row in rows if row.get("state") == "behind")
    typer.echo(f"\n{len(rows)} service(s), {behind} behind v{current_version()}.")


def _update_all(
    directory: Path,
    questions: Catalogue,
    to: str | None,
    data: list[str] | None,
    conflict: str,
    plan: bool,
    as_json: bool,
) -> int:
    """Update each service under ``directory`` in turn; go on past failures; 1 if any."""
    from scaffold import update as updating
    from scaffold.service import find_services

    paths = find_services(directory)
    if not paths:
        raise UsageError(f"no svcgen services under {directory}")
    rows: list[dict[str, Any]] = []
    for path in paths:
        row: dict[str, Any] = {"path": str(path.absolute())}
        try:
            request = updating.prepare(path, questions, to=to, data=data)
            outcome = updating.run(request, conflict=conflict, plan=plan)
        except SvcgenError as exc:
            row.update(result="failed", error=str(exc), exit_code=exc.exit_code)
        else:
            row.update(outcome.as_dict())
            row["result"] = "conflicts" if outcome.conflicts else "clean"
        rows.append(row)
    failed = [r for r in rows if r["result"] != "clean"]
    if as_json:
        echo_json({"services": rows, "exit_code": 1 if failed else 0})
    else:
        for row in rows:
            where = display_path(Path(row["path"]))
            if row["result"] == "failed":
                typer.echo(f"  failed     {where}: {row['error']}")
            elif row["result"] == "conflicts":
                typer.echo(
                    f"  conflicts  {where}: {row['from']} -> {row['to']}, "
                    f"{len(row['conflicts'])} file(s): {', '.join(row['conflicts'])}"
                )
            else:
                typer.echo(
                    f"  {'planned' if plan else 'updated'}    {where}: {row['from']} -> {row['to']}"
                )
        typer.echo(f"\n{len(rows)} service(s), {len(failed)} failed or in conflict.")
    return 1 if failed else 0
