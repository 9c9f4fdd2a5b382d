"""A person's scheduling state (bot/core/schedule.py) as one row of the ``schedules``
table (SQLite migration 0008, PostgreSQL 0001): a column per field, flags as 0/1, times
as ISO-8601 text, the recent encouragement as a JSON list. Shared by both SQL backends."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from typing import Any

from bot.core.schedule import ScheduleState, parse_moment

COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ScheduleState))
_KINDS = {f.name: str(f.type) for f in fields(ScheduleState)}
SELECT = ", ".join(f"sc.{c}" for c in COLUMNS)  # for a join with ``schedules sc``

Values = tuple[Any, ...]


def encode(schedule: ScheduleState) -> Values:
    """The column values, in :data:`COLUMNS` order."""
    out: list[Any] = []
    for name in COLUMNS:
        value = getattr(schedule, name)
        if isinstance(value, bool):
            value = int(value)
        elif isinstance(value, datetime):
            value = value.isoformat()  # as given: the flows read back the same text
        elif isinstance(value, tuple):
            value = json.dumps(list(value), ensure_ascii=False)
        out.append(value)
    return tuple(out)


def decode(row: Any) -> ScheduleState:
    """From the columns in :data:`COLUMNS` order (all NULL: nothing stored yet)."""
    values: dict[str, Any] = {}
    for name, value in zip(COLUMNS, row, strict=True):
        kind = _KINDS[name]
        if value is None:
            continue  # never set
        if kind == "bool | None":
            value = bool(value)
        elif kind == "datetime | None":
            value = parse_moment(value)  # None for text 0008 moved that was no time
        elif kind == "tuple[str, ...]":
            value = tuple(json.loads(value))
        values[name] = value
    return ScheduleState(**values)
