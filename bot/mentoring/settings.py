"""The deployment's mentoring settings, from ``flows/config/mentoring.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MentoringSettings:
    """See flows/config/mentoring.yaml for what each means."""

    matching: str = "staff"
    capacity: int = 5
    approval: str = "flagged"
    per_day_per_pair: int = 2
    gap_minutes: int = 60
    keep_days: int = 30
    directive: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MentoringSettings:
        """The mentoring settings from the flows' config (defaults where unset)."""
        raw = (config.get("mentoring") or {}).get("mentoring") or {}
        style = (config.get("style") or {}).get("directive_phrases") or {}
        phrases = tuple(str(p) for words in style.values() for p in words)
        settings = cls(
            matching=str(raw.get("matching", "staff")),
            capacity=int(raw.get("capacity", 5)),
            approval=str(raw.get("approval", "flagged")),
            per_day_per_pair=int(raw.get("per_day_per_pair", 2)),
            gap_minutes=int(raw.get("gap_minutes", 60)),
            keep_days=int(raw.get("keep_days", 30)),
            directive=phrases,
        )
        if settings.matching not in ("staff", "automatic"):
            raise ValueError("mentoring.matching is 'staff' or 'automatic'")
        if settings.approval not in ("all", "flagged"):
            raise ValueError("mentoring.approval is 'all' or 'flagged'")
        return settings
