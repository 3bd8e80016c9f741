"""The questions svcgen asks, read from the template's ``copier.yml`` at run time.

``copier.yml`` is the only place a question, its choices, default or validator is written. This
module turns it into :class:`Question` objects so that the CLI's prompts, its flags' allowed
values, ``svcgen list`` and answer validation all follow the template, and never restate it.
Defaults, ``when`` conditions and validators are Jinja, rendered with the same filters copier
uses, so an answer svcgen accepts is one copier accepts too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from scaffold.errors import SvcgenError, UsageError

_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}


@dataclass(frozen=True)
class Choice:
    """One allowed value of a question, with the label shown when prompting."""

    value: Any
    label: str


@dataclass(frozen=True)
class Question:
    """One entry of ``copier.yml`` that is not a ``_setting``."""

    name: str
    type: str = "str"
    help: str = ""
    default: Any = None
    choices: tuple[Choice, ...] = ()
    validator: str | None = None
    when: Any = True
    secret: bool = False

    @property
    def computed(self) -> bool:
        """True for a value derived from other answers (``when: false``): never asked or set."""
        return self.when is False

    @property
    def required(self) -> bool:
        """True when the question has no default, so an answer must be given."""
        return self.default is None

    @property
    def choice_values(self) -> list[Any]:
        return [choice.value for choice in self.choices]

    def coerce(self, raw: Any) -> Any:
        """Convert a raw answer (a ``--data`` string or a YAML value) to this question's type.

        Raises :class:`UsageError` with a one-line reason when it cannot be converted or is not
        among the choices.
        """
        value = raw
        if self.type == "bool":
            if isinstance(raw, bool):
                value = raw
            elif str(raw).strip().lower() in _TRUE:
                value = True
            elif str(raw).strip().lower() in _FALSE:
                value = False
            else:
                raise UsageError(f"{self.name} must be true or false, not {raw!r}")
        elif self.type == "int":
            try:
                value = int(raw)
            except (TypeError, ValueError):
                raise UsageError(f"{self.name} must be a whole number, not {raw!r}") from None
        elif self.type == "float":
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise UsageError(f"{self.name} must be a number, not {raw!r}") from None
        elif self.type == "str":
            if isinstance(raw, bool) or not isinstance(raw, str | int | float):
                raise UsageError(f"{self.name} must be text, not {raw!r}")
            value = str(raw)
        if self.choices and value not in self.choice_values:
            allowed = ", ".join(str(v) for v in self.choice_values)
            raise UsageError(f"{self.name} must be one of {allowed}, not {raw!r}")
        return value


def _parse_choices(raw: Any) -> tuple[Choice, ...]:
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        return tuple(Choice(value=value, label=str(label)) for label, value in raw.items())
    return tuple(Choice(value=value, label=str(value)) for value in raw)


@dataclass
class Catalogue:
    """All questions of a template, in the order ``copier.yml`` lists them."""

    root: Path
    settings: dict[str, Any]
    questions: list[Question] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path) -> Catalogue:
        """Read ``root/copier.yml``."""
        import yaml  # here, so that `svcgen --help` never pays for it

        path = root / "copier.yml"
        try:
            with path.open(encoding="utf-8") as stream:
                data = yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SvcgenError(f"the svcgen template is broken: {path}: {reason}") from None
        if not isinstance(data, dict):
            raise SvcgenError(f"the svcgen template is broken: {path} holds no questions")
        settings = {k: v for k, v in data.items() if k.startswith("_")}
        questions = [
            Question(
                name=key,
                type=str(spec.get("type", "str")),
                help=str(spec.get("help", "")),
                default=spec.get("default"),
                choices=_parse_choices(spec.get("choices")),
                validator=spec.get("validator"),
                when=spec.get("when", True),
                secret=bool(spec.get("secret", False)),
            )
            for key, spec in data.items()
            if not key.startswith("_")
        ]
        return cls(root=root, settings=settings, questions=questions)

    def __getitem__(self, name: str) -> Question:
        for question in self.questions:
            if question.name == name:
                return question
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(question.name == name for question in self.questions)

    @property
    def askable(self) -> list[Question]:
        """The questions a user answers (computed ones are left out)."""
        return [q for q in self.questions if not q.computed]

    # Rendering of defaults, conditions and validators ------------------------------------

    @cached_property
    def _jinja(self) -> Any:
        # Imported here: `svcgen --help` and `svcgen list` never render anything.
        from jinja2.sandbox import SandboxedEnvironment

        from scaffold import jinja_cache

        extensions = ["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]
        extensions += list(self.settings.get("_jinja_extensions", []))
        return jinja_cache.attach(SandboxedEnvironment(extensions=extensions))

    def render(self, text: str, context: Mapping[str, Any]) -> str:
        """Render a Jinja string from ``copier.yml`` with the answers given so far."""
        return str(self._jinja.from_string(text).render(**context)).strip()

    def default_for(self, question: Question, context: Mapping[str, Any]) -> Any:
        """The question's default, rendered when it is a Jinja string."""
        default = question.default
        if isinstance(default, str) and "{" in default:
            return question.coerce(self.render(default, context))
        return default

    def is_enabled(self, question: Question, context: Mapping[str, Any]) -> bool:
        """Whether copier would ask the question, given the answers so far."""
        when = question.when
        if isinstance(when, str):
            return self.render(when, context).lower() not in {"", "false", "no", "0", "none"}
        return bool(when)

    def problem_with(self, question: Question, value: Any, context: Mapping[str, Any]) -> str:
        """The validator's reason for refusing ``value``, or an empty string when it is fine."""
        if not question.validator:
            return ""
        return self.render(question.validator, {**context, question.name: value})
