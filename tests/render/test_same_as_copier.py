"""``svcgen new`` writes byte for byte what plain ``copier copy`` writes, speed-ups and all.

svcgen renders through copier with the patches of ``scaffold.patches`` and the
compiled-template cache of ``scaffold.jinja_cache``; neither may change a byte. The one
deliberate difference is the origin svcgen records in ``.copier-answers.yml`` (``_commit`` and
``_src_path``, see ``scaffold.service.record_origin``), left out of the comparison, and the one
file svcgen adds: ``uv.lock`` (:mod:`scaffold.pins`), which must be there. svcgen runs twice
against an empty cache: once compiling everything, once reading what it stored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold import pins
from scaffold.template import template_root
from tests.cli_process import svcgen

ANSWERS = {"framework": "fastapi", "db": "postgres", "name": "same-svc"}


def _tree(root: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and ".git" not in relative.parts:
            content = path.read_bytes()
            if relative.name == ".copier-answers.yml":
                content = b"".join(
                    line
                    for line in content.splitlines(keepends=True)
                    if not line.startswith((b"_commit:", b"_src_path:"))
                )
            files[relative.as_posix()] = content
    return files


@pytest.fixture(scope="module")
def copier_tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("copier") / ANSWERS["name"]
    template = template_root()
    ref = ["--vcs-ref", "HEAD"] if (template / ".git").exists() else []
    data = [arg for key, value in ANSWERS.items() for arg in ("-d", f"{key}={value}")]
    copier = Path(sys.executable).parent / "copier"
    result = subprocess.run(
        [str(copier), "copy", "--quiet", "--defaults", *ref, *data, str(template), str(out)],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return _tree(out)


def _uv_cache() -> str:
    """uv's own cache, kept while svcgen's moves: the lock is made from it, not the index."""
    found = subprocess.run(
        [pins.uv_binary(), "cache", "dir"], capture_output=True, text=True, check=True
    )
    return found.stdout.strip()


def test_svcgen_new_writes_what_copier_copy_writes(
    copier_tree: dict[str, bytes], tmp_path: Path
) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "UV_CACHE_DIR": _uv_cache()}
    for run in ("cold", "warm"):
        out = tmp_path / run
        result = svcgen(
            "new", ANSWERS["name"], "-f", ANSWERS["framework"], "--db", ANSWERS["db"],
            "--no-input", "--no-git", "-o", str(out), cwd=tmp_path, env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        svcgen_tree = _tree(out / ANSWERS["name"])
        lock = svcgen_tree.pop(pins.LOCK_FILE, b"")
        assert b"[[package]]" in lock, f"{run}: svcgen adds uv.lock, the one file copier does not"
        assert sorted(svcgen_tree) == sorted(copier_tree), run
        different = [name for name in copier_tree if svcgen_tree[name] != copier_tree[name]]
        assert different == [], run
    assert list((tmp_path / "cache" / "svcgen" / "jinja").glob("*.marshal")), "nothing cached"
