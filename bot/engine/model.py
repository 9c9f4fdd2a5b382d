"""Flows as frozen dataclasses, made by the loader from YAML and run by the runner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.engine.classify import TextClassifier


@dataclass(frozen=True)
class Text:
    """Words in one or more languages, each with one or more variants."""

    variants: Mapping[str, tuple[str, ...]]
    line: int = 0

    def for_language(self, language: str, fallback: str) -> tuple[str, ...]:
        """The variants in ``language``, else in ``fallback``, else in any language."""
        return self.variants.get(language) or self.variants.get(fallback) or next(
            iter(self.variants.values())
        )


@dataclass(frozen=True)
class Validation:
    """The limits on a typed answer: its length, or that it is a number in a range."""

    min_length: int = 1
    max_length: int = 2000
    number: bool = False
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class ChoiceOption:
    """One option of a choose step: its label, the value kept, where it leads."""

    label: Text
    value: str
    next: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Condition:
    """A parsed condition: ``op`` is one of the condition kinds, ``args`` its operands."""

    op: str
    args: Mapping[str, Any]
    children: tuple[Condition, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Case:
    """One case of a branch: when the condition holds, go to ``next``."""

    when: Condition
    next: str
    line: int = 0


@dataclass(frozen=True)
class Step:
    """Base of every step: its id, its line, and where to go after it."""

    id: str
    line: int
    next: str | None
    # Where ``next:`` is written, so a wrong target is reported on its own line.
    next_line: int = field(default=0, kw_only=True, compare=False)


@dataclass(frozen=True)
class Say(Step):
    """A ``say:`` step: send a message and go on."""

    text: Text


@dataclass(frozen=True)
class Ask(Step):
    """An ``ask:`` step: a question whose typed answer goes into a variable."""

    text: Text
    into: str
    validation: Validation = Validation()
    invalid: Text | None = None
    # Classifier name -> step: an answer it recognises goes there instead of into ``into``.
    # The reserved name ``crisis`` (CRISIS_ANSWER) is the safety net's own detection, and
    # that answer IS put into ``into``: the flow takes care of it (see runner.on_text).
    on: Mapping[str, str] = field(default_factory=dict)


CRISIS_ANSWER = "crisis"


@dataclass(frozen=True)
class Choose(Step):
    """A ``choose:`` step: a question with options (buttons, or typed)."""

    text: Text
    options: tuple[ChoiceOption, ...]
    into: str | None = None
    invalid: Text | None = None
    # Classifier name -> step, for typed text that is none of the options.
    on: Mapping[str, str] = field(default_factory=dict)
    # Typed text that is none of the options (nor a classifier's) is the answer itself:
    # for a message that asks something in words as well as offering buttons.
    free: bool = False


@dataclass(frozen=True)
class Branch(Step):
    """A ``branch:`` step: go to the first case whose condition holds."""

    cases: tuple[Case, ...]
    otherwise: str | None = None


@dataclass(frozen=True)
class SetVars(Step):
    """A ``set:`` step: store values (templates allowed) and clear others."""

    values: Mapping[str, Any]
    clear: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordStep(Step):
    """A ``record:`` step: keep a win, a rating or a purpose."""

    kind: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class CallAction(Step):
    """An ``action:`` step: run a named Python action; its outcome may choose the next step."""

    action: str
    args: Mapping[str, Any] = field(default_factory=dict)
    on: Mapping[str, str] = field(default_factory=dict)
    # Where each outcome under ``on:`` is written, so an unknown one is reported there.
    on_lines: Mapping[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Goto(Step):
    """A ``goto:`` step: jump to another step, or start another flow."""

    step: str | None = None
    flow: str | None = None


@dataclass(frozen=True)
class End(Step):
    """An ``end:`` step: say the optional words and finish the flow."""

    text: Text | None = None


@dataclass(frozen=True)
class Resume(Step):
    """Go back to the position an interrupting flow (such as safety) stepped in on."""

    text: Text | None = None


@dataclass(frozen=True)
class Triggers:
    """What starts a flow: its commands and its keywords."""

    commands: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)  # where the commands are listed


@dataclass(frozen=True)
class Flow:
    """One flow as loaded: its steps, first step, triggers and who may run it."""

    name: str
    file: str
    line: int
    steps: Mapping[str, Step]
    first: str
    triggers: Triggers = Triggers()
    interrupt: bool = False
    menu: Text | None = None
    description: str = ""
    open: bool = False  # may run before the person has given consent
    # Who may run it (bot.core.roles); empty: everyone. ``person`` is held by everyone.
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Consent:
    """Flows that are not ``open`` run only once ``variable`` equals ``value``;
    before that, a person who asks for one is taken to ``flow`` instead, and nothing is
    kept about them but ``variable`` and the variables named in ``keep``."""

    variable: str
    value: str
    flow: str
    keep: tuple[str, ...] = ("language",)


@dataclass(frozen=True)
class FlowSet:
    """Every flow plus the system messages, languages and content they use."""

    flows: Mapping[str, Flow]
    messages: Mapping[str, Text]
    languages: Mapping[str, str]
    default_language: str = "en"
    content: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    consent: Consent | None = None
    classifiers: Mapping[str, TextClassifier] = field(default_factory=dict)
    # Deployment contacts (helplines, the programme), used in texts as {contact_NAME}.
    contacts: Mapping[str, Text] = field(default_factory=dict)
    # The same, ready per language ({language: {"contact_NAME": text}}): read every step.
    contact_variables: Mapping[str, Mapping[str, str]] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        ready = {language: {f"contact_{name}": text.for_language(language,
                                                                 self.default_language)[0]
                            for name, text in self.contacts.items()}
                 for language in self.languages}
        object.__setattr__(self, "contact_variables", ready)

    def by_command(self, command: str) -> Flow | None:
        """The flow a command starts, or None."""
        for flow in self.flows.values():
            if command in flow.triggers.commands:
                return flow
        return None

    def menu_commands(self) -> list[tuple[str, Text]]:
        """(command, description) for flows that put themselves in the command menu."""
        return [
            (flow.triggers.commands[0], flow.menu)
            for flow in self.flows.values()
            if flow.menu is not None and flow.triggers.commands
        ]
