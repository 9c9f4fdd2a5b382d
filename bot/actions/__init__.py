"""The actions flows can call. Each module registers its own with ``register``."""

from __future__ import annotations

from bot.engine.actions import ActionRegistry

# Modules that define actions; each has ``register(registry)``.
_MODULES: list[str] = ["privacy", "checkin", "progress", "stories", "opportunities", "scheduling"]
_MODULES += ["settings", "purposes", "safety", "talk"]
_MODULES += ["programme", "reflect", "roles", "mentoring", "mentor_stories"]
_MODULES += ["report"]  # staff only


def default_registry() -> ActionRegistry:
    """Every built-in action, registered by importing each action module in turn."""
    import importlib

    registry = ActionRegistry()
    for name in _MODULES:
        importlib.import_module(f"bot.actions.{name}").register(registry)
    return registry
