"""Where the copier template svcgen renders lives.

An installed wheel carries the template inside the package (``scaffold/template/``, put there
by the build; see ``pyproject.toml``). A development checkout, including an editable install,
renders the repository itself, whose root holds ``copier.yml``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from scaffold.errors import SvcgenError

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def template_root() -> Path:
    """The directory holding ``copier.yml`` and ``templates/``."""
    for candidate in (_PACKAGE_DIR / "template", _PACKAGE_DIR.parent.parent):
        if (candidate / "copier.yml").is_file() and (candidate / "templates").is_dir():
            return candidate
    raise SvcgenError(
        f"the svcgen template is missing: no copier.yml in {_PACKAGE_DIR / 'template'}; "
        "reinstall svcgen"
    )
