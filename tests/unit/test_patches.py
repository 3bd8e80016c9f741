"""Every copier and Typer internal that scaffold.patches touches is still there, as assumed.

A copier (or Typer) release that renames, moves or changes the signature of one of them must
fail here, loudly, rather than make svcgen silently slower or write something different. The
patches must also leave copier exactly as they found it.
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from functools import cached_property
from pathlib import Path

import copier
import pytest

from scaffold import patches


def _parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_the_patched_attributes_exist_with_the_assumed_signatures() -> None:
    from copier import _main, _template, _vcs

    worker = _main.Worker
    assert _parameters(worker._sync_git_index_executable_bit) == ["self", "dst_relpath", "src_mode"]
    assert _parameters(_main._remove_old_files) == ["prefix", "cmp", "rm_common"]
    assert _parameters(_template.get_repo) == ["url"]
    assert _template.get_repo is _vcs.get_repo
    assert _parameters(_vcs._get_or_create_mirror) == ["url"]
    assert _parameters(_vcs._get_mirror_path) == ["url"]
    assert _parameters(_vcs._clone_via_cache) == ["ref", "location", "mirror"]
    # The clone of a remote template goes through the two, as reused_template_mirror assumes.
    clone = inspect.getsource(_vcs.clone)
    assert "mirror = _get_or_create_mirror(url)" in clone
    assert "return _clone_via_cache(ref, location, mirror)" in clone
    assert isinstance(vars(worker)["jinja_env"], cached_property)
    # Path parts and the answers file name are rendered through the environment's from_string.
    assert "self.jinja_env.from_string(" in inspect.getsource(worker._render_string)


def test_copier_imports_from_the_prompt_libraries_exactly_what_is_deferred() -> None:
    package = Path(copier.__file__).parent
    found: dict[str, set[str]] = {}
    for module in ("_main.py", "_user_data.py", "_template.py", "_vcs.py", "_tools.py"):
        tree = ast.parse((package / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.split(".")[0] in {"questionary", "prompt_toolkit", "pygments"}:
                    found.setdefault(node.module, set()).update(a.name for a in node.names)
            elif isinstance(node, ast.Import):
                names = {a.name.split(".")[0] for a in node.names}
                assert not names & {"questionary", "prompt_toolkit", "pygments"}, module
    assert found == {k: set(v) for k, v in patches.PROMPT_IMPORTS.items()}


def test_copier_imports_without_the_prompt_libraries_and_can_still_prompt() -> None:
    code = (
        "import sys\n"
        "from scaffold.patches import copier_without_prompt_imports\n"
        "copier_without_prompt_imports()\n"
        "import copier._main, copier._user_data\n"
        "assert not any(m.split('.')[0] in {'questionary', 'prompt_toolkit', 'pygments'}"
        " for m in sys.modules), sorted(sys.modules)\n"
        "import questionary\n"  # the real one, now that copier is imported
        "assert copier._main.confirm('?').__class__.__module__.startswith('questionary')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("FastAPI",), {}),
        (("FastAPI", "fastapi"), {"disabled": ""}),
        (([("class:x", "a"), ("", "b")],), {"checked": None, "description": "d"}),
        (("x", 0), {"shortcut_key": "k"}),
    ],
)
def test_plain_choice_reads_like_questionarys(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    from questionary.prompts.common import Choice

    real, plain = Choice(*args, **kwargs), patches.PlainChoice(*args, **kwargs)  # type: ignore[arg-type]
    for attribute in ("title", "value", "disabled", "checked", "description"):
        assert getattr(plain, attribute) == getattr(real, attribute), attribute
    assert list(inspect.signature(Choice).parameters) == list(
        inspect.signature(patches.PlainChoice).parameters
    )


def test_patches_restore_copier() -> None:
    from copier import _main, _template, _vcs

    before = (
        vars(_main.Worker)["_sync_git_index_executable_bit"],
        vars(_main.Worker)["jinja_env"],
        _template.get_repo,  # type: ignore[attr-defined]
        _main._remove_old_files,
        _vcs._get_or_create_mirror,
        _vcs._clone_via_cache,
    )
    with patches.reused_template_mirror():
        assert _vcs._clone_via_cache is not before[5]
    with patches.fast_copy(Path(__file__).parent):
        assert vars(_main.Worker)["jinja_env"] is not before[1]
        assert _template.get_repo is not before[2]  # type: ignore[attr-defined]
        with patches.capture_merged_trees(lambda old, new: None) as hooked:
            assert hooked
            assert _main._remove_old_files is not before[3]
    after = (
        vars(_main.Worker)["_sync_git_index_executable_bit"],
        vars(_main.Worker)["jinja_env"],
        _template.get_repo,  # type: ignore[attr-defined]
        _main._remove_old_files,
        _vcs._get_or_create_mirror,
        _vcs._clone_via_cache,
    )
    assert after == before


def _history(tmp_path: Path, *, submodule: bool = False) -> str:
    """A template repository with tags v1 and v2, and a URL copier counts as remote for it."""
    repo = tmp_path / "template"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    for version in ("v1", "v2"):
        (repo / "copier.yml").write_text(f"# {version}\n")
        if submodule:
            (repo / ".gitmodules").write_text("")
        git("add", "-A")
        git("-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", version)
        git("tag", version)
    return "file://" + str(repo)


def _record_git_commands(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The arguments of every git command copier's ``_vcs`` runs from now on, as it runs them."""
    from copier import _vcs

    commands: list[tuple[str, ...]] = []
    real_git = _vcs.get_git()

    class RecordingGit:
        def with_env(self, **env: str) -> object:
            def run(*args: str) -> object:
                commands.append(args)
                return real_git.with_env(**env)(*args)

            return run

        def __call__(self, *args: str) -> object:
            commands.append(args)
            return real_git(*args)

    monkeypatch.setattr(_vcs, "get_git", RecordingGit)
    return commands


def test_template_checkouts_share_one_mirror_and_skip_absent_submodules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copier import _vcs

    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "cache"))
    url = _history(tmp_path)
    mirrors: list[str] = []
    original = _vcs._get_or_create_mirror

    def get_or_create_mirror(url: str) -> Path:
        mirrors.append(url)
        return original(url)

    monkeypatch.setattr(_vcs, "_get_or_create_mirror", get_or_create_mirror)
    git_commands = _record_git_commands(monkeypatch)
    with patches.reused_template_mirror():
        first = Path(_vcs.clone(url, "v1"))
        second = Path(_vcs.clone(url, "v2"))
    assert (first / "copier.yml").read_text() == "# v1\n"
    assert (second / "copier.yml").read_text() == "# v2\n"
    assert mirrors == [url]  # made once, not refreshed for the second checkout
    assert not [c for c in git_commands if c and c[0] == "submodule"]


def test_a_template_with_submodules_still_gets_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copier import _vcs

    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "cache"))
    url = _history(tmp_path, submodule=True)
    git_commands = _record_git_commands(monkeypatch)
    with patches.reused_template_mirror():
        checkout = Path(_vcs.clone(url, "v2"))
    assert (checkout / ".gitmodules").exists()
    submodule_commands = [c[:2] for c in git_commands if c[0] == "submodule"]
    assert submodule_commands == [("submodule", "sync"), ("submodule", "update")]


def test_a_plain_directory_is_answered_without_git(tmp_path: Path) -> None:
    from copier import _template, _vcs

    with patches.plain_directory_template(tmp_path):
        assert _template.get_repo(str(tmp_path)) is None  # type: ignore[attr-defined]
    (tmp_path / ".git").mkdir()
    with patches.plain_directory_template(tmp_path):
        assert _template.get_repo is _vcs.get_repo  # type: ignore[attr-defined]


def test_typers_coercion_hook_is_where_it_is_assumed() -> None:
    import typer.core
    from typer import _coercion
    from typer.models import OptionInfo

    assert typer.core.build_runtime_param is _coercion.build_runtime_param  # type: ignore[attr-defined]
    assert _parameters(_coercion.build_runtime_param) == ["descriptor"]
    assert "build_runtime_param(self.type_descriptor)" in inspect.getsource(
        typer.core._TyperParameter.get_runtime_param
    )
    assert _parameters(_coercion.RuntimeParam._coerce_value) == ["self", "value", "param", "ctx"]
    info = OptionInfo()
    for key, default in patches._UNCHECKED_PATH.items():
        assert getattr(info, key) == default, key
    assert info.parser is None


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (str, "x", (True, "x")),
        (Path, "a/b", (True, Path("a/b"))),
        (Path, Path("."), (True, Path("."))),
        (list[str], ("a", "b"), (True, ["a", "b"])),
        (list[str], (1,), (False, None)),
        (int, "1", (False, None)),
    ],
)
def test_plain_values_convert_as_typer_would(
    annotation: object, value: object, expected: tuple[bool, object]
) -> None:
    assert patches._plain_value(annotation, value) == expected


def test_commands_without_copier_never_import_pydantic(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from scaffold.cli import run\n"
        "assert run(['status', '.', '--json']) == 0\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
