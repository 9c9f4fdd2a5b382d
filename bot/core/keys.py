"""Who a conversation belongs to, as every layer names them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonKey:
    """Who a conversation belongs to: ``("telegram", "12345")`` or ``("terminal", "sam")``."""

    channel: str
    external_id: str
