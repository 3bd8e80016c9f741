"""Collect the answers for a new service and check them before anything is written.

Answers come from the command line (the NAME argument, ``--framework``/``--db`` and
``--data KEY=VALUE``), from an answers file, from prompts, or from the defaults in
``copier.yml``, in that order of precedence. Every answer, whatever its source, is converted to
its question's type and checked against its choices and validator here, so rendering never
starts with an answer copier would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from scaffold.catalogue import Catalogue, Question
from scaffold.errors import UsageError

#: Asks one question interactively: (question, default, answers so far) -> answer.
Asker = Callable[[Question, Any, Mapping[str, Any]], Any]


class MissingAnswer(UsageError):
    """A question without a default got no answer and could not be asked."""

    def __init__(self, question: Question) -> None:
        self.question = question
        super().__init__(f"no answer for {question.name}")


def _check_settable(catalogue: Catalogue, key: str, where: str) -> None:
    if key not in catalogue:
        known = ", ".join(q.name for q in catalogue.askable)
        raise UsageError(f"unknown key {key!r} in {where}; known keys: {known}")
    if catalogue[key].computed:
        raise UsageError(f"{key} is derived from other answers and cannot be set in {where}")


def parse_data(pairs: Iterable[str], catalogue: Catalogue) -> dict[str, str]:
    """Turn ``--data KEY=VALUE`` options into a mapping, refusing unknown keys."""
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--data takes KEY=VALUE, not {pair!r}")
        _check_settable(catalogue, key, "--data")
        data[key] = value
    return data


def read_answers_file(path: Path, catalogue: Catalogue) -> dict[str, Any]:
    """Read a YAML answers file (a ``.copier-answers.yml`` from another service works too).

    Keys starting with ``_`` are copier's bookkeeping and are ignored.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"answers file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read answers file {path}: {exc}") from None
    try:
        data = yaml.safe_load(text)
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
        _check_settable(catalogue, key, f"answers file {path}")
        answers[key] = value
    return answers


def resolve(
    catalogue: Catalogue,
    given: Mapping[str, Any],
    *,
    ask: Asker | None = None,
    ask_all: bool = True,
) -> dict[str, Any]:
    """Answer every question, in ``copier.yml`` order, and return the user-facing answers.

    ``given`` answers are converted and validated. A question without a given answer is asked
    through ``ask`` when there is one (only the required ones unless ``ask_all``), else takes
    its default; one with neither raises :class:`MissingAnswer`.
    """
    context: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    for question in catalogue.questions:
        enabled = catalogue.is_enabled(question, context)
        if question.computed or not enabled:
            context[question.name] = catalogue.default_for(question, context)
            continue
        if question.name in given:
            value = question.coerce(given[question.name])
            problem = catalogue.problem_with(question, value, context)
            if problem:
                raise UsageError(problem)
        elif ask is not None and (ask_all or question.required):
            default = None if question.required else catalogue.default_for(question, context)
            value = ask(question, default, context)
        elif not question.required:
            value = catalogue.default_for(question, context)
        else:
            raise MissingAnswer(question)
        context[question.name] = answers[question.name] = value
    return answers
