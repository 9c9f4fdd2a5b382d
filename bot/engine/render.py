"""Render flow text: pick the person's language, a variant, and fill in variables.

Text the person typed is inserted as it is; channels send plain text, so markup
characters show exactly as typed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from bot.engine.model import Text
from bot.engine.parse import TEMPLATE_FIELD


def fill(template: str, variables: Mapping[str, Any]) -> str:
    """Replace ``{name}`` and ``{name|fallback}``; ``{{`` and ``}}`` are literal braces."""

    def replace(match: Any) -> str:
        token = str(match.group(0))
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name, _, fallback = str(match.group(1)).partition("|")
        value = variables.get(name.strip())
        if value is None or value == "":
            return fallback
        return str(value)

    return TEMPLATE_FIELD.sub(replace, template)


class Renderer:
    """Renders text for one person: their language, their variables, no repeats."""

    def __init__(self, language: str, fallback: str, variables: Mapping[str, Any],
                 memory: dict[str, Any], rng: random.Random,
                 on_variant: Callable[[str, int], None] | None = None) -> None:
        self.language = language
        self.on_variant = on_variant
        self.fallback = fallback
        self.variables = variables
        self.memory = memory
        self.rng = rng

    def choose_variant(self, variants: tuple[str, ...], key: str | None) -> str:
        """A random variant, never the one used last time for the same ``key``."""
        if len(variants) == 1:
            return variants[0]
        last = self.memory.get(f"v:{key}") if key else None
        indexes = [i for i in range(len(variants)) if i != last]
        index = self.rng.choice(indexes)
        if key:
            self.memory[f"v:{key}"] = index
            if self.on_variant is not None:
                self.on_variant(key, index)
        return variants[index]

    def text(self, text: Text, key: str | None = None,
             extra: Mapping[str, Any] | None = None) -> str:
        """Flow text for this person: their language, a fresh variant, their variables filled in."""
        variants = text.for_language(self.language, self.fallback)
        variables = {**self.variables, **extra} if extra else self.variables
        return fill(self.choose_variant(variants, key), variables).strip()

    def raw(self, value: Any, key: str | None = None,
            extra: Mapping[str, Any] | None = None) -> str:
        """Render an unchecked YAML value (an action's argument) the same way as Text."""
        if isinstance(value, Mapping):
            value = value.get(self.language) or value.get(self.fallback) or next(
                iter(value.values()), "")
        if isinstance(value, list | tuple):
            value = self.choose_variant(tuple(str(v) for v in value), key) if value else ""
        variables = {**self.variables, **extra} if extra else self.variables
        return fill(str(value), variables).strip()
