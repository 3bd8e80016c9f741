"""Hatch build hook: put the template's release history and the build's identity into the wheel.

``svcgen update`` renders the template at the version a service was made from and at the new
one, offline, so an installed svcgen must carry every release's template, not just today's
files. A release is a commit on main (see RELEASING.md); ``scaffold/releases.py`` finds them in
the history and the hook bundles them, each tagged ``vX`` inside the bundle only, as
``scaffold/template/history.bundle`` (see ``scaffold.versions``). The hook also writes
``scaffold/template/build.toml``: the version services made from this wheel record (a
development version when the template differs from the release commit) and the template URL
the repository sets in ``[tool.svcgen] template-url``.

Building needs git and the full history of main; a shallow clone fails with one line saying
so. A tree without ``.git`` (an sdist) bundles just its own template as its version.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _releases_module(root: Path) -> ModuleType:
    """``scaffold/releases.py`` of the tree being built, loaded without importing scaffold."""
    spec = importlib.util.spec_from_file_location(
        "_svcgen_releases", root / "src" / "scaffold" / "releases.py"
    )
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {root / 'src' / 'scaffold' / 'releases.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class TemplateHistoryHook(BuildHookInterface):  # type: ignore[type-arg]
    """Adds ``scaffold/template/history.bundle`` and ``build.toml`` to the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install serves the checkout itself
        if shutil.which("git") is None:
            raise RuntimeError("building svcgen's wheel needs git, to bundle the template history")
        root = Path(self.root)
        releases = _releases_module(root)
        package_version = releases.package_version(root)
        out = Path(tempfile.mkdtemp(prefix="svcgen-bundle-"))
        bundle = out / "history.bundle"
        if releases.is_repository(root):
            try:
                commits = releases.build_bundle(root, bundle)
                recorded = releases.recorded_version(root, package_version, commits)
            except releases.HistoryError as exc:
                raise SystemExit(f"svcgen build: {exc}") from None
        else:
            releases.build_tree_bundle(root, package_version, bundle)
            recorded = f"v{package_version}"
        info = out / "build.toml"
        url = releases.template_url(root)
        info.write_text(
            "# Written by hatch_build.py: what services made from this wheel record.\n"
            f'recorded-version = "{recorded}"\ntemplate-url = "{url}"\n',
            encoding="utf-8",
        )
        build_data["force_include"][str(bundle)] = "scaffold/template/history.bundle"
        build_data["force_include"][str(info)] = "scaffold/template/build.toml"
