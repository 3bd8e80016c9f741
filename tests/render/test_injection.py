"""No answer can inject a header, a dependency, a script or a Jinja expression into a service.

The free-text answers (``description``, ``author_name``, ``author_email``) reach
``pyproject.toml``, ``.copier-answers.yml``, the README and, through the package metadata, the
wheel's ``METADATA`` and the OpenAPI document. Values that pass validation but are made of TOML,
YAML, Jinja and shell metacharacters are given through ``--data``, an answers file and a
preset's ``[locked]`` and ``[defaults]`` tables; each render is compared with a render of
plain placeholder values. Every structured file must parse to the same structure, with the
hostile value exactly where the placeholder was and nowhere else, so no answer can add a key,
close a string or be evaluated.
"""

from __future__ import annotations

import ast
import email.parser
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

SVCGEN = shutil.which("svcgen", path=str(Path(sys.executable).parent)) or shutil.which("svcgen")
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")

pytestmark = pytest.mark.skipif(SVCGEN is None, reason="the svcgen command is not installed")

#: Placeholders: each occurs nowhere in a template, so a render shows exactly where it goes.
PLAIN = {
    "description": "Zplaceholder description",
    "author_name": "Zplaceholder author",
    "author_email": "zplaceholder@example.org",
}

#: Values that pass copier.yml's validators (no control characters, a valid address) and are
#: made to break out of a TOML, YAML, Python or Markdown string, or to be evaluated by Jinja.
HOSTILE = {
    "toml": {
        "description": '"] [project.scripts] evil = "os:system" # \\" \\\\ \'\'\' """ x = 1',
        "author_name": 'x", email = "evil@example.org" }, { name = "Requires-Dist: evil-pkg',
        "author_email": "x}#{project.scripts}='a/b'@example.org",
    },
    "jinja": {
        "description": "{{ 7*7 }} {{ 12345*6789 }} {% raw %}r{% endraw %} {# c #} {%- if 1 %}i",
        "author_name": "{{ 12345*6789 }} {{ cycler.__init__.__globals__ }} {% endif %}",
        "author_email": "{{12345*6789}}{%raw%}@example.org",
    },
    "yaml and shell": {
        "description": "--- !!python/object:os.system &a *a ? : - | > % @ ` $(id) ${HOME} \\ 'x'",
        "author_name": "null",
        "author_email": "a'b&*!|%`$#{}~^=+/?@example.org",
    },
    "unicode": {
        "description": "Bills 😀 customers: Zoë, Ω, 中文, \u200b, \u202e, \ufeff",
        "author_name": "Zoë 😀 Ünïcode",
        "author_email": "o'brien+zoe@example.org",
    },
}

#: The product 12345*6789: finding it anywhere means a value was evaluated as Jinja.
EVALUATED = str(12345 * 6789)
CHANNELS = ["--data", "--answers-file", "preset [locked]", "preset [defaults]"]


def _render(
    directory: Path, framework: str, values: dict[str, str], channel: str, name: str = "svc"
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    args = ["new", name, "-f", framework, "--no-input", "--no-git", "-o", str(directory)]
    if channel == "--data":
        for key, value in values.items():
            args += ["--data", f"{key}={value}"]
    elif channel == "--answers-file":
        path = directory / "answers.yml"
        path.write_text(yaml.safe_dump(values), encoding="utf-8")
        args += ["--answers-file", str(path)]
    else:
        table = channel.split("[")[1].rstrip("]")
        path = directory / "team.toml"
        # JSON's string without ASCII escapes is TOML's (no control characters here).
        lines = [
            f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()
        ]
        path.write_text(f"[{table}]\n" + "\n".join(lines) + "\n", encoding="utf-8")
        args += ["--preset", str(path)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SVCGEN_")}
    env["HOME"] = str(directory)
    env["XDG_CONFIG_HOME"] = str(directory / ".config")
    made = subprocess.run(
        [SVCGEN or "svcgen", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert made.returncode == 0, made.stderr
    assert "Traceback" not in made.stdout + made.stderr
    return directory / name


def _substitute(value: Any, values: dict[str, str]) -> Any:
    """``value`` with every placeholder replaced by its hostile value, however deep."""
    if isinstance(value, str):
        for key, placeholder in PLAIN.items():
            value = value.replace(placeholder, values[key])
        return value
    if isinstance(value, dict):
        return {_substitute(k, values): _substitute(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(item, values) for item in value]
    return value


def _python_strings(tree: ast.AST, values: dict[str, str]) -> str:
    """The module's AST, its string constants substituted, dumped for comparison."""

    class Substitute(ast.NodeTransformer):
        def visit_Constant(self, node: ast.Constant) -> ast.Constant:
            if isinstance(node.value, str):
                return ast.Constant(_substitute(node.value, values))
            return node

    return ast.dump(Substitute().visit(tree))


def _parse(path: Path) -> tuple[str, Any] | None:
    """The file's structure, by its format, or None for a format compared as text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return "toml", tomllib.loads(text)
    if path.suffix in {".yml", ".yaml"}:
        return "yaml", list(yaml.safe_load_all(text))
    if path.suffix == ".json":
        return "json", json.loads(text)
    if path.suffix == ".py":
        return "python", ast.parse(text)
    return None


#: The copy of the preset a service was made with: present only for the preset channels.
PRESET_RECORD = ".svcgen-preset.toml"


def _files(root: Path) -> dict[str, Path]:
    return {
        p.relative_to(root).as_posix(): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts and p.name != PRESET_RECORD
    }


def compare(reference: Path, hostile: Path, values: dict[str, str]) -> list[str]:
    """Where the hostile render differs from the reference with the values substituted."""
    problems = []
    ours, theirs = _files(reference), _files(hostile)
    if ours.keys() != theirs.keys():
        problems.append(f"different files: {sorted(ours.keys() ^ theirs.keys())}")
    for relative in sorted(ours.keys() & theirs.keys()):
        text = theirs[relative].read_text(encoding="utf-8")
        if EVALUATED in text:
            problems.append(f"{relative}: a Jinja expression in an answer was evaluated")
        try:
            parsed = _parse(theirs[relative])
        except (SyntaxError, ValueError, yaml.YAMLError) as exc:
            problems.append(f"{relative}: no longer parses ({type(exc).__name__}: {exc})")
            continue
        expected = _parse(ours[relative])
        if parsed is None or expected is None:
            plain = ours[relative].read_text(encoding="utf-8")
            if _substitute(plain, values) != text:
                problems.append(f"{relative}: differs beyond the answers' places")
        elif parsed[0] == "python":
            if _python_strings(expected[1], values) != ast.dump(parsed[1]):
                problems.append(f"{relative}: the Python code differs beyond string values")
        elif _substitute(expected[1], values) != parsed[1]:
            problems.append(f"{relative}: the {parsed[0]} structure differs")
    return problems


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One render per framework with the placeholders, for every comparison."""
    out = tmp_path_factory.mktemp("reference")
    frameworks = ("fastapi", "flask", "django", "asab")
    return {
        framework: _render(out / framework, framework, PLAIN, "--data") for framework in frameworks
    }


CASES = [
    *[
        pytest.param("fastapi", kind, channel, id=f"fastapi-{kind}-{channel}")
        for kind in HOSTILE
        for channel in CHANNELS
    ],
    *[
        pytest.param(framework, kind, "--data", id=f"{framework}-{kind}")
        for framework in ("flask", "django", "asab")
        for kind in HOSTILE
    ],
]


@pytest.mark.parametrize(("framework", "kind", "channel"), CASES)
def test_answers_cannot_inject(
    references: dict[str, Path], tmp_path: Path, framework: str, kind: str, channel: str
) -> None:
    values = HOSTILE[kind]
    service = _render(tmp_path, framework, values, channel)
    assert not compare(references[framework], service, values)

    pyproject = tomllib.loads((service / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    assert project["description"] == values["description"]
    assert project["authors"] == [{"name": values["author_name"], "email": values["author_email"]}]
    plain = tomllib.loads((references[framework] / "pyproject.toml").read_text())["project"]
    for key in ("dependencies", "optional-dependencies", "scripts", "entry-points"):
        assert project.get(key) == plain.get(key), key

    answers = yaml.safe_load((service / ".copier-answers.yml").read_text(encoding="utf-8"))
    for key, value in values.items():
        assert answers[key] == value

    if channel.startswith("preset"):
        recorded = tomllib.loads((service / PRESET_RECORD).read_text(encoding="utf-8"))
        table = channel.split("[")[1].rstrip("]")
        assert recorded[table] == values


def _metadata(service: Path, out: Path) -> email.message.Message:
    built = subprocess.run(
        [UV or "uv", "build", "-q", "--wheel", "--out-dir", str(out), str(service)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if built.returncode != 0:
        pytest.skip(f"uv could not build the service's wheel: {built.stderr[-500:]}")
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


@pytest.mark.skipif(UV is None, reason="needs uv to build the service's wheel")
@pytest.mark.parametrize("kind", ["toml", "unicode"])
def test_wheel_metadata_has_no_injected_header(
    references: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    values = HOSTILE[kind]
    service = _render(tmp_path / "svc-root", "fastapi", values, "preset [locked]")
    hostile = _metadata(service, tmp_path / "hostile")
    plain = _metadata(references["fastapi"], tmp_path / "plain")
    assert sorted(hostile.keys()) == sorted(plain.keys())
    assert hostile.get_all("Requires-Dist") == plain.get_all("Requires-Dist")
    assert hostile["Summary"] == values["description"]
