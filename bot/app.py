"""Assemble goodhelp from settings: flows, actions, storage, engine, conversations.

Channels and the CLI use :func:`open_app`; it raises typed errors (InvalidFlows,
StorageError) and leaves exiting to the CLI.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from bot.actions import default_registry
from bot.engine.actions import ActionRegistry
from bot.engine.loader import load_flows
from bot.engine.model import FlowSet
from bot.engine.runner import Engine
from bot.scheduling.clock import Clock, SystemClock
from bot.service import Conversations
from bot.storage.base import Storage


@dataclass
class App:
    flows: FlowSet
    engine: Engine
    storage: Storage
    conversations: Conversations
    clock: Clock

    async def close(self) -> None:
        await self.storage.close()


def load_checked_flows(path: Path, registry: ActionRegistry | None = None) -> FlowSet:
    """Load flows and check action names against the registry."""
    registry = registry or default_registry()
    return load_flows(path, known_actions=registry.known())


async def open_app(flows_path: Path, storage: Storage, *, clock: Clock | None = None,
                   rng: random.Random | None = None) -> App:
    registry = default_registry()
    flows = load_checked_flows(flows_path, registry)
    engine = Engine(flows, registry)
    await storage.open()
    clock = clock or SystemClock()
    conversations = Conversations(engine, storage, clock=clock, rng=rng)
    return App(flows, engine, storage, conversations, clock)
