"""The registry of step kinds: each kind says in one place how it is parsed, run and checked.

A flow step is a mapping with exactly one kind key (``say:``, ``ask:``, ``action:``...).
The parser, the step runner and the validator know no kind by name: they look the kind up
here. A new kind is one module that defines its step (a :class:`~bot.engine.model.Step`
subclass), its :class:`StepKind`, and calls :func:`register`; the built-in kinds are
registered the same way by :mod:`bot.engine.builtin_kinds`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.engine.model import FlowSet, Step, Text

if TYPE_CHECKING:
    from bot.engine.model import Flow
    from bot.engine.parse import Parser
    from bot.engine.steps import StepRunner
    from bot.engine.yamlsource import LineDict

S = TypeVar("S", bound=Step)

# What a kind's ``run`` returns when the flow waits for the person (a question was asked).
WAIT: Any = object()


@dataclass(frozen=True)
class StepSource:
    """One step as written, for a kind's ``parse``: ``value`` is what follows the kind's
    key (on line ``at``), ``next`` the step that follows (written, or the next in the
    file), ``where`` how problems name the step."""

    step_id: str
    raw: LineDict
    value: Any
    at: int
    next: str | None
    where: str


@dataclass(frozen=True)
class CheckContext:
    """What a kind's extra checks may look at: the whole flow set, the registered actions
    (name -> variables they set; None when unknown), and each action's outcomes.
    ``complete`` is False when some files failed to load (cross-flow checks skip)."""

    flow: Flow
    flowset: FlowSet
    known_actions: Mapping[str, frozenset[str]] | None
    action_outcomes: Mapping[str, frozenset[str]]
    complete: bool


def _nothing(*_: Any) -> Iterator[Any]:
    return iter(())


@dataclass(frozen=True)
class StepKind(Generic[S]):
    """One kind of step, everything about it.

    ``parse(parser, source)`` builds the step (or reports problems and returns None);
    ``run(runner, flow, step)`` executes it and returns the next step id, a Flow to
    start, None (the flow ends) or :data:`WAIT`; ``keys`` are the other keys allowed
    beside the kind's own. For the validator: ``targets`` (step names it can go to,
    besides ``next``, with their lines), ``texts`` (texts to check for variables),
    ``uses`` (variables read, with lines), ``sets`` (variables written; gets the
    actions' variables) and ``check`` (anything else, as (line, message)).
    ``follows_next`` False: the kind never goes on to a next step (goto, end).
    """

    name: str
    step_type: type[S]
    parse: Callable[[Parser, StepSource], S | None]
    run: Callable[[StepRunner, Flow, S], Awaitable[Any]]
    keys: frozenset[str] = frozenset({"next"})
    follows_next: bool = True
    targets: Callable[[S], Iterable[tuple[str, int]]] = _nothing
    texts: Callable[[S], Iterable[tuple[str, Text]]] = _nothing
    uses: Callable[[S], Iterable[tuple[str, int]]] = _nothing
    sets: Callable[[S, Mapping[str, frozenset[str]]], Iterable[str]] = _nothing
    check: Callable[[S, CheckContext], Iterable[tuple[int, str]]] = _nothing


_BY_NAME: dict[str, StepKind[Any]] = {}
_BY_TYPE: dict[type[Step], StepKind[Any]] = {}
_BUILTINS_LOADED = False


def register(kind: StepKind[Any]) -> None:
    """Make ``kind`` available to every flow loaded from now on (one name, one type)."""
    if kind.name in _BY_NAME or kind.step_type in _BY_TYPE:
        raise ValueError(f"step kind '{kind.name}' is already registered")
    _BY_NAME[kind.name] = kind
    _BY_TYPE[kind.step_type] = kind


def unregister(name: str) -> None:
    """Forget a kind (for tests that register a toy one)."""
    kind = _BY_NAME.pop(name)
    del _BY_TYPE[kind.step_type]


def _load_builtins() -> None:
    global _BUILTINS_LOADED
    if not _BUILTINS_LOADED:
        _BUILTINS_LOADED = True
        # Imported here, not at the top: the built-in kinds import the parser and the
        # step runner, which import this registry.
        import bot.engine.builtin_kinds  # noqa: F401


def kinds() -> Mapping[str, StepKind[Any]]:
    """Every registered kind by its YAML key, in registration order."""
    _load_builtins()
    return _BY_NAME


def kind_of(step: Step) -> StepKind[Any]:
    """The kind a parsed step belongs to."""
    _load_builtins()
    return _BY_TYPE[type(step)]
