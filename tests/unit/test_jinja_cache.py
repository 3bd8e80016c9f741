"""The compiled-template cache: found whatever directory a template is read from, never stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader

from scaffold import jinja_cache


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setattr(jinja_cache, "cache_dir", lambda: where)
    monkeypatch.setattr(jinja_cache, "_caches", {})
    return where


def _render(directory: Path, source: str) -> tuple[str, int]:
    """Render ``page.jinja`` from ``directory`` in a fresh environment; output and compiles."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "page.jinja").write_text(source)
    env = jinja_cache.attach(Environment(loader=FileSystemLoader(directory)))
    compiles = 0
    compile_: Any = env.compile

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal compiles
        compiles += 1
        return compile_(*args, **kwargs)

    env.compile = counting  # type: ignore[method-assign]
    return env.get_template("page.jinja").render(n=1), compiles


def _reload(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the next run sees: the file, not this run's memory."""
    jinja_cache.save()
    monkeypatch.setattr(jinja_cache, "_caches", {})


def test_a_template_read_from_another_directory_is_not_compiled_again(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Copier reads each version of the template from a fresh temporary clone.
    assert _render(tmp_path / "clone-1", "n={{ n }}") == ("n=1", 1)
    _reload(monkeypatch)
    assert _render(tmp_path / "clone-2", "n={{ n }}") == ("n=1", 0)


def test_an_edited_template_is_compiled_and_both_versions_are_kept(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _render(tmp_path / "old", "old {{ n }}") == ("old 1", 1)
    assert _render(tmp_path / "new", "new {{ n }}") == ("new 1", 1)
    _reload(monkeypatch)
    assert _render(tmp_path / "a", "old {{ n }}") == ("old 1", 0)
    assert _render(tmp_path / "b", "new {{ n }}") == ("new 1", 0)


def test_a_full_cache_keeps_only_what_the_saving_run_used(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jinja_cache, "MAX_ENTRIES", 2)
    for version in range(3):
        _render(tmp_path / f"v{version}", f"v{version} {{{{ n }}}}")
    _reload(monkeypatch)
    [cache] = [jinja_cache.OneFileBytecodeCache(path) for path in cache_dir.iterdir()]
    assert len(cache.entries) == 3  # all three were used by the run that saved them
    _render(tmp_path / "v9", "v9 {{ n }}")
    _reload(monkeypatch)
    [cache] = [jinja_cache.OneFileBytecodeCache(path) for path in cache_dir.iterdir()]
    assert len(cache.entries) == 1
