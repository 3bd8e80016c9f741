"""The answers for a service: where each comes from, and the one check they all pass.

``svcgen new`` gathers answers from, in order of precedence: a team preset's locked answers,
the command line (the NAME argument, ``--framework``/``--db`` and ``--data KEY=VALUE``), an
answers file, prompts, the preset's defaults and the defaults in ``copier.yml``
(:func:`gather`). Every answer, whatever its source and whichever command takes it (``new``,
``update --data``, a preset file), goes through :func:`validate`: known key, settable,
converted to its question's type, among its choices, accepted by its ``copier.yml`` validator.
So rendering never starts with an answer copier would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.catalogue import Catalogue, Question
from scaffold.errors import UsageError

if TYPE_CHECKING:
    from scaffold.presets import Preset
    from scaffold.service import Service

#: Asks one question interactively: (question, default, answers so far) -> answer.
Asker = Callable[[Question, Any, Mapping[str, Any]], Any]

#: Questions that have a flag of their own on ``svcgen new``; every other one is --data.
FLAGS = {"framework": "--framework", "db": "--db"}


class MissingAnswer(UsageError):
    """A question without a default got no answer and could not be asked."""

    def __init__(self, question: Question) -> None:
        self.question = question
        flag = FLAGS.get(question.name, f"--data {question.name}=VALUE")
        hint = ""
        if question.choices:
            hint = f" ({', '.join(str(v) for v in question.choice_values)})"
        super().__init__(f"{question.name} is required: pass {flag}{hint}")


def check_settable(catalogue: Catalogue, key: str, where: str) -> None:
    """Refuse a key that is not a question, or is derived from other answers."""
    if key not in catalogue:
        known = ", ".join(q.name for q in catalogue.askable)
        raise UsageError(f"unknown key {key!r} in {where}; known keys: {known}")
    if catalogue[key].computed:
        raise UsageError(f"{key} is derived from other answers and cannot be set in {where}")


def validate(
    catalogue: Catalogue,
    answers: Mapping[str, Any],
    *,
    where: str = "",
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Convert and check ``answers``; return them converted, in ``copier.yml`` order.

    ``where`` names the source in messages (``--data``, ``[locked] of preset X``); ``context``
    holds answers given elsewhere that the validators may read (a service's other answers).
    Questions are taken in catalogue order, each validated with the answers before it and the
    derived values (``when: false``) computed from them, as copier does.
    """
    for key in answers:
        check_settable(catalogue, key, where or "the answers")
    suffix = f" (in {where})" if where else ""
    scope: dict[str, Any] = dict(context or {})
    checked: dict[str, Any] = {}
    for question in catalogue.questions:
        if question.name not in answers:
            if question.computed:
                scope[question.name] = catalogue.default_for(question, scope)
            continue
        try:
            value = question.coerce(answers[question.name])
        except UsageError as exc:
            raise UsageError(f"{exc}{suffix}") from None
        problem = catalogue.problem_with(question, value, scope)
        if problem:
            prefix = "" if question.name in problem or not where else f"{question.name}: "
            raise UsageError(f"{prefix}{problem}{suffix}")
        scope[question.name] = checked[question.name] = value
    return checked


def parse_data(pairs: Iterable[str], catalogue: Catalogue) -> dict[str, str]:
    """Turn ``--data KEY=VALUE`` options into a mapping, refusing unknown keys."""
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--data takes KEY=VALUE, not {pair!r}")
        check_settable(catalogue, key, "--data")
        data[key] = value
    return data


def read_answers_file(path: Path, catalogue: Catalogue) -> dict[str, Any]:
    """Read a YAML answers file (a ``.copier-answers.yml`` from another service works too).

    Keys starting with ``_`` are copier's bookkeeping and are ignored.
    """
    from scaffold.safefiles import load_yaml, read_limited

    raw = read_limited(path, "answers file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot read answers file {path}: {exc}") from None
    import yaml

    try:
        data = load_yaml(text, f"answers file {path}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"answers file {path} is not valid YAML{where}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"answers file {path} must hold a mapping of question: answer")
    answers: dict[str, Any] = {}
    for key, value in data.items():
        key = str(key)
        if key.startswith("_"):
            continue
        check_settable(catalogue, key, f"answers file {path}")
        answers[key] = value
    return answers


def gather(
    catalogue: Catalogue,
    *,
    flags: Mapping[str, str | None],
    data: Iterable[str] = (),
    answers_file: Path | None = None,
    preset: Preset | None = None,
    ask: Asker | None = None,
    ask_all: bool = True,
) -> dict[str, Any]:
    """Every answer ``svcgen new`` renders with, from every source, by precedence.

    The given answers (flags, ``--data``, answers file, the preset's locks) are validated
    before any prompt, so a typo is reported before the user answers anything; the rest are
    asked (all of them unless ``ask_all`` is false: then only those without a default) or take
    the preset's default, else the template's.
    """
    given: dict[str, Any] = {}
    if answers_file is not None:
        given.update(read_answers_file(answers_file, catalogue))
    given.update(parse_data(data, catalogue))
    for key, value in flags.items():
        if value is None:
            continue
        if key in FLAGS and key in given and str(given[key]) != value:
            raise UsageError(f"{FLAGS[key]} {value} contradicts --data {key}={given[key]}")
        given[key] = value
    given = validate(catalogue, given)
    defaults: Mapping[str, Any] = {}
    if preset is not None:
        given = preset.lock(given)
        defaults = preset.defaults
    return resolve(catalogue, given, defaults=defaults, ask=ask, ask_all=ask_all)


def resolve(
    catalogue: Catalogue,
    given: Mapping[str, Any],
    *,
    defaults: Mapping[str, Any] | None = None,
    ask: Asker | None = None,
    ask_all: bool = True,
) -> dict[str, Any]:
    """Answer every question, in ``copier.yml`` order, and return the user-facing answers.

    ``given`` answers are taken as they are (validated by the caller). A question without one
    is asked through ``ask`` when there is one (only those without a default unless
    ``ask_all``), else takes its default: from ``defaults`` (literal values, e.g. a preset's,
    never rendered as Jinja), else the template's. One with neither raises
    :class:`MissingAnswer`.
    """
    defaults = defaults or {}
    context: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    for question in catalogue.questions:
        if question.computed or not catalogue.is_enabled(question, context):
            context[question.name] = catalogue.default_for(question, context)
            continue
        required = question.required and question.name not in defaults
        if question.name in given:
            value = given[question.name]
        elif ask is not None and (ask_all or required):
            default = None if required else _default(catalogue, question, defaults, context)
            value = ask(question, default, context)
        elif not required:
            value = _default(catalogue, question, defaults, context)
        else:
            raise MissingAnswer(question)
        context[question.name] = answers[question.name] = value
    return answers


def _default(
    catalogue: Catalogue,
    question: Question,
    defaults: Mapping[str, Any],
    context: Mapping[str, Any],
) -> Any:
    if question.name in defaults:
        return defaults[question.name]
    return catalogue.default_for(question, context)


def validate_recorded(service: Service, catalogue: Catalogue) -> None:
    """Refuse (exit 2) a service whose recorded answers no update could use.

    The committed answers go through the same :func:`scaffold.answers.validate` as every
    other answer, before any message names them, so neither ``check`` nor ``update`` calls a
    service with ``framework: ../../etc`` up to date or prints a ``name`` holding a newline.
    """
    from scaffold.service import ANSWERS_FILE

    recorded = {
        key: value
        for key, value in service.user_answers.items()
        if key in catalogue and not catalogue[key].computed
    }
    where = f"{ANSWERS_FILE} of {service.path}"
    validate(catalogue, recorded, where=where)
    # git's transports that run a command ("ext::...") or name one ("fd::") are never a
    # template's address, whatever a committed answers file says.
    source = service.answers.get("_src_path")
    if not isinstance(source, str) or "::" in source:
        raise UsageError(f"{where}: _src_path is not a template address: {str(source)[:100]!r}")
