"""Assemble goodhelp from settings: flows, actions, storage, engine, conversations.

Channels and the CLI use :func:`open_app`; it raises typed errors (InvalidFlows,
StorageError) and leaves exiting to the CLI.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.actions import default_registry
from bot.core.clock import Clock, SystemClock
from bot.engine.actions import ActionRegistry
from bot.engine.answerbook import AnswerBook, AnswerBookError
from bot.engine.loader import InvalidFlows, load_flows
from bot.engine.model import FlowSet
from bot.engine.runner import Engine
from bot.engine.yamlsource import Problem
from bot.logsafe import describe
from bot.reports.person import programme_vars
from bot.reports.staff import ChartWords, StaffPack, staff_pack
from bot.safety import CrisisDetector, load_crisis_detector
from bot.safety.model import ModelError
from bot.safety.patterns import PatternError
from bot.service import Conversations
from bot.storage.base import Storage, StorageError

log = logging.getLogger(__name__)


@dataclass
class App:
    """An assembled bot: flows, engine, storage and conversations, opened together."""

    flows: FlowSet
    engine: Engine
    storage: Storage
    conversations: Conversations
    clock: Clock
    # The crisis check the engine uses, for channels that want it on a bare text (floods);
    # None only when the flows have no safety flow.
    crisis: CrisisDetector | None = None

    @property
    def config(self) -> Mapping[str, Any]:
        """The flows folder's config files, by name."""
        return self.flows.config

    async def close(self) -> None:
        """Close the conversations (and their stores), then the storage."""
        await self.conversations.close()
        await self.storage.close()


def load_checked_flows(path: Path, registry: ActionRegistry | None = None) -> FlowSet:
    """Load flows and check action names against the registry."""
    registry = registry or default_registry()
    flows = load_flows(path, known_actions=registry.known(),
                       action_outcomes=registry.outcomes())
    try:  # the answer words are read when the engine starts; refuse a broken file now
        AnswerBook(flows.config.get("answers"), flows.default_language)
    except AnswerBookError as exc:
        where = str(Path(path) / "config" / "answers.yaml")
        raise InvalidFlows([Problem(where, 1, str(exc))]) from exc
    return flows


def load_checked_detector(path: Path, flows: FlowSet) -> CrisisDetector | None:
    """The crisis detector for a flows folder; its file problems raise InvalidFlows."""
    try:
        return load_crisis_detector(path, flows)
    except PatternError as exc:
        raise InvalidFlows(exc.problems) from None
    except ModelError as exc:
        raise InvalidFlows([Problem(str(exc.path), 1, exc.reason)]) from None


async def programme_figures(storage: Storage, now: datetime) -> dict[str, str] | None:
    """The anonymous headline for /programme, read through the storage's report reader
    (None for a storage without one)."""
    source = getattr(storage, "report_source", None)
    if source is None:
        return None
    return await programme_vars(source(), now)


async def staff_report(storage: Storage, now: datetime, cohort: str | None,
                       words: ChartWords) -> StaffPack | None:
    """The staff report's chart and page (/report, the digest), or None for a storage
    without a report reader or when reading fails (the flow then says so kindly)."""
    source = getattr(storage, "report_source", None)
    if source is None:
        return None
    try:
        return await staff_pack(source(), now, cohort, words)
    except StorageError as exc:
        log.warning("staff report failed: %s", describe(exc))
        return None


async def open_app(flows_path: Path, storage: Storage, *, clock: Clock | None = None,
                   rng: random.Random | None = None) -> App:
    """Load and check the flows, open the storage and wire the service: a ready App."""
    registry = default_registry()
    flows = load_checked_flows(flows_path, registry)
    crisis = load_checked_detector(flows_path, flows)
    engine = Engine(flows, registry,
                    detectors={"safety": crisis} if crisis is not None else None)
    await storage.open()
    clock = clock or SystemClock()
    conversations = Conversations(engine, storage, clock=clock, rng=rng,
                                  programme=programme_figures, staff_report=staff_report)
    return App(flows, engine, storage, conversations, clock, crisis)
