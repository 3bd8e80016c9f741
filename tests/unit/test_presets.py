"""Team presets: validation through copier.yml, precedence, locks, discovery and recording."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffold import presets
from scaffold.answers import gather
from scaffold.catalogue import Catalogue
from scaffold.errors import UsageError
from scaffold.template import template_root
from tests.cli_process import svcgen as run_svcgen

CATALOGUE = Catalogue.load(template_root())

TEAM = """\
[preset]
name = "platform"

[defaults]
framework = "flask"
author_email = "team@example.org"
description = "Made by {{ the platform team }}"

[locked]
db = "postgres"
metrics = false
"""


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No preset from the machine running the tests: an empty config dir, no SVCGEN_PRESET."""
    env = {k: v for k, v in os.environ.items() if k != presets.PRESET_ENV}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env.update(extra)
    return env


def svcgen(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """svcgen without the machine's own preset, unless ``env`` says otherwise."""
    return run_svcgen(*args, cwd=cwd, env=env if env is not None else isolated_env(cwd))


@pytest.fixture
def team(tmp_path: Path) -> Path:
    path = tmp_path / "team.toml"
    path.write_text(TEAM)
    return path


def answers_of(service: Path) -> dict[str, Any]:
    data = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert isinstance(data, dict)
    return data


# Precedence ----------------------------------------------------------------------------------


def test_preset_defaults_and_locks_apply_without_flags(tmp_path: Path, team: Path) -> None:
    result = svcgen("new", "svc", "--preset", str(team), "--no-git", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answers = answers_of(tmp_path / "svc")
    assert answers["framework"] == "flask"  # preset default; copier.yml has none
    assert answers["author_email"] == "team@example.org"
    assert answers["description"] == "Made by {{ the platform team }}"  # literal, not Jinja
    assert answers["db"] == "postgres"
    assert answers["metrics"] is False
    assert answers["python_version"] == "3.12"  # template default


def test_flags_and_data_beat_preset_defaults(tmp_path: Path, team: Path) -> None:
    result = svcgen(
        "new", "svc", "--preset", str(team), "-f", "django", "-d", "author_email=me@example.org",
        "--db", "postgres", "--no-git", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answers = answers_of(tmp_path / "svc")
    assert answers["framework"] == "django"
    assert answers["author_email"] == "me@example.org"


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["--db", "none"], "db=none"),
        (["-d", "metrics=yes"], "metrics=true"),
        (["--answers-file", "answers.yml"], "db=none"),
    ],
)
def test_contradicting_a_lock_is_refused(
    tmp_path: Path, team: Path, args: list[str], key: str
) -> None:
    (tmp_path / "answers.yml").write_text("db: none\n")
    out = tmp_path / "out"
    out.mkdir()
    result = svcgen("new", "svc", "--preset", str(team), "-o", "out", *args, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert key in lines[0]
    assert "preset 'platform'" in lines[0]
    assert str(team) in lines[0]
    assert list(out.iterdir()) == []


def test_agreeing_with_a_lock_is_fine(tmp_path: Path, team: Path) -> None:
    result = svcgen(
        "new", "svc", "--preset", str(team), "--db", "postgres", "-d", "metrics=no", "--no-git",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_locked_questions_are_not_prompted_and_defaults_are_offered() -> None:
    preset = presets.parse_preset(
        {"defaults": {"framework": "asab"}, "locked": {"db": "postgres"}},
        CATALOGUE,
        path=None,
        origin="test",
        fallback_name="t",
    )
    offered: dict[str, Any] = {}

    def ask(question: Any, default: Any, context: Any) -> Any:
        offered[question.name] = default
        return default if default is not None else question.default

    answers = gather(CATALOGUE, flags={"name": "svc"}, preset=preset, ask=ask, ask_all=True)
    assert "db" not in offered
    assert offered["framework"] == "asab"
    assert answers["db"] == "postgres"
    assert answers["framework"] == "asab"


# Discovery -----------------------------------------------------------------------------------


def test_environment_variable_and_user_config_are_found(tmp_path: Path, team: Path) -> None:
    by_env = svcgen(
        "new", "one", "--no-git", cwd=tmp_path, env=isolated_env(tmp_path, SVCGEN_PRESET=str(team))
    )
    assert by_env.returncode == 0, by_env.stderr
    assert answers_of(tmp_path / "one")["framework"] == "flask"

    user = tmp_path / "config" / "svcgen" / "preset.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[defaults]\nframework = "asab"\n')
    by_config = svcgen("new", "two", "--no-git", cwd=tmp_path)
    assert by_config.returncode == 0, by_config.stderr
    assert answers_of(tmp_path / "two")["framework"] == "asab"

    flag_wins = svcgen(
        "new", "three", "--preset", str(team), "--no-git", cwd=tmp_path,
        env=isolated_env(tmp_path, SVCGEN_PRESET=str(user)),
    )  # fmt: skip
    assert flag_wins.returncode == 0, flag_wins.stderr
    assert answers_of(tmp_path / "three")["framework"] == "flask"


def test_missing_preset_named_by_environment_is_an_error(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, SVCGEN_PRESET=str(tmp_path / "nope.toml"))
    result = svcgen("new", "svc", "-f", "fastapi", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "preset file not found" in result.stderr
    assert "$SVCGEN_PRESET" in result.stderr


# Validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[defaults]\ncolour = "blue"\n', "unknown key 'colour'"),
        ('[locked]\npackage = "x"\n', "package is derived"),
        ('[locked]\ndb = "sqlite"\n', "db must be one of none, postgres"),
        ('[defaults]\nmetrics = "perhaps"\n', "metrics must be true or false"),
        ("[defaults]\nauthor_name = [1, 2]\n", "author_name must be text"),
        ('[defaults]\nauthor_email = "not-an-address"\n', "author_email"),
        ('[defaults]\nname = "Bad Name"\n', "lowercase"),
        ('[team]\ndb = "none"\n', "unknown table or key 'team'"),
        ('db = "none"\n', "unknown table or key 'db'"),
        ('[preset]\nowner = "x"\n', "unknown key 'owner' in [preset]"),
        ('[defaults]\ndb = "none"\n[locked]\ndb = "postgres"\n', "db is in both"),
        ("[defaults\n", "not valid TOML"),
    ],
)
def test_bad_presets_are_refused_naming_the_key(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(content)
    for args in (
        ["new", "svc", "-f", "fastapi", "--preset", str(bad)],
        ["preset", "show", "--preset", str(bad)],
    ):
        result = svcgen(*args, cwd=tmp_path)
        assert result.returncode == 2, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert message in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


# preset init / show --------------------------------------------------------------------------


def test_preset_init_documents_every_question_and_reads_back_empty(tmp_path: Path) -> None:
    target = tmp_path / "team.toml"
    result = svcgen("preset", "init", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = target.read_text()
    for question in CATALOGUE.askable:
        assert f"# {question.name} = " in text
        for value in question.choice_values:
            assert f'"{value}"' in text
    preset = presets.load_preset(target, CATALOGUE)
    assert preset.defaults == {}
    assert preset.locked == {}

    again = svcgen("preset", "init", str(target), cwd=tmp_path)
    assert again.returncode == 1
    assert "already exists" in again.stderr

    uncommented = text.replace('# db = "none"', 'db = "postgres"', 1)
    target.write_text(uncommented)
    assert presets.load_preset(target, CATALOGUE).defaults == {"db": "postgres"}


def test_preset_init_defaults_to_the_user_config_file(tmp_path: Path) -> None:
    result = svcgen("preset", "init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "config" / "svcgen" / "preset.toml").is_file()


def test_preset_show_names_each_source(tmp_path: Path, team: Path) -> None:
    result = svcgen("preset", "show", "--preset", str(team), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    assert set(rows) == {q.name for q in CATALOGUE.askable}
    assert "locked by preset 'platform'" in rows["db"]
    assert "default of preset 'platform'" in rows["framework"]
    assert "template default" in rows["python_version"]
    assert "required" in rows["name"]

    none = svcgen("preset", "show", cwd=tmp_path)
    assert none.returncode == 0
    assert "No preset" in none.stdout
    assert "template default" in none.stdout


# Recording and checking ----------------------------------------------------------------------


def test_service_records_its_preset_and_check_finds_contradictions(
    tmp_path: Path, team: Path
) -> None:
    result = svcgen("new", "svc", "--preset", str(team), "--no-git", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    service = tmp_path / "svc"
    recorded = presets.read_recorded(service, CATALOGUE)
    assert recorded is not None
    assert recorded.name == "platform"
    assert recorded.locked == {"db": "postgres", "metrics": False}
    assert recorded.source == str(team)
    assert len(recorded.sha256) == 64
    assert presets.service_contradictions(service, CATALOGUE) == []

    answers_file = service / ".copier-answers.yml"
    answers_file.write_text(answers_file.read_text().replace("db: postgres", "db: none"))
    found = presets.service_contradictions(service, CATALOGUE)
    assert [(c.key, c.found, c.locked) for c in found] == [("db", "none", "postgres")]
    assert "db" in str(found[0])
    assert "platform" in str(found[0])

    # The team's current preset, given explicitly, is the reference instead of the record.
    stricter = tmp_path / "stricter.toml"
    stricter.write_text('[locked]\npython_version = "3.13"\n')
    current = presets.load_preset(stricter, CATALOGUE)
    assert [c.key for c in presets.service_contradictions(service, CATALOGUE, current)] == [
        "python_version"
    ]


def test_contradictions_compare_converted_answers_and_report_missing_ones() -> None:
    preset = presets.parse_preset(
        {"locked": {"metrics": True, "db": "postgres"}},
        CATALOGUE,
        path=None,
        origin="test",
        fallback_name="t",
    )
    assert presets.contradictions({"metrics": "yes", "db": "postgres"}, preset, CATALOGUE) == []
    missing = presets.contradictions({"metrics": True}, preset, CATALOGUE)
    assert [(c.key, c.found) for c in missing] == [("db", None)]
    assert "has no answer" in str(missing[0])


def test_service_without_preset_has_nothing_to_contradict(tmp_path: Path) -> None:
    result = svcgen("new", "svc", "-f", "fastapi", "--no-git", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "svc" / presets.RECORD_FILE).exists()
    assert presets.service_contradictions(tmp_path / "svc", CATALOGUE) == []


def test_record_round_trips_awkward_text() -> None:
    preset = presets.parse_preset(
        {
            "preset": {"name": 'quote " and \\ back\x7f'},
            "defaults": {"description": 'quote " and \\ émigré 😀', "author_name": "x"},
        },
        CATALOGUE,
        path=None,
        origin="test",
        fallback_name="t",
    )
    import tomllib

    data = tomllib.loads(presets.record_text(preset))
    assert data["preset"]["name"] == 'quote " and \\ back\x7f'
    assert data["defaults"]["description"] == 'quote " and \\ émigré 😀'


def test_a_lock_refuses_in_process_too() -> None:
    preset = presets.parse_preset(
        {"locked": {"framework": "asab"}}, CATALOGUE, path=None, origin="test", fallback_name="t"
    )
    with pytest.raises(UsageError, match="framework=flask contradicts preset 't'"):
        gather(CATALOGUE, flags={"name": "svc", "framework": "flask"}, preset=preset)


def test_svcgen_check_reports_a_contradicted_lock(tmp_path: Path, team: Path) -> None:
    made = svcgen("new", "svc", "--preset", str(team), "--no-git", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    answers_file = tmp_path / "svc" / ".copier-answers.yml"
    answers_file.write_text(answers_file.read_text().replace("metrics: false", "metrics: true"))
    checked = svcgen("check", "svc", cwd=tmp_path)
    assert checked.returncode == 1
    assert "metrics: the service has metrics=true, but preset 'platform'" in checked.stdout

    agreeing = tmp_path / "agreeing.toml"
    agreeing.write_text("[locked]\nmetrics = true\n")
    explicit = svcgen("check", "svc", "--preset", str(agreeing), cwd=tmp_path)
    assert "metrics:" not in explicit.stdout, explicit.stdout
