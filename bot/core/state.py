"""A person's conversation state: where they are and what they told us.

The state is a frozen value. The engine never mutates it; it returns a new one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Position:
    """A place in a flow: the step to go back to when an interrupting flow ends."""

    flow: str
    step: str


@dataclass(frozen=True)
class ConversationState:
    """Everything the engine needs to resume a person, exactly where they were.

    ``vars`` holds the person's own data (name, purpose, language, settings).
    ``stack`` holds positions interrupted by another flow, so it can resume them.
    ``prompt`` counts the questions asked with options, so a stale button can be told apart.
    ``counts`` keeps running totals (achievements, ratings) for branch conditions.
    ``memory`` keeps small bookkeeping such as the last text variant used per step.
    """

    flow: str | None = None
    step: str | None = None
    vars: Mapping[str, Any] = field(default_factory=dict)
    stack: tuple[Position, ...] = ()
    prompt: int = 0
    retries: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)
    memory: Mapping[str, Any] = field(default_factory=dict)
    turn: int = 0

    @property
    def position(self) -> Position | None:
        """Where the person is now, or None when they are in no flow."""
        if self.flow is None or self.step is None:
            return None
        return Position(self.flow, self.step)

    def with_vars(self, **changes: Any) -> ConversationState:
        """A copy with some of the person's data added or replaced; this one is untouched."""
        merged = dict(self.vars)
        merged.update(changes)
        return replace(self, vars=merged)

    def to_json(self) -> str:
        """The compact text the storage keeps; ``from_json`` reads it back unchanged."""
        return json.dumps(
            {
                "flow": self.flow,
                "step": self.step,
                "vars": dict(self.vars),
                "stack": [[p.flow, p.step] for p in self.stack],
                "prompt": self.prompt,
                "retries": self.retries,
                "counts": dict(self.counts),
                "memory": dict(self.memory),
                "turn": self.turn,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> ConversationState:
        """Rebuild a stored state; fields missing from older rows take their defaults."""
        raw = json.loads(text)
        return cls(
            flow=raw.get("flow"),
            step=raw.get("step"),
            vars=raw.get("vars", {}),
            stack=tuple(Position(f, s) for f, s in raw.get("stack", [])),
            prompt=raw.get("prompt", 0),
            retries=raw.get("retries", 0),
            counts=raw.get("counts", {}),
            memory=raw.get("memory", {}),
            turn=raw.get("turn", 0),
        )
