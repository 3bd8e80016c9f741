"""The svcgen command line: answers, errors, exit codes, and nothing written on failure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scaffold import __version__, cli, generate, pins
from scaffold.catalogue import Catalogue
from scaffold.template import template_root
from tests.cli_process import svcgen


def test_version_and_help(tmp_path: Path) -> None:
    version = svcgen("--version", cwd=tmp_path)
    assert version.returncode == 0
    assert version.stdout.strip() == f"svcgen {__version__}"
    helped = svcgen("new", "--help", cwd=tmp_path)
    assert helped.returncode == 0
    for framework in Catalogue.load(template_root())["framework"].choice_values:
        assert framework in helped.stdout


def test_list_json_is_derived_from_copier_yml(tmp_path: Path) -> None:
    listed = svcgen("list", "--json", cwd=tmp_path)
    assert listed.returncode == 0
    data = json.loads(listed.stdout)
    raw = yaml.safe_load((template_root() / "copier.yml").read_text())
    askable = [
        k for k, v in raw.items() if not k.startswith("_") and v.get("when", True) is not False
    ]
    assert [q["name"] for q in data["questions"]] == askable
    framework = next(q for q in data["questions"] if q["name"] == "framework")
    assert [c["value"] for c in framework["choices"]] == list(raw["framework"]["choices"].values())
    assert framework["required"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad name", "-f", "fastapi"], "lowercase"),
        (["../x", "-f", "fastapi"], "lowercase"),
        (["class", "-f", "fastapi"], "keyword"),
        (["1svc", "-f", "fastapi"], "start with"),
        (["", "-f", "fastapi"], "empty"),
        (["ok", "-f", "rails"], "'rails' is not one of"),
        (["ok", "-f", "fastapi", "--db", "mysql"], "'mysql' is not one of"),
        (["ok", "-f", "fastapi", "--data", "colour=blue"], "unknown key 'colour' in --data"),
        (["ok", "-f", "fastapi", "--data", "package=x"], "derived"),
        (["ok", "-f", "fastapi", "--data", "metrics"], "KEY=VALUE"),
        (["ok", "-f", "fastapi", "--data", "metrics=perhaps"], "true or false"),
        (["ok", "-f", "fastapi", "--data", "framework=flask"], "contradicts"),
        (["ok", "-f", "fastapi", "--answers-file", "missing.yml"], "not found"),
        (["ok"], "framework is required: pass --framework"),
        (["ok", "-f", "fastapi", "--bogus"], "No such option"),
        ([], "Missing argument"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = svcgen("new", *args, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("svcgen: error:")
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: [unclosed", "not valid YAML"),
        ("- a\n- list\n", "mapping"),
        ("colour: blue\n", "unknown key 'colour' in answers file"),
        ("db: sqlite\n", "one of"),
    ],
)
def test_bad_answers_files(tmp_path: Path, content: str, message: str) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(content)
    out = tmp_path / "out"
    out.mkdir()
    result = svcgen(
        "new", "ok", "-f", "fastapi", "--answers-file", str(answers), "-o", "out", cwd=tmp_path
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert list(out.iterdir()) == []


def test_existing_target_is_never_touched(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = svcgen("new", "demo", "-f", "fastapi", cwd=tmp_path)
    assert result.returncode == 1
    assert "already exists and is not empty" in result.stderr
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_existing_file_as_target_is_refused(tmp_path: Path) -> None:
    (tmp_path / "demo").write_text("a file")
    result = svcgen("new", "demo", "-f", "fastapi", cwd=tmp_path)
    assert result.returncode == 1
    assert (tmp_path / "demo").read_text() == "a file"


def test_new_service_with_git(tmp_path: Path) -> None:
    result = svcgen(
        "new", "shop-api", "-f", "fastapi", "--db", "postgres", "-o", "services", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    target = tmp_path / "services" / "shop-api"
    assert "Created shop-api" in result.stdout
    assert "cd ./services/shop-api" in result.stdout
    assert "make install" in result.stdout
    # The database the development settings name, from the service's own .env.example.
    assert "createdb -h 127.0.0.1 -p 5432 -U postgres shop_api" in result.stdout
    assert "make migrate" in result.stdout
    answers = yaml.safe_load((target / ".copier-answers.yml").read_text())
    assert answers["framework"] == "fastapi"
    assert answers["db"] == "postgres"
    assert answers["name"] == "shop-api"
    assert "_src_path" in answers
    log = subprocess.run(["git", "log", "--format=%s"], cwd=target, capture_output=True, text=True)
    assert log.stdout.strip() == f"Generate shop-api with svcgen {__version__}"
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=target, capture_output=True, text=True
    )
    assert status.stdout == ""
    committed = subprocess.run(
        ["git", "ls-files", "uv.lock"], cwd=target, capture_output=True, text=True
    )
    assert committed.stdout.strip() == "uv.lock", "the lock is part of the first commit"
    assert "Note:" not in result.stdout
    leftovers = [p.name for p in (tmp_path / "services").iterdir()]
    assert leftovers == ["shop-api"], "the staging directory was left behind"


def test_new_without_index_or_cache_is_made_without_a_lock(tmp_path: Path) -> None:
    env = {**os.environ, "UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-cache")}
    result = svcgen("new", "demo", "-f", "flask", "--no-input", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if "uv.lock" in line]
    assert len(notes) == 1, result.stdout
    assert notes[0].startswith("Note: uv.lock was not made: the package index cannot be reached")
    assert notes[0].endswith("run `make lock` in the service once it can")
    target = tmp_path / "demo"
    assert (target / "pyproject.toml").is_file()
    assert not (target / "uv.lock").exists()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=target, capture_output=True, text=True
    )
    assert status.stdout == "", "everything else is committed"


def test_failing_uv_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    uv = tmp_path / "bin" / "uv"
    uv.parent.mkdir()
    uv.write_text("#!/bin/sh\necho 'error: Failed to parse pyproject.toml' >&2\nexit 2\n")
    uv.chmod(0o755)
    monkeypatch.setattr(pins, "uv_binary", lambda: str(uv))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert cli.run(["new", "demo", "-f", "fastapi", "--no-input"]) == 1
    assert capsys.readouterr().err.strip() == (
        "svcgen: error: uv could not lock demo: Failed to parse pyproject.toml"
    )
    assert list(work.iterdir()) == []


def test_empty_existing_directory_is_filled(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    result = svcgen("new", "demo", "-f", "fastapi", "--no-git", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo" / "Makefile").is_file()
    assert not (tmp_path / "demo" / ".git").exists()


def test_answers_file_of_another_service_reproduces_it(tmp_path: Path) -> None:
    first = svcgen("new", "first", "-f", "fastapi", "--db", "postgres", "--data", "metrics=false",
                   "--no-git", cwd=tmp_path)  # fmt: skip
    assert first.returncode == 0, first.stderr
    second = svcgen(
        "new", "second", "--answers-file", "first/.copier-answers.yml", "--no-git", cwd=tmp_path
    )
    assert second.returncode == 0, second.stderr
    answers = yaml.safe_load((tmp_path / "second" / ".copier-answers.yml").read_text())
    assert answers["name"] == "second"
    assert answers["db"] == "postgres"
    assert answers["metrics"] is False
    assert not (tmp_path / "second" / "src" / "second" / "metrics.py").exists()


def test_without_git_identity_the_service_is_kept_with_advice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_AUTHOR", "GIT_COMMITTER", "EMAIL"))
    }
    env.update(HOME=str(home), GIT_CONFIG_GLOBAL=str(home / "none"), GIT_CONFIG_NOSYSTEM="1")
    result = svcgen("new", "demo", "-f", "fastapi", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "user.name" in result.stdout
    assert (tmp_path / "demo" / ".git").is_dir()
    assert (tmp_path / "demo" / "Makefile").is_file()


def test_without_git_the_service_is_kept_with_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_which = generate.shutil.which
    monkeypatch.setattr(
        generate.shutil, "which", lambda cmd: None if cmd == "git" else real_which(cmd)
    )
    monkeypatch.chdir(tmp_path)
    assert cli.run(["new", "demo", "-f", "fastapi", "--no-input"]) == 0
    assert "git is not installed" in capsys.readouterr().out
    assert (tmp_path / "demo" / "Makefile").is_file()
    assert not (tmp_path / "demo" / ".git").exists()


def test_interrupted_render_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def half_render(template: Path, destination: Path, answers: object) -> None:
        destination.mkdir()
        (destination / "half-written.txt").write_text("...")
        raise KeyboardInterrupt

    monkeypatch.setattr(generate, "_copier_copy", half_render)
    monkeypatch.chdir(tmp_path)
    assert cli.run(["new", "demo", "-f", "fastapi", "--no-input"]) == 130
    assert "nothing was written" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_failed_render_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_render(template: Path, destination: Path, answers: object) -> None:
        destination.mkdir()
        raise generate.SvcgenError("copier could not render the template: boom")

    monkeypatch.setattr(generate, "_copier_copy", broken_render)
    monkeypatch.chdir(tmp_path)
    assert cli.run(["new", "demo", "-f", "fastapi", "--no-input"]) == 1
    assert (
        capsys.readouterr().err.strip()
        == "svcgen: error: copier could not render the template: boom"
    )
    assert list(tmp_path.iterdir()) == []


def test_sigterm_during_render_unwinds_like_ctrl_c() -> None:
    with pytest.raises(KeyboardInterrupt), generate._sigterm_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_unwritable_output_dir_is_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("not a directory")
        result = svcgen("new", "demo", "-f", "fastapi", "-o", "file/sub", cwd=tmp_path)
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = svcgen("new", "demo", "-f", "fastapi", "-o", "locked", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("svcgen: error: cannot write to")


def test_paths_are_shown_relative_only_below_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scaffold.display import display_path

    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert display_path(Path("svc")) == "./svc"
    assert display_path(Path.cwd()) == "."
    assert display_path(Path("sub/../svc")) == "./svc"
    assert display_path(Path("../svc")) == str(tmp_path.resolve() / "svc")


def test_version_and_help_need_no_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scaffold.cli import options

    (tmp_path / "copier.yml").write_text("framework: [unclosed\n")
    monkeypatch.setattr("scaffold.template.template_root", lambda: tmp_path)
    options.catalogue.cache_clear()
    try:
        assert cli.run(["--version"]) == 0
        assert cli.run(["--help"]) == 0
        assert capsys.readouterr().out.startswith(f"svcgen {__version__}")
        assert cli.run(["list"]) == 1
        error = capsys.readouterr().err.strip()
        assert error.startswith("svcgen: error: the svcgen template is broken:"), error
    finally:
        options.catalogue.cache_clear()
    # Nor does importing the command line read copier.yml (or import the YAML parser).
    code = (
        "import sys, scaffold.cli\n"
        "from scaffold.cli import options\n"
        "assert options.catalogue.cache_info().currsize == 0\n"
        "assert 'yaml' not in sys.modules\n"
    )
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
