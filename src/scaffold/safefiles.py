"""Reading the small files a user points svcgen at (answers files, presets) without surprises.

An answers file or preset is a few hundred bytes of YAML or TOML. A path given by mistake or
malice may be something else: a FIFO (an ``open`` for reading blocks until a writer comes),
``/dev/zero`` (endless), a directory, a 200 MB log, or text built to exhaust the parser (YAML
anchors that expand to billions of nodes, nesting thousands of levels deep, a key given twice
so that the last one silently wins, an integer too long for Python to convert). Each is refused
here with one line (:class:`~scaffold.errors.UsageError`, exit 2) before it costs more than a
stat and :data:`LIMIT` bytes of reading.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from scaffold.errors import UsageError

#: The largest answers or preset file svcgen reads: far above any real one.
LIMIT = 1 << 20


def read_limited(path: Path, what: str, limit: int = LIMIT) -> bytes:
    """The bytes of the regular file ``path``; anything else, or anything larger, is refused.

    The file is opened non-blocking (a FIFO cannot hang the open) and checked with ``fstat``
    on the open descriptor, so what is checked is what is read; at most ``limit + 1`` bytes
    are read, whatever the size claims.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise UsageError(f"{what} {path} is {kind}")
        if info.st_size > limit:
            raise UsageError(f"{what} {path} is larger than {limit // 1024} KiB")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            try:
                chunk = os.read(fd, limit + 1 - size)
            except BlockingIOError:  # pragma: no cover - a regular file never blocks
                continue
            except OSError as exc:
                raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise UsageError(f"{what} {path} is larger than {limit // 1024} KiB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_yaml(text: str, what: str) -> Any:
    """``yaml.safe_load`` without aliases, duplicate keys or unbounded nesting."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                line = event.start_mark.line + 1
                raise UsageError(f"{what} uses a YAML alias (line {line}); write the value out")
            return super().compose_node(parent, index)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # an unhashable key: the mapping's own check refuses it
                if duplicate:
                    line = key_node.start_mark.line + 1
                    raise UsageError(f"{what} has the key {key!r} twice (line {line})")
            return super().construct_mapping(node, deep=deep)

    try:
        return yaml.load(text, Loader=Loader)  # a SafeLoader subclass: no object tags
    except RecursionError:
        raise UsageError(f"{what} is nested too deeply") from None
    except ValueError as exc:  # an integer past Python's digit limit
        raise UsageError(f"{what} holds a value that cannot be read: {exc}") from None


def load_toml(text: str, what: str) -> dict[str, Any]:
    """``tomllib.loads`` with its two crashes (deep nesting, huge integers) as one line."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{what} is not valid TOML: {exc}") from None
    except RecursionError:
        raise UsageError(f"{what} is nested too deeply") from None
    except ValueError as exc:  # an integer past Python's digit limit
        raise UsageError(f"{what} holds a value that cannot be read: {exc}") from None
