"""Compiled Jinja templates kept between runs, in one file per environment configuration.

Compiling Jinja source to Python code is most of what rendering the template costs: the 47
files of a service and several hundred path parts, defaults and validators, compiled afresh
on every ``svcgen new``. Jinja's own answer is a bytecode cache, but it covers only templates
read through a loader, and its file cache writes one file per template. This cache covers
``from_string`` too and keeps every entry in one file under the user cache directory, read
once per run.

Entries are keyed by the template's name and the checksum of its source, not by its file
name: copier renders an update from clones in fresh temporary directories, and two versions
of one file are both kept. Jinja checks each entry against its own version, so an edited
template is compiled again, and a file past :data:`MAX_ENTRIES` keeps only what the run that
writes it used. What Jinja does not check is the environment's configuration
(delimiters, ``trim_blocks``, extensions, filters), which changes the compiled code; so each
configuration gets a file of its own, named by a hash of it. A cache that cannot be read or
written is silently skipped: it only ever saves time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from types import CodeType, MethodType
from typing import Any

from jinja2 import BytecodeCache, Environment, Template
from jinja2.bccache import Bucket

#: Bumped when the layout of the cache file changes.
_FORMAT = "2"

#: Entries a cache file holds before it keeps only those of the run that saves it.
MAX_ENTRIES = 8000


def cache_dir() -> Path:
    """Where the compiled templates live (``~/.cache/svcgen/jinja`` on Linux)."""
    import platformdirs

    return platformdirs.user_cache_path("svcgen", appauthor=False) / "jinja"


def fingerprint(env: Environment) -> str:
    """A hash of everything in ``env`` that changes the code Jinja compiles."""
    import jinja2

    def passes(functions: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted(
            (name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in functions.items()
        )

    parts = [
        _FORMAT,
        jinja2.__version__,
        type(env).__module__ + "." + type(env).__qualname__,
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        str(env.line_statement_prefix),
        str(env.line_comment_prefix),
        str(env.trim_blocks),
        str(env.lstrip_blocks),
        env.newline_sequence,
        str(env.keep_trailing_newline),
        str(env.optimized),
        str(env.is_async),
        repr(env.autoescape) if isinstance(env.autoescape, bool) else "callable",
        str(env.finalize is not None),
        *sorted(
            type(ext).__module__ + "." + type(ext).__qualname__ for ext in env.extensions.values()
        ),
        repr(passes(env.filters)),
        repr(passes(env.tests)),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


class OneFileBytecodeCache(BytecodeCache):
    """A Jinja bytecode cache whose entries are all kept in one marshal file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, bytes] = {}
        self.used: set[str] = set()
        self.changed = False
        try:
            loaded = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return
        if isinstance(loaded, dict):
            self.entries = loaded

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        checksum = self.get_source_checksum(source)
        bucket = Bucket(environment, f"{self.get_cache_key(name)}|{checksum}", checksum)
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        self.used.add(bucket.key)
        data = self.entries.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.entries[bucket.key] = bucket.bytecode_to_string()
        self.used.add(bucket.key)
        self.changed = True

    def save(self) -> None:
        """Write the file if anything was compiled this run (atomically: runs may overlap)."""
        if not self.changed:
            return
        if len(self.entries) > MAX_ENTRIES:
            self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".jinja-")
            with os.fdopen(fd, "wb") as stream:
                marshal.dump(self.entries, stream)
            os.replace(temporary, self.path)
        except OSError:
            return
        self.changed = False


_caches: dict[str, OneFileBytecodeCache] = {}


def attach(env: Environment) -> Environment:
    """Give ``env`` the persistent cache, for loader templates and ``from_string`` alike."""
    key = fingerprint(env)
    cache = _caches.get(key)
    if cache is None:
        cache = _caches[key] = OneFileBytecodeCache(cache_dir() / f"{key}.marshal")
    env.bytecode_cache = cache
    compiled: dict[str, CodeType] = {}

    def from_string(
        self: Environment,
        source: Any,
        globals: Any = None,
        template_class: type[Template] | None = None,
    ) -> Template:
        if not isinstance(source, str):  # a parsed nodes.Template: nothing to look up
            return Environment.from_string(self, source, globals, template_class)
        code = compiled.get(source)
        if code is None:
            bucket = cache.get_bucket(self, "<string>" + source, None, source)
            if bucket.code is None:
                bucket.code = self.compile(source)
                cache.set_bucket(bucket)
            code = compiled[source] = bucket.code
        cls = template_class or self.template_class
        return cls.from_code(self, code, self.make_globals(globals), None)

    env.from_string = MethodType(from_string, env)  # type: ignore[method-assign]
    return env


def save() -> None:
    """Write every cache that learnt something this run."""
    for cache in _caches.values():
        cache.save()
