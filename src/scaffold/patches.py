"""Every change svcgen makes to copier's and Typer's private internals, in one place.

svcgen renders and updates through copier, so a service it makes is one plain copier makes too
(a test compares the two byte for byte). Where copier spends time on work that cannot matter
for svcgen, or hides something svcgen needs, svcgen reaches into copier's private modules.
Each such reach is here, as a context manager that restores what it changed when it exits
(the prompt-library stand-ins excepted: copier keeps them, and they load the real thing when
used), and ``tests/unit/test_patches.py`` checks that every attribute touched still exists with
the signature assumed, so a copier release that moves one fails that test loudly instead of
silently slowing svcgen down or changing what it writes.

The patches, for copier 9.19 and Typer 0.29:

- :func:`plain_option_values`: Typer checks every option value with a pydantic ``TypeAdapter``
  built for its annotation (``typer.core.build_runtime_param``), which imports pydantic's
  schema machinery and builds one adapter per option: more CPU than the rest of Typer's
  parsing together. svcgen's options are text, paths, flags and lists of text, which need no
  such check; values of those types pass as they are (text to a path becomes the path), and
  anything else still goes to Typer's own coercion.
- :func:`copier_without_prompt_imports`: copier imports questionary, prompt_toolkit and pygments
  at import time (about a fifth of a ``svcgen new``), though it only calls them to prompt,
  which svcgen never lets it do (it asks its own questions first and passes
  ``defaults=True``). Stand-ins that import the real thing on first call are in place while
  copier is imported; questionary's ``Choice``, which copier also uses to check an answer
  against the choices, is stood in for by :class:`PlainChoice`.
- :func:`per_file_git_sync`: copier runs ``git config core.fileMode`` after writing each file
  (``Worker._sync_git_index_executable_bit``), which can change nothing in a directory git does
  not track yet, and for an update svcgen can ask once.
- :func:`plain_directory_template`: copier asks git three times (``rev-parse``, ``init``,
  ``bundle verify``) whether a local template is a repository or a bundle
  (``copier._template.get_repo``); a directory without ``.git`` is neither.
- :func:`compiled_templates`: copier's Jinja environment (``Worker.jinja_env``) gets the
  persistent cache of :mod:`scaffold.jinja_cache`, so template files and path parts are
  compiled once per template version rather than on every run.
- :func:`capture_merged_trees`: during an update copier renders the template at the old and
  the new version, compares them (``copier._main._remove_old_files``) and deletes them; svcgen
  reads them there for its per-file account instead of rendering both again.
- :func:`reused_template_mirror`: an update checks the template out five times. For each,
  copier refreshes its mirror of the template (``copier._vcs._get_or_create_mirror``: a
  ``rev-parse``, a ``remote update`` and a ``worktree prune``) and, after ``git worktree add``,
  runs ``git submodule sync`` and ``update`` (``copier._vcs._clone_via_cache``), two shell
  scripts of about fifteen processes each. svcgen's template history has no submodules and
  does not change during one update: the mirror is made once, and a checkout without
  ``.gitmodules`` skips the submodule commands. Of an update's three hundred processes, that
  is two thirds, and the share of the CPU that grew when two updates ran side by side.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

#: What copier imports from the prompt libraries (module: names): used to prompt, and
#: ``Choice`` to check an answer against its choices.
PROMPT_IMPORTS: dict[str, tuple[str, ...]] = {
    "questionary": ("confirm", "unsafe_prompt"),
    "questionary.prompts.common": ("Choice",),
    "prompt_toolkit.lexers": ("PygmentsLexer",),
    "pygments.lexers.data": ("JsonLexer", "YamlLexer"),
}

_STAND_IN = "__svcgen_stand_in__"


class PlainChoice:
    """questionary's ``Choice`` as copier reads it to check answers: title, value, disabled.

    Same constructor and attributes (a test compares them with the real class); without the
    prompt_toolkit machinery behind it, which only a prompt would use.
    """

    def __init__(
        self,
        title: Any,
        value: Any = None,
        disabled: str | None = None,
        checked: bool | None = False,
        shortcut_key: str | bool | None = True,
        description: str | None = None,
    ) -> None:
        self.title = title
        self.disabled = disabled
        self.checked = checked if checked is not None else False
        self.shortcut_key = shortcut_key
        self.description = description
        if value is not None:
            self.value = value
        elif isinstance(title, list):
            self.value = "".join(token[1] for token in title)
        else:
            self.value = title


def _deferred(module: str, name: str) -> Callable[..., Any]:
    """A stand-in for ``module.name`` that imports the real one when first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def _stand_in_modules() -> dict[str, ModuleType]:
    modules: dict[str, ModuleType] = {}
    for dotted, names in PROMPT_IMPORTS.items():
        parts = dotted.split(".")
        for depth in range(1, len(parts) + 1):
            name = ".".join(parts[:depth])
            if name in sys.modules or name in modules:
                continue
            module = ModuleType(name)
            setattr(module, _STAND_IN, True)
            if depth < len(parts):
                module.__path__ = []  # a package, so the next level can be "imported"
            modules[name] = module
        leaf = modules.get(dotted)
        if leaf is not None:
            for attribute in names:
                setattr(leaf, attribute, _deferred(dotted, attribute))
    if "questionary.prompts.common" in modules:
        modules["questionary.prompts.common"].Choice = PlainChoice  # type: ignore[attr-defined]
    return modules


def copier_without_prompt_imports() -> None:
    """Import copier's rendering modules without loading the prompt libraries.

    A no-op when copier is already imported, and for any prompt module already loaded (an
    interactive ``svcgen new`` has imported questionary for its own prompts).
    """
    if "copier._main" in sys.modules:
        return
    stand_ins = _stand_in_modules()
    sys.modules.update(stand_ins)
    try:
        importlib.import_module("copier._main")
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


@contextmanager
def _replaced(owner: Any, attribute: str, value: Any) -> Iterator[None]:
    """Set ``owner.attribute`` to ``value`` for the duration; fail loudly if it is not there."""
    original = vars(owner)[attribute]
    setattr(owner, attribute, value)
    try:
        yield
    finally:
        setattr(owner, attribute, original)


@contextmanager
def per_file_git_sync(enabled: bool) -> Iterator[None]:
    """With ``enabled=False``, copier does not sync executable bits into a git index per file."""
    from copier._main import Worker

    if enabled:
        yield
        return

    def skip(self: Any, dst_relpath: Path, src_mode: int) -> None:
        return None

    with _replaced(Worker, "_sync_git_index_executable_bit", skip):
        yield


@contextmanager
def plain_directory_template(template: Path) -> Iterator[None]:
    """Tell copier, without asking git, that ``template`` is neither a repository nor a bundle.

    Only for a directory without ``.git``; anything else still goes to copier's own check.
    """
    from copier import _template

    original = _template.get_repo  # type: ignore[attr-defined]
    plain = str(template)

    def get_repo(url: str) -> str | None:
        if url == plain:
            return None
        return original(url)

    if not template.is_dir() or (template / ".git").exists():
        yield
        return
    with _replaced(_template, "get_repo", get_repo):
        yield


@contextmanager
def compiled_templates() -> Iterator[None]:
    """Copier's Jinja environment with the persistent compiled-template cache."""
    from copier._main import Worker

    from scaffold import jinja_cache

    original: cached_property[Any] = Worker.__dict__["jinja_env"]

    def jinja_env(self: Any) -> Any:
        return jinja_cache.attach(original.func(self))

    cached = cached_property(jinja_env)
    cached.__set_name__(Worker, "jinja_env")
    # The caller saves the cache (jinja_cache.save) once its whole operation succeeded: a
    # failed or interrupted one leaves nothing behind, not even a cache entry.
    with _replaced(Worker, "jinja_env", cached):
        yield


@contextmanager
def capture_merged_trees(capture: Callable[[Path, Path], None]) -> Iterator[bool]:
    """Call ``capture(old, new)`` with copier's two renders of the template during an update.

    Yields False when this copier has no ``_remove_old_files`` to hook (the caller then
    renders the two trees itself).
    """
    from copier import _main

    original = getattr(_main, "_remove_old_files", None)
    if original is None:
        yield False
        return

    def remove_old_files(prefix: Path, cmp: Any, rm_common: bool = False) -> None:
        capture(Path(cmp.left), Path(cmp.right))
        original(prefix, cmp, rm_common)

    with _replaced(_main, "_remove_old_files", remove_old_files):
        yield True


@contextmanager
def reused_template_mirror() -> Iterator[None]:
    """Copier's template checkouts from one mirror per run, without needless submodule commands.

    A checkout whose tree has ``.gitmodules`` still gets copier's submodule commands.
    """
    from copier import _vcs
    from plumbum import local

    made: dict[Path, Path] = {}
    original_mirror = _vcs._get_or_create_mirror

    def get_or_create_mirror(url: str) -> Path:
        path = _vcs._get_mirror_path(url)
        if path not in made:
            made[path] = original_mirror(url)
        return made[path]

    def clone_via_cache(ref: str, location: str, mirror: Path) -> str:
        placeholder = Path(location)
        if placeholder.exists():
            placeholder.rmdir()  # `git worktree add` makes the directory itself
        git = _vcs.get_git()
        git.with_env(GIT_DIR=str(mirror))(
            "worktree", "add", "--detach", "--force", "--", location, ref
        )
        if (placeholder / ".gitmodules").exists():
            with local.cwd(location):
                git("submodule", "sync", "--recursive")
                git("submodule", "update", "--checkout", "--init", "--recursive", "--force")
        return location

    with (
        _replaced(_vcs, "_get_or_create_mirror", get_or_create_mirror),
        _replaced(_vcs, "_clone_via_cache", clone_via_cache),
    ):
        yield


#: What a plain option value of each annotation becomes, without pydantic.
_PLAIN: dict[Any, Callable[[Any], Any]] = {str: lambda value: value, Path: Path}


def _plain_value(annotation: Any, value: Any) -> tuple[bool, Any]:
    """``(True, converted)`` for a value :func:`plain_option_values` passes through."""
    if annotation in _PLAIN and isinstance(value, annotation | str):
        return True, _PLAIN[annotation](value)
    is_list_of_text = getattr(annotation, "__origin__", None) is list and getattr(
        annotation, "__args__", ()
    ) == (str,)
    if (
        is_list_of_text
        and isinstance(value, list | tuple)
        and all(isinstance(v, str) for v in value)
    ):
        return True, list(value)
    return False, None


#: Typer's path checks at their defaults (none): only then is a path option plain.
_UNCHECKED_PATH = {
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "writable": False,
    "readable": True,
    "resolve_path": False,
    "allow_dash": False,
    "path_type": None,
}


def _is_plain(descriptor: Any) -> bool:
    """Whether Typer's coercion of this option could only convert, never check or parse."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None:
        return False
    return all(getattr(info, key, value) == value for key, value in _UNCHECKED_PATH.items())


@contextmanager
def plain_option_values() -> Iterator[None]:
    """Typer coerces text, path and list-of-text option values without pydantic."""
    from dataclasses import dataclass

    import typer.core
    from typer._coercion import RuntimeParam

    original = typer.core.build_runtime_param  # type: ignore[attr-defined]

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        descriptor: Any

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            plain, converted = _plain_value(self.annotation, value)
            if plain:
                return converted
            return original(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor: Any) -> Any:
        if _is_plain(descriptor):
            return PlainRuntimeParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
            )
        return original(descriptor)

    with _replaced(typer.core, "build_runtime_param", build_runtime_param):
        yield


@contextmanager
def fast_copy(template: Path) -> Iterator[None]:
    """Everything ``svcgen new`` changes for a copy into a fresh (untracked) directory."""
    copier_without_prompt_imports()
    with ExitStack() as stack:
        stack.enter_context(per_file_git_sync(enabled=False))
        stack.enter_context(plain_directory_template(template))
        stack.enter_context(compiled_templates())
        yield
