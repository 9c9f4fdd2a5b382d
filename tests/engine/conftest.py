"""Small flows written into tmp_path and a person who talks to the real Engine.

The system messages say their own key (``[stale_button]``), so tests never depend on
the words of the shipped flows.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.records import Record
from bot.core.state import ConversationState
from bot.engine.actions import ActionRegistry
from bot.engine.detect import TextDetector
from bot.engine.events import Event, Reply, Text
from bot.engine.loader import load_flows
from bot.engine.model import FlowSet
from bot.engine.runner import Engine

MESSAGES = (
    "fallback", "empty", "too_long", "too_short", "not_a_number", "number_range",
    "invalid_choice", "unknown_command", "stale_button", "unsupported", "cancelled",
    "nothing_to_cancel", "error", "flow_changed",
)
EXTRA = {"too_long": " up to {max_length}", "number_range": " {min}-{max}"}


def system_yaml(extra: str = "") -> str:
    lines = ["languages:", "  en: English", "default_language: en", "messages:"]
    lines += [f'  {key}: "[{key}]{EXTRA.get(key, "")}"' for key in MESSAGES]
    return "\n".join(lines) + "\n" + extra


def write_flows(root: Path, flows: dict[str, str], system_extra: str = "") -> Path:
    """Write a complete flows folder: ``flows`` maps file stem to YAML text."""
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "config" / "system.yaml").write_text(system_yaml(system_extra))
    for stem, text in flows.items():
        (root / f"{stem}.yaml").write_text(text)
    return root


def msg(key: str) -> str:
    """The text a system message renders to in these tests."""
    return f"[{key}]"


class StubReader:
    """A PersonReader with nothing stored."""

    async def achievements(self, limit: int | None = None) -> list[Any]:
        return []

    async def ratings(self, limit: int | None = None) -> list[Any]:
        return []

    async def purposes(self) -> list[Any]:
        return []

    async def export(self) -> Any:
        return None

    async def roles(self) -> frozenset[str]:
        return frozenset({"person"})

    async def redeem_invite(self, code: str) -> Any:
        from bot.core.roles import Redeemed

        return Redeemed("invalid")


@dataclass
class Person:
    """One person talking to an engine, keeping their state between turns."""

    engine: Engine
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    now: datetime = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    state: ConversationState | None = None
    records: list[Record] = field(default_factory=list)
    last: list[Reply] = field(default_factory=list)

    async def send(self, event: Event | str) -> list[Reply]:
        if isinstance(event, str):
            event = Text(event)
        outcome = await self.engine.handle(self.state, event, now=self.now, reader=StubReader(),
                                           rng=self.rng)
        self.state = outcome.state
        self.records.extend(outcome.records)
        self.last = outcome.replies
        self.now += timedelta(minutes=1)
        return outcome.replies

    async def say(self, event: Event | str) -> list[str]:
        return [reply.text for reply in await self.send(event)]

    @property
    def where(self) -> tuple[str | None, str | None]:
        assert self.state is not None
        return self.state.flow, self.state.step

    @property
    def vars(self) -> dict[str, Any]:
        assert self.state is not None
        return dict(self.state.vars)


MakeEngine = Callable[..., Engine]


@pytest.fixture
def make_engine(tmp_path: Path) -> MakeEngine:
    """``make_engine({"stem": yaml}, registry=..., system_extra=..., detectors=...)``."""
    count = 0

    def make(flows: dict[str, str], *, registry: ActionRegistry | None = None,
             system_extra: str = "", detectors: dict[str, TextDetector] | None = None
             ) -> Engine:
        nonlocal count
        count += 1
        root = write_flows(tmp_path / f"flows{count}", flows, system_extra)
        registry = registry or ActionRegistry()
        flowset: FlowSet = load_flows(root, known_actions=registry.known())
        return Engine(flowset, registry, detectors=detectors)

    return make
