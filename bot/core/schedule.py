"""A person's scheduling state, typed: their rhythm, when and how they like check-ins, and
what the last check-in found. Stored in its own table (migration 0008), not as loose
strings in the conversation's variables.

The flows still read and write these values by name (``/settings`` sets ``timezone``,
``/pause`` sets ``paused``, ``/mydata`` lists them, nudge.yaml clears
``safety_pause_until``). This module is the one explicit mapping between the two: storage
calls :func:`split` on every turn it writes and :func:`join` on every state it loads, so
the engine sees the same variables as before and everything else reads
:class:`ScheduleState`. A flag is a real boolean here; in a flow it is the word ``"yes"``
(``True``) or ``""`` (``False``), the vocabulary flow conditions already use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from bot.core.state import ConversationState


@dataclass(frozen=True)
class ScheduleState:
    """Everything the dispatcher, the step-down policy and the check-in flows share.

    ``None`` means never set (the variable is absent in the flows' view). Times are
    timezone-aware. Names of the flows' variables are in :data:`VARIABLES`.
    """

    # What the person chose, in /start, /settings, /pause.
    timezone: str | None = None
    checkin_time: str | None = None  # "HH:MM" local
    quiet_start: str | None = None
    quiet_end: str | None = None
    paused: bool | None = None
    # The rhythm and why it is what it is.
    rhythm: str | None = None
    rhythm_chosen: bool | None = None  # the person's own choice: the policy leaves it alone
    rhythm_reason: str | None = None
    rhythm_since: datetime | None = None
    previous_rhythm: str | None = None
    # The last scheduled check-in and how the person answered the recent ones.
    prompt_at: datetime | None = None
    prompt_turn: int | None = None  # the turn it started in: untouched since if still equal
    prompt_rhythm: str | None = None
    checkin_replied: bool | None = None
    unanswered: int | None = None  # in a row
    reply_history: str | None = None  # "y"/"n" per check-in, newest last
    still_want_asked: bool | None = None
    dip_rating_at: datetime | None = None
    encouragement_recent: tuple[str, ...] = ()
    # No scheduled message before this (after a crisis message).
    safety_pause_until: datetime | None = None

    def is_chosen(self) -> bool:
        """Whether the person chose their check-in rhythm themselves."""
        return self.rhythm_chosen is True

    def is_paused(self) -> bool:
        """Whether the person paused their check-ins."""
        return self.paused is True


# The flows' variable for each field (the same name, except the rhythm itself).
VARIABLES: dict[str, str] = {f.name: f.name for f in fields(ScheduleState)}
VARIABLES["rhythm"] = "checkin_rhythm"
FIELDS: dict[str, str] = {var: name for name, var in VARIABLES.items()}
_KINDS: dict[str, str] = {f.name: str(f.type) for f in fields(ScheduleState)}


def parse_moment(value: Any) -> datetime | None:
    """A stored or typed time, timezone-aware (naive means UTC); None if it is not one."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _integer(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _typed(kind: str, value: Any) -> Any:
    """A flow's value as the field's type; None for a value it cannot be."""
    if value is None:
        return None
    if kind == "bool | None":
        return value is True or str(value).casefold() == "yes"
    if kind == "datetime | None":
        return parse_moment(value) if value != "" else None
    if kind == "int | None":
        return _integer(value) if value != "" else None
    if kind == "tuple[str, ...]":
        items = value if isinstance(value, list | tuple) else []
        return tuple(str(item) for item in items)
    return str(value)


def _word(value: Any) -> Any:
    """A field's value as the flows see it."""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def from_vars(vars: Mapping[str, Any]) -> ScheduleState:
    """The scheduling state held in a flow's variables (the rest are ignored)."""
    values = {FIELDS[var]: _typed(_KINDS[FIELDS[var]], value)
              for var, value in vars.items() if var in FIELDS}
    if values.get("encouragement_recent") is None:
        values.pop("encouragement_recent", None)
    return ScheduleState(**values)


def to_vars(schedule: ScheduleState) -> dict[str, Any]:
    """The flows' variables for the scheduling state; a field never set is left out."""
    out: dict[str, Any] = {}
    for name, var in VARIABLES.items():
        value = getattr(schedule, name)
        if value is None or value == ():
            continue
        out[var] = _word(value)
    return out


def changes(old: ScheduleState, new: ScheduleState) -> dict[str, Any]:
    """The flows' variables to set for what differs from ``old`` to ``new`` (a field
    never unsets here: it goes back to ``False``, ``""`` or ``0``, not to ``None``)."""
    before, after = to_vars(old), to_vars(new)
    return {var: value for var, value in after.items() if before.get(var, None) != value
            or var not in before}


def split(state: ConversationState) -> tuple[ConversationState, ScheduleState]:
    """The conversation state without the scheduling variables, and those, typed."""
    if not any(k in FIELDS for k in state.vars):
        return state, EMPTY  # before consent, and in most tests: nothing to take out
    rest = {k: v for k, v in state.vars.items() if k not in FIELDS}
    return replace(state, vars=rest), from_vars(state.vars)


def join(state: ConversationState, schedule: ScheduleState) -> ConversationState:
    """The state as the engine sees it: the scheduling variables back among the rest."""
    if schedule == EMPTY:
        return state
    return replace(state, vars={**state.vars, **to_vars(schedule)})


EMPTY = ScheduleState()
