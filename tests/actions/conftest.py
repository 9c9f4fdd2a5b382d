"""Build an ActionContext for one action call, with the shipped content and a fake reader."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.state import ConversationState
from bot.core.stored import AchievementRow, PurposeRow, RatingRow
from bot.engine.actions import ActionContext
from bot.engine.model import FlowSet
from bot.engine.render import Renderer
from bot.engine.yamlsource import load_yaml
from tests.conftest import FLOWS

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class FakePerson:
    """What the service's StoredPerson returns, held in lists (newest first)."""

    wins: list[AchievementRow] = field(default_factory=list)
    rates: list[RatingRow] = field(default_factory=list)
    goals: list[PurposeRow] = field(default_factory=list)

    async def achievements(self, limit: int | None = None) -> list[Any]:
        return self.wins[:limit] if limit is not None else list(self.wins)

    async def ratings(self, limit: int | None = None) -> list[Any]:
        return self.rates[:limit] if limit is not None else list(self.rates)

    async def purposes(self) -> list[Any]:
        return list(self.goals)

    async def export(self) -> Any:
        return None

    async def roles(self) -> frozenset[str]:
        return frozenset({"person"})

    async def redeem_invite(self, code: str) -> Any:
        from bot.core.roles import Redeemed

        return Redeemed("invalid")

    def win(self, text: str, at: datetime, confidence: int | None = None) -> None:
        row = AchievementRow(len(self.wins) + 1, text, at, None, confidence, False)
        self.wins = sorted([*self.wins, row], key=lambda w: w.at, reverse=True)

    def rate(self, value: int, at: datetime) -> None:
        row = RatingRow(len(self.rates) + 1, value, at, "checkin")
        self.rates = sorted([*self.rates, row], key=lambda r: r.at, reverse=True)

    def purpose(self, theme: str, active: bool = True) -> None:
        self.goals.append(PurposeRow(f"p{len(self.goals)}", "text", theme, {}, active, NOW, NOW))


def content() -> dict[str, Any]:
    return {p.stem: load_yaml(p) for p in sorted((FLOWS / "content").glob("*.yaml"))}


MakeCtx = Callable[..., ActionContext]


@pytest.fixture
def make_ctx() -> MakeCtx:
    shipped = content()

    def make(args: dict[str, Any] | None = None, vars: dict[str, Any] | None = None,
             person: FakePerson | None = None, now: datetime = NOW, seed: int = 1,
             content_override: dict[str, Any] | None = None) -> ActionContext:
        state = ConversationState(vars=dict(vars or {}))
        flows = FlowSet({}, {}, {"en": "English", "cy": "Cymraeg"}, "en",
                        content_override if content_override is not None else shipped, {})
        rng = random.Random(seed)
        language = str(state.vars.get("language") or "en")
        render = Renderer(language, "en", dict(state.vars), {}, rng)
        return ActionContext(state, dict(args or {}), now, flows, person or FakePerson(),
                             render, rng)

    return make
