"""Encoding shared by every backend: records to rows, rows back to values.

Both backends keep exactly these encoded values (ISO-8601 UTC text, JSON), so what the
in-memory backend hands back is what SQLite hands back after a restart.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.keys import PersonKey
from bot.core.records import Achievement, Alert, FlowEvent, Purpose, Rating
from bot.core.schedule import EMPTY, ScheduleState, join, split
from bot.core.stored import AchievementRow, AlertRow, PurposeRow, RatingRow
from bot.storage.base import ScheduledMessage, StorageError, TurnWrite

# Values of one row, without the person id: achievements (text, purpose_ref, confidence,
# prompted, at), ratings (value, context, at), events (name, flow, step, at).
AchievementValues = tuple[str, str | None, int | None, int, str]
RatingValues = tuple[int, str, str]
EventValues = tuple[str, str, str, str]
AlertValues = tuple[str, str, str]  # reason, shared_json, created_at


def to_text(at: datetime) -> str:
    """Fixed-width UTC text, so comparing the text compares the times. Naive means UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    """A stored ISO time back as an aware datetime."""
    return datetime.fromisoformat(text)


def week_of(text: str) -> str:
    """The Monday (UTC, ISO date) of the week a stored time falls in, as SQLite's
    ``date(at, 'weekday 0', '-6 days')`` gives it."""
    day = from_text(text).astimezone(UTC).date()
    return (day - timedelta(days=day.weekday())).isoformat()


@dataclass(frozen=True)
class PurposeChange:
    """A purpose as one turn writes it, encoded for storage."""

    ref: str
    text: str
    theme: str
    details_json: str
    active: bool
    at: str


@dataclass(frozen=True)
class PreparedTurn:
    """A turn encoded on the caller's side, so one bad turn cannot spoil a whole batch."""

    key: PersonKey
    at: str
    state_json: str
    achievements: tuple[AchievementValues, ...]
    ratings: tuple[RatingValues, ...]
    purposes: tuple[PurposeChange, ...]
    events: tuple[EventValues, ...]
    owed: tuple[tuple[str, str], ...] = ()  # (ref, payload) for the outbox, in order
    alerts: tuple[AlertValues, ...] = ()
    # The scheduling state (migration 0008), kept out of ``state_json``, and the state as
    # a later load joins it back, for the state cache.
    schedule: ScheduleState = EMPTY
    joined_json: str = ""


def prepare(write: TurnWrite, now: datetime,
            owed: tuple[tuple[str, str], ...] = ()) -> PreparedTurn:
    """Encode a turn; raise StorageError (naming no personal data) if it cannot be stored."""
    achievements: list[AchievementValues] = []
    ratings: list[RatingValues] = []
    purposes: list[PurposeChange] = []
    events: list[EventValues] = []
    alerts: list[AlertValues] = []
    try:
        rest, schedule = split(write.state)
        state_json = rest.to_json()
        # What a later load gives back; the same text when there was nothing to take out.
        joined_json = state_json if rest is write.state else join(rest, schedule).to_json()
        for record in write.records:
            if isinstance(record, Achievement):
                confidence = None if record.confidence is None else int(record.confidence)
                achievements.append(
                    (
                        record.text,
                        record.purpose_ref,
                        confidence,
                        int(bool(record.prompted)),
                        to_text(record.at),
                    )
                )
            elif isinstance(record, Rating):
                ratings.append((int(record.value), record.context, to_text(record.at)))
            elif isinstance(record, Purpose):
                details = json.dumps(dict(record.details), ensure_ascii=False)
                purposes.append(
                    PurposeChange(
                        record.ref,
                        record.text,
                        record.theme,
                        details,
                        bool(record.active),
                        to_text(record.at),
                    )
                )
            elif isinstance(record, Alert):
                shared = json.dumps({str(k): str(v) for k, v in record.shared.items()},
                                    ensure_ascii=False)
                alerts.append((record.reason, shared, to_text(record.at)))
            elif isinstance(record, FlowEvent):
                events.append((record.name, record.flow, record.step, to_text(record.at)))
            else:
                raise TypeError(f"unknown record type {type(record).__name__}")
    except (TypeError, ValueError) as exc:
        raise StorageError(f"this turn cannot be stored: {type(exc).__name__}") from exc
    return PreparedTurn(
        key=write.key,
        at=to_text(write.at or now),
        state_json=state_json,
        achievements=tuple(achievements),
        ratings=tuple(ratings),
        purposes=tuple(purposes),
        events=tuple(events),
        owed=owed,
        alerts=tuple(alerts),
        schedule=schedule,
        joined_json=joined_json,
    )


PurposeUpsert = tuple[int, str, str, str, str, int, str, str]
"""person_id, ref, text, theme, details_json, active, created_at, updated_at"""


@dataclass(frozen=True)
class PurposePlan:
    """Purpose changes of many turns, reduced to what applying them in order leaves behind.

    ``keep_active`` lists (person_id, ref): every other purpose of that person is switched
    off *before* the upserts run, so the one-active index is never violated mid-batch.
    ``updated_at`` changes only when the person sets or edits the purpose itself.
    """

    keep_active: list[tuple[int, str]]
    upserts: list[PurposeUpsert]


def plan_purposes(changes: Iterable[tuple[int, PurposeChange]]) -> PurposePlan:
    """What a batch of purpose changes does: the upserts and which stays active."""
    last: dict[tuple[int, str], PurposeChange] = {}
    first_at: dict[tuple[int, str], str] = {}
    last_active: dict[int, str] = {}
    for person_id, change in changes:
        slot = (person_id, change.ref)
        first_at.setdefault(slot, change.at)
        last[slot] = change
        if change.active:
            last_active[person_id] = change.ref
    upserts: list[PurposeUpsert] = []
    for (person_id, ref), change in last.items():
        active = change.active and last_active.get(person_id) == ref
        upserts.append(
            (
                person_id,
                ref,
                change.text,
                change.theme,
                change.details_json,
                int(active),
                first_at[(person_id, ref)],
                change.at,
            )
        )
    return PurposePlan(keep_active=list(last_active.items()), upserts=upserts)


def achievement_row(row: Any) -> AchievementRow:
    """From (id, text, at, purpose_ref, confidence, prompted)."""
    return AchievementRow(
        id=row[0],
        text=row[1],
        at=from_text(row[2]),
        purpose_ref=row[3],
        confidence=row[4],
        prompted=bool(row[5]),
    )


def rating_row(row: Any) -> RatingRow:
    """From (id, value, at, context)."""
    return RatingRow(id=row[0], value=row[1], at=from_text(row[2]), context=row[3])


def purpose_row(row: Any) -> PurposeRow:
    """From (ref, text, theme, details_json, active, created_at, updated_at)."""
    return PurposeRow(
        ref=row[0],
        text=row[1],
        theme=row[2],
        details=json.loads(row[3]),
        active=bool(row[4]),
        created_at=from_text(row[5]),
        updated_at=from_text(row[6]),
    )


def event_dict(row: Any) -> dict[str, Any]:
    """From (name, flow, step, at)."""
    return {"name": row[0], "flow": row[1], "step": row[2], "at": from_text(row[3])}


def alert_row(row: Any) -> AlertRow:
    """From (id, reason, shared_json, created_at, handled_at)."""
    return AlertRow(id=row[0], reason=row[1], shared=json.loads(row[2]),
                    created_at=from_text(row[3]),
                    handled_at=from_text(row[4]) if row[4] else None)


def check_limit(limit: int | None) -> int:
    """SQLite's LIMIT value: -1 means no limit. Negative limits are a caller's mistake."""
    if limit is None:
        return -1
    if limit < 0:
        raise ValueError("limit must be None or >= 0")
    return limit


def new_refs(count: int) -> list[str]:
    """Fresh refs for owed replies (outbox rows)."""
    return [uuid.uuid4().hex for _ in range(count)]


# Sent rows are kept a while for /mydata and counting; older ones go when a new one is sent.
KEEP_SENT = 20


def message_row(row: Any) -> ScheduledMessage:
    """From (id, channel, external_id, kind, due_at, status, attempt, payload_json,
    claimed_at, last_turn_at)."""
    return ScheduledMessage(
        id=row[0],
        key=PersonKey(row[1], row[2]),
        kind=row[3],
        due_at=from_text(row[4]),
        status=row[5],
        attempt=row[6],
        payload=json.loads(row[7]),
        claimed_at=from_text(row[8]) if row[8] else None,
        last_turn_at=from_text(row[9]) if row[9] else None,
    )


def encode_payload(payload: dict[str, Any]) -> str:
    """A scheduled message's payload as stable JSON."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))
