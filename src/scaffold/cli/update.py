"""``svcgen update``, ``check`` and ``status``: a generated service against the template.

The logic is in :mod:`scaffold.update`, :mod:`scaffold.status` and :mod:`scaffold.service`;
these commands parse options, print, and pick exit codes:

- ``update``: 0 clean, 1 while a conflict is left (or would be, with ``--plan``) or the update
  failed, 2 usage, 3 merged cleanly but ``--verify`` found the service's checks failing; with
  ``--all``, the worst of its services (see :mod:`scaffold.fleet`);
- ``check``: 0 up to date, 1 behind, made by a development build or plain copier, or a
  finding (a conflict left in a file), 2 not a service;
- ``status``: 0, with one row per service found.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from scaffold.cli.app import app
from scaffold.cli.options import Data, Json, PresetFile, catalogue, echo_json
from scaffold.display import display_path
from scaffold.errors import UsageError


def _print_outcome(outcome: Any, *, plan: bool, verbose: bool = False) -> None:
    from scaffold.update import LOCK_STATES, STATES

    req = outcome.request
    where = display_path(req.service.path)
    versions = f"{req.service.commit} to v{req.to_version}"
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
        if state == "unchanged" and not verbose:
            unchanged += 1
            continue
        typer.echo(f"  {state:<{width}}  {path}")
    if unchanged:
        typer.echo(f"  ({unchanged} files unchanged; --verbose lists them)")
    if LOCK_STATES.get(outcome.lock):
        note = f": {outcome.lock_note}" if outcome.lock_note else ""
        typer.echo(f"  {LOCK_STATES[outcome.lock]}{note}")
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


def _print_verify(result: dict[str, Any]) -> None:
    if result["passed"]:
        typer.echo(f"\nThe service's checks pass on the merged tree ({result['command']}).")
        return
    typer.echo(f"\nThe service's checks FAIL on the merged tree ({result['command'] or 'none'}):")
    for line in result["output"].splitlines():
        typer.echo(f"  | {line}")


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
        typer.Option("--plan", help="Change nothing; list what would change in each file."),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List unchanged files too.")
    ] = False,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Run the service's own checks (make check, else make test) on the merged tree.",
        ),
    ] = False,
    all_: Annotated[
        bool, typer.Option("--all", help="Update every service under PATH, in parallel.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            help="With --all: services updated at once (default: the machine's cores).",
            show_default=False,
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Update a service to a newer template version, keeping your edits (offline).

    Exit codes: 0 clean, 1 a conflict is left or the update failed, 2 usage, 3 merged
    cleanly but the service's checks fail (--verify). With --all: the worst of the services.
    """
    from scaffold import update as updating

    if conflict not in updating.CONFLICT_MODES:
        raise UsageError(f"--conflict takes inline or rej, not {conflict!r}")
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs takes a number of services of at least 1, not {jobs}")
    if all_:
        options = [f"--conflict={conflict}"]
        options += [f"--to={to}"] if to else []
        options += [f"--data={item}" for item in data or []]
        options += ["--plan"] if plan else []
        options += ["--verify"] if verify else []
        raise typer.Exit(_update_all(path, options, jobs, as_json=as_json))
    if jobs is not None:
        raise UsageError("--jobs goes with --all")
    request = updating.prepare(path, catalogue(), to=to, data=data)
    outcome = updating.run(request, conflict=conflict, plan=plan)
    code = outcome.exit_code
    checked = None
    if verify and not plan and not outcome.conflicts:
        from scaffold.fleet import VERIFY_FAILED
        from scaffold.fleet import verify as run_checks

        checked = run_checks(request.service.path)
        code = code or (0 if checked["passed"] else VERIFY_FAILED)
    if as_json:
        report = outcome.as_dict()
        report["verify"] = checked
        report["exit_code"] = code
        echo_json(report)
    else:
        _print_outcome(outcome, plan=plan, verbose=verbose)
        if checked is not None:
            _print_verify(checked)
    raise typer.Exit(code)


@app.command()
def check(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="The service.")] = Path("."),
    as_json: Json = False,
    preset: PresetFile = None,
) -> None:
    """Exit 0 when the service is up to date, 1 when behind, 2 when it is not a service."""
    from scaffold import presets
    from scaffold.answers import validate_recorded
    from scaffold.status import check_service

    result = check_service(path)
    validate_recorded(result.service, catalogue())
    team = presets.discover(preset, catalogue())
    contradictions = presets.service_contradictions(path, catalogue(), team)
    result.findings.extend(str(found) for found in contradictions)
    if as_json:
        echo_json(result.as_dict())
        raise typer.Exit(result.exit_code)
    name, version = result.service.name, result.service.commit
    where = display_path(result.service.path)
    if result.state == "behind":
        typer.echo(f"{name}: behind: made from {version}, latest is v{result.latest}")
        typer.echo(f"  update with: svcgen update {where}")
    elif result.state == "ahead":
        typer.echo(f"{name}: made from {version}, newer than this svcgen (v{result.latest})")
    elif result.state == "up-to-date":
        typer.echo(f"{name}: up to date ({version})")
    elif result.state == "development":
        typer.echo(f"{name}: made from a development build of svcgen ({version}), not a release")
        if result.service.development is not None and result.service.development < result.latest:
            typer.echo(f"  it can be updated to a release: svcgen update {where}")
        else:
            typer.echo("  it can be updated to a release once svcgen makes the next one")
    elif result.state == "plain-copier":
        typer.echo(f"{name}: not updatable (made with plain copier)")
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


def _update_all(directory: Path, options: list[str], jobs: int | None, *, as_json: bool) -> int:
    """Update each service under ``directory``, in parallel; go on past failures."""
    import os
    import sys

    from scaffold import fleet
    from scaffold.service import find_services

    paths = find_services(directory)
    if not paths:
        raise UsageError(f"no svcgen services under {directory}")
    workers = jobs or os.cpu_count() or 1
    live = sys.stderr.isatty()
    total = len(paths)

    def progress(row: dict[str, Any], done: int, running: list[Path]) -> None:
        if live:
            names = ", ".join(p.name for p in running[:3]) + (" ..." if len(running) > 3 else "")
            line = f"[{done}/{total}] {row['result']}: {Path(row['path']).name}"
            line += f"; running: {names}" if names else ""
            width = max(20, shutil.get_terminal_size().columns - 1)
            sys.stderr.write("\r\033[K" + line[:width])
            sys.stderr.flush()
        elif not as_json:
            where = display_path(Path(row["path"]))
            typer.echo(f"[{done}/{total}] {row['result']}: {where}", err=True)

    started = time.monotonic()
    rows = fleet.update_all(paths, options, workers, progress)
    if live:
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()
    code = fleet.exit_code(rows)
    if as_json:
        echo_json({"services": rows, "jobs": workers, "exit_code": code})
        return code
    table = [("SERVICE", "RESULT", "VERSION", "CHECKS", "DETAIL")]
    for row in rows:
        checks = row.get("verify")
        verdict = "" if not checks else "pass" if checks["passed"] else "FAIL"
        if "error" in row:
            detail = row["error"]
        elif row.get("conflicts"):
            detail = f"{len(row['conflicts'])} conflict(s): {', '.join(row['conflicts'])}"
        elif checks and not checks["passed"]:
            detail = f"{checks['command'] or 'no checks'} failed"
        else:
            detail = ""
        versions = f"{row['from']} -> {row['to']}" if "to" in row else ""
        where = display_path(Path(row["path"]))
        table.append((row.get("name", Path(row["path"]).name), row["result"], versions, verdict,
                      f"{where}: {detail}" if detail else where))  # fmt: skip
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for r in table:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=False)) + "  " + r[4])
    human = sum(1 for row in rows if row["exit_code"] != 0)
    elapsed = time.monotonic() - started
    typer.echo(
        f"\n{total} service(s) in {elapsed:.1f} s with -j {workers}: "
        f"{total - human} fine, {human} need a human (exit {code})."
    )
    return code
