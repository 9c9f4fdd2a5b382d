"""Named Python actions that flows call with ``action: NAME``.

An action is a mechanism, never words: the text it sends comes from its YAML ``args``.
It gets an :class:`ActionContext` and returns an :class:`ActionResult`. The registry
tells the validator which actions exist and which variables each one sets.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from bot.core.mentoring import PeerDesk
from bot.core.records import Record
from bot.core.roles import Redeemed
from bot.core.state import ConversationState
from bot.core.stored import AchievementRow, PersonExport, PurposeRow, RatingRow
from bot.engine.events import Reply
from bot.engine.model import FlowSet
from bot.engine.render import Renderer


class PersonReader(Protocol):
    """Read access to what is stored about the current person (bound by the service)."""

    async def achievements(self, limit: int | None = None) -> list[AchievementRow]:
        """The person's wins, newest first (``limit`` of them, or all)."""

    async def ratings(self, limit: int | None = None) -> list[RatingRow]:
        """The person's confidence ratings, newest first."""

    async def purposes(self) -> list[PurposeRow]:
        """The person's purposes, the active one first."""

    async def export(self) -> PersonExport | None:
        """Everything stored about the person, for /mydata."""

    async def roles(self) -> frozenset[str]:
        """The roles the person holds (``person`` always among them)."""
        ...

    def peers(self) -> PeerDesk:
        """The mentoring desk for the person (bot.core.mentoring)."""
        ...

    async def redeem_invite(self, code: str) -> Redeemed:
        """Use an invitation code for the person: the one write a reader makes, in its own
        small transaction, since a role is granted whether or not the turn is kept."""
        ...


@dataclass(frozen=True)
class Effect:
    """Something the service does after the turn is committed, e.g. ``delete_person``."""

    name: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ActionContext:
    """What an action gets: the state, its args, the time, the flows and the person's records."""

    state: ConversationState
    args: Mapping[str, Any]
    now: datetime
    flows: FlowSet
    reader: PersonReader
    render: Renderer
    rng: random.Random

    def text(self, name: str, extra: Mapping[str, Any] | None = None) -> str:
        """Render the YAML argument ``name`` in the person's language."""
        return self.render.raw(self.args.get(name, ""), key=None, extra=extra)


@dataclass
class ActionResult:
    """What an action gives back: variables, replies, records, effects and its outcome."""

    vars: dict[str, Any] = field(default_factory=dict)
    clear: tuple[str, ...] = ()
    replies: list[Reply] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    outcome: str | None = None


ActionFunc = Callable[[ActionContext], Awaitable[ActionResult]]
Default = TypeVar("Default", int, None)


def as_int(value: object, default: Default) -> int | Default:
    """A stored or typed value as a whole number (" 7" -> 7), or ``default``."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class ActionSpec:
    """A registered action: the variables it sets and, if declared, the outcomes it returns
    (None: not declared, so ``on:`` under it is not checked)."""

    name: str
    func: ActionFunc
    provides: frozenset[str]
    outcomes: frozenset[str] | None = None


class ActionRegistry:
    """Actions by name. ``register`` is a decorator."""

    def __init__(self) -> None:
        self._actions: dict[str, ActionSpec] = {}

    def register(self, name: str, provides: tuple[str, ...] = (),
                 outcomes: tuple[str, ...] | None = None
                 ) -> Callable[[ActionFunc], ActionFunc]:
        """Decorator: register an action with the variables it sets and the outcomes it returns."""
        declared = None if outcomes is None else frozenset(outcomes)

        def decorate(func: ActionFunc) -> ActionFunc:
            if name in self._actions:
                raise ValueError(f"action '{name}' is registered twice")
            self._actions[name] = ActionSpec(name, func, frozenset(provides), declared)
            return func

        return decorate

    def get(self, name: str) -> ActionSpec | None:
        """The registered action called ``name``, or None."""
        return self._actions.get(name)

    def known(self) -> dict[str, frozenset[str]]:
        """Every action's name with the variables it sets, for the validator."""
        return {name: spec.provides for name, spec in self._actions.items()}

    def outcomes(self) -> dict[str, frozenset[str]]:
        """The outcomes each action declares it can return (actions that declare them)."""
        return {name: spec.outcomes for name, spec in self._actions.items()
                if spec.outcomes is not None}
