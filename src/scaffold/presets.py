"""Team presets: answers a platform team decides once, for every ``svcgen new``.

A preset is a TOML file with two tables of answers to the questions in ``copier.yml``:

- ``[defaults]`` replace the template's defaults; a prompt, ``--data`` or a flag may still
  change them;
- ``[locked]`` are the team's rules; they are never prompted, and a flag, ``--data`` or answers
  file value that contradicts one is refused, naming the preset and the key.

An optional ``[preset]`` table names the preset (``name``, shown in messages; the file's name
otherwise) and may describe it (``description``). Values are literal: they are validated when
the preset is read, by the same :func:`scaffold.answers.validate` as every other answer, so a
preset can never hold an answer copier would refuse, and nothing about a question is
restated here.

Where the preset comes from, first found wins: ``--preset FILE``, the ``SVCGEN_PRESET``
environment variable, then ``preset.toml`` in the user's config directory (platformdirs, e.g.
``~/.config/svcgen/preset.toml`` on Linux). Precedence of answers: flag > prompt > preset default
> template default; locked preset answers beat all.

The preset a service was made with is copied, normalised, into the service as
``.svcgen-preset.toml`` (name, source path, the source's SHA-256, defaults and locked answers).
A copy rather than a path or a hash alone: CI runs ``svcgen check`` in the service's own
repository, where the generating machine's file does not exist, and the copy still says which
answers were locked; the hash tells whether the team's current preset is the one it was made
with. :func:`contradictions` compares a service's answers with any preset's locked answers.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scaffold.answers import validate
from scaffold.catalogue import Catalogue
from scaffold.errors import UsageError
from scaffold.service import read_answers

#: Names a preset file for every ``svcgen new`` without ``--preset``.
PRESET_ENV = "SVCGEN_PRESET"
#: The copy of the preset kept in a generated service.
RECORD_FILE = ".svcgen-preset.toml"
#: The file under the user's config directory that holds their default preset.
USER_PRESET_NAME = "preset.toml"

_TABLES = ("preset", "defaults", "locked")
_PRESET_KEYS = ("name", "description", "source", "sha256")


@dataclass(frozen=True)
class Preset:
    """A validated preset; ``defaults`` and ``locked`` hold answers already converted."""

    name: str
    path: Path | None
    origin: str
    defaults: dict[str, Any] = field(default_factory=dict)
    locked: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    sha256: str = ""
    source: str = ""

    @property
    def label(self) -> str:
        """How messages name the preset: its name and the file it came from."""
        return f"preset {self.name!r} ({self.path})" if self.path else f"preset {self.name!r}"

    def lock(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """``given`` (validated answers) with the locked answers added; refuse a contradiction.

        The preset is an answer source like the others: its locks rank above every other
        source, and its defaults (see :func:`scaffold.answers.resolve`) below the prompts.
        """
        for key, locked in self.locked.items():
            if key in given and given[key] != locked:
                raise UsageError(
                    f"{key}={show(given[key])} contradicts {self.label}, "
                    f"which locks {key}={show(locked)}"
                )
        return {**given, **self.locked}


def user_preset_path() -> Path:
    """The per-user default preset, under the platform's config directory."""
    import platformdirs  # a small import, but only commands that look for a preset pay it

    return platformdirs.user_config_path("svcgen", appauthor=False) / USER_PRESET_NAME


def find_preset(option: Path | None) -> tuple[Path, str] | None:
    """The preset file to use and how it was found, or ``None`` when there is none.

    An explicitly named file (flag or environment) must exist; the user config file is used
    only when present, so that a machine without one behaves exactly like the template.
    """
    if option is not None:
        return option, "--preset"
    from_env = os.environ.get(PRESET_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser(), f"${PRESET_ENV}"
    user = user_preset_path()
    if user.exists():  # a FIFO or directory there is refused when read, not silently skipped
        return user, "user config"
    return None


def load_preset(path: Path, catalogue: Catalogue, origin: str = "--preset") -> Preset:
    """Read and validate a preset file; any problem is a one-line :class:`UsageError`."""
    from scaffold.safefiles import load_toml, read_limited

    try:
        raw = read_limited(path, "preset file")
    except UsageError as exc:
        raise UsageError(f"{exc} (from {origin})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"preset {path} is not UTF-8 text") from None
    data = load_toml(text, f"preset {path}")
    return parse_preset(
        data,
        catalogue,
        path=path,
        origin=origin,
        fallback_name=path.stem,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def parse_preset(
    data: Mapping[str, Any],
    catalogue: Catalogue,
    *,
    path: Path | None,
    origin: str,
    fallback_name: str,
    sha256: str = "",
) -> Preset:
    """Validate a preset's tables against the catalogue (keys, types, choices, validators)."""
    where = f"preset {path}" if path else "preset"
    for table in data:
        if table not in _TABLES:
            raise UsageError(
                f"unknown table or key {table!r} in {where}; use [preset], [defaults], [locked]"
            )
        if not isinstance(data[table], dict):
            raise UsageError(f"{table} in {where} must be a table ([{table}])")
    meta = data.get("preset", {})
    for key, value in meta.items():
        if key not in _PRESET_KEYS:
            raise UsageError(f"unknown key {key!r} in [preset] of {where}")
        if not isinstance(value, str):
            raise UsageError(f"[preset] {key} in {where} must be text, not {value!r}")
    both = sorted(set(data.get("defaults", {})) & set(data.get("locked", {})))
    if both:
        raise UsageError(f"{both[0]} is in both [defaults] and [locked] of {where}; keep one")
    locked = validate(catalogue, data.get("locked", {}), where=f"[locked] of {where}")
    defaults = validate(
        catalogue, data.get("defaults", {}), where=f"[defaults] of {where}", context=locked
    )
    return Preset(
        name=meta.get("name") or fallback_name,
        path=path,
        origin=origin,
        defaults=defaults,
        locked=locked,
        description=meta.get("description", ""),
        sha256=meta.get("sha256") or sha256,
        source=meta.get("source") or (str(path.absolute()) if path else ""),
    )


def discover(option: Path | None, catalogue: Catalogue) -> Preset | None:
    """The preset ``svcgen new`` and ``svcgen preset show`` use, loaded and validated."""
    found = find_preset(option)
    if found is None:
        return None
    path, origin = found
    return load_preset(path, catalogue, origin)


def show(value: Any) -> str:
    """An answer as the user writes it (``true``, not ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Effective:
    """One question's answer before ``svcgen new`` runs, and where it comes from."""

    key: str
    value: Any
    source: str
    required: bool = False


def effective(catalogue: Catalogue, preset: Preset | None) -> list[Effective]:
    """Every askable question's answer without flags or prompts, with its source.

    Jinja defaults (``The {{ name }} service``) are shown as written: they depend on answers
    that only ``svcgen new`` knows.
    """
    rows: list[Effective] = []
    for q in catalogue.askable:
        if preset is not None and q.name in preset.locked:
            rows.append(Effective(q.name, preset.locked[q.name], f"locked by {preset.label}"))
        elif preset is not None and q.name in preset.defaults:
            rows.append(Effective(q.name, preset.defaults[q.name], f"default of {preset.label}"))
        elif q.required:
            rows.append(Effective(q.name, None, "required: no default", required=True))
        else:
            rows.append(Effective(q.name, q.default, "template default (copier.yml)"))
    return rows


# Recording and checking --------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    # A JSON string is a TOML basic string, except that TOML wants DEL escaped too.
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def record_text(preset: Preset) -> str:
    """The normalised copy of ``preset`` kept in a generated service as ``RECORD_FILE``."""
    lines = [
        "# The svcgen preset this service was generated with, recorded by `svcgen new`.",
        "# `svcgen check` reports answers in .copier-answers.yml that contradict [locked];",
        "# sha256 is the hash of the preset file as it was read.",
        "",
        "[preset]",
        f"name = {_toml_value(preset.name)}",
    ]
    if preset.description:
        lines.append(f"description = {_toml_value(preset.description)}")
    if preset.source:
        lines.append(f"source = {_toml_value(preset.source)}")
    if preset.sha256:
        lines.append(f"sha256 = {_toml_value(preset.sha256)}")
    for table, answers in (("defaults", preset.defaults), ("locked", preset.locked)):
        lines += ["", f"[{table}]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in answers.items()]
    return "\n".join(lines) + "\n"


def read_recorded(service: Path, catalogue: Catalogue) -> Preset | None:
    """The preset recorded in a generated service, or ``None`` when it was made without one."""
    path = service / RECORD_FILE
    if not path.is_file():
        return None
    preset = load_preset(path, catalogue, origin="recorded")
    return replace(preset, path=path)


@dataclass(frozen=True)
class Contradiction:
    """A service answer that differs from a locked preset answer (``found`` None: missing)."""

    key: str
    locked: Any
    found: Any
    preset: str

    def __str__(self) -> str:
        found = "has no answer" if self.found is None else f"has {self.key}={show(self.found)}"
        locks = f"{self.key}={show(self.locked)}"
        return f"{self.key}: the service {found}, but {self.preset} locks {locks}"


def contradictions(
    answers: Mapping[str, Any], preset: Preset, catalogue: Catalogue
) -> list[Contradiction]:
    """The service's answers that contradict the preset's locked answers, in preset order.

    ``answers`` are a service's ``.copier-answers.yml`` (copier's ``_`` keys are ignored). An
    answer is converted with its question before comparing, so ``"true"`` equals ``true``; a
    locked question the service has no answer for is reported too, since nothing shows that
    the service follows the rule.
    """
    found: list[Contradiction] = []
    for key, locked in preset.locked.items():
        if key not in answers or answers[key] is None:
            found.append(Contradiction(key, locked, None, preset.label))
            continue
        try:
            value = catalogue[key].coerce(answers[key]) if key in catalogue else answers[key]
        except UsageError:
            value = answers[key]
        if value != locked:
            found.append(Contradiction(key, locked, value, preset.label))
    return found


def service_contradictions(
    service: Path, catalogue: Catalogue, preset: Preset | None = None
) -> list[Contradiction]:
    """Check a generated service against ``preset``, else against the preset it recorded.

    This is the preset part of ``svcgen check``: CI passes the team's current preset (or sets
    ``SVCGEN_PRESET``); without one, the service's own ``RECORD_FILE`` is the reference, and a
    service made without any preset has nothing to contradict.
    """
    reference = preset if preset is not None else read_recorded(service, catalogue)
    if reference is None:
        return []
    return contradictions(read_answers(service), reference, catalogue)


# svcgen preset init ------------------------------------------------------------------------


def init_text(catalogue: Catalogue) -> str:
    """A preset file documenting every question of ``copier.yml``, all of them commented out.

    As written it changes nothing (it reads as an empty preset); a team uncomments the lines it
    wants under [defaults] or moves them under [locked].
    """
    lines = [
        "# svcgen preset: answers a team decides once for every `svcgen new`.",
        "#",
        "# [defaults] replace the template's defaults; a prompt, --data or a flag may change them.",
        "# [locked]   are never prompted; svcgen new refuses a flag, --data or answers file value",
        "#            that contradicts one, and `svcgen check` reports a service that does.",
        "# Precedence: flag > prompt > preset default > template default; locked beats all.",
        "#",
        "# Use it with `svcgen new NAME --preset FILE`, or without a flag through",
        f"# ${PRESET_ENV}=FILE or {user_preset_path()}.",
        "# `svcgen preset show --preset FILE` prints the answers it gives and where each is from.",
        "",
        "[preset]",
        '# name = "my-team"           # shown in messages; the file name otherwise',
        '# description = "How my team builds services"',
        "",
        "[defaults]",
    ]
    for q in catalogue.askable:
        lines.append("")
        lines.append(f"# {q.help or q.name} ({q.type})")
        if q.choices:
            lines.append("#   one of: " + ", ".join(_toml_value(v) for v in q.choice_values))
        if q.required:
            lines.append(f"# {q.name} = ...                # no template default")
        else:
            lines.append(f"# {q.name} = {_toml_value(q.default)}")
    lines += [
        "",
        "[locked]",
        "# Move a line here to make it a rule, e.g.:",
    ]
    for q in catalogue.askable:
        if q.choices:
            lines.append(f"# {q.name} = {_toml_value(q.default or q.choice_values[0])}")
    return "\n".join(lines) + "\n"
