"""Interactive questions in a terminal, built from the catalogue with questionary.

Choices become a select list, booleans a yes/no confirm, everything else a text field that runs
the question's own validator as you type. Ctrl-C raises ``KeyboardInterrupt`` before anything
has been written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scaffold.catalogue import Catalogue, Question


def make_asker(catalogue: Catalogue) -> Any:
    """Return an ``Asker`` (see :mod:`scaffold.answers`) that prompts on the terminal."""
    import questionary  # only a terminal session pays for importing prompt_toolkit

    def ask(question: Question, default: Any, context: Mapping[str, Any]) -> Any:
        message = question.help or question.name
        if question.choices:
            options = [
                questionary.Choice(title=choice.label, value=choice.value)
                for choice in question.choices
            ]
            prompt = questionary.select(
                message, choices=options, default=default if default is not None else None
            )
        elif question.type == "bool":
            prompt = questionary.confirm(message, default=bool(default))
        else:

            def validate(text: str) -> bool | str:
                try:
                    value = question.coerce(text)
                except Exception as exc:  # coerce raises UsageError with the reason
                    return str(exc)
                return catalogue.problem_with(question, value, context) or True

            prompt_type = questionary.password if question.secret else questionary.text
            prompt = prompt_type(
                message,
                default="" if default is None else str(default),
                validate=validate,
            )
        answer = prompt.unsafe_ask()  # raises KeyboardInterrupt on Ctrl-C
        return question.coerce(answer)

    return ask
