"""Scheduled messages in memory, with the same rules as :mod:`bot.storage.sqlite.schedule`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.keys import PersonKey
from bot.storage.base import NextMessage, ScheduledMessage
from bot.storage.rows import KEEP_SENT, encode_payload, from_text, message_row, to_text

if TYPE_CHECKING:
    from bot.storage.memory.storage import _Person, _Scheduled


class MemoryScheduleMixin:
    """Needs ``_people``, ``_ids`` and ``_check_open`` from MemoryStorage."""

    _people: dict[PersonKey, _Person]
    _ids: Any

    def _check_open(self) -> None: ...

    def _row(self, key: PersonKey, person: _Person, m: _Scheduled) -> ScheduledMessage:
        return message_row((m.id, key.channel, key.external_id, m.kind, m.due_at, m.status,
                            m.attempt, m.payload_json, m.claimed_at, person.updated_at or None))

    def _find(self, message_id: int) -> tuple[PersonKey, _Person, _Scheduled] | None:
        for key, person in self._people.items():
            for m in person.scheduled:
                if m.id == message_id:
                    return key, person, m
        return None

    def _replace_pending(self, person: _Person, message: NextMessage) -> None:
        from bot.storage.memory.storage import _Scheduled

        person.scheduled = [m for m in person.scheduled
                            if not (m.kind == message.kind and m.status == "pending")]
        person.scheduled.append(_Scheduled(next(self._ids), message.kind,
                                           to_text(message.due_at), "pending",
                                           encode_payload(message.payload)))

    async def schedule(self, key: PersonKey, message: NextMessage) -> bool:
        self._check_open()
        person = self._people.get(key)
        if person is None:
            return False
        self._replace_pending(person, message)
        return True

    async def unschedule(self, key: PersonKey, kind: str) -> int:
        self._check_open()
        person = self._people.get(key)
        if person is None:
            return 0
        before = len(person.scheduled)
        person.scheduled = [m for m in person.scheduled
                            if not (m.kind == kind and m.status == "pending")]
        return before - len(person.scheduled)

    async def scheduled(self, key: PersonKey) -> list[ScheduledMessage]:
        self._check_open()
        person = self._people.get(key)
        if person is None:
            return []
        rows = [m for m in person.scheduled if m.status in ("pending", "claimed")]
        return [self._row(key, person, m) for m in sorted(rows, key=lambda m: (m.due_at, m.id))]

    async def claim_due(self, now: datetime, limit: int) -> list[ScheduledMessage]:
        self._check_open()
        cutoff = to_text(now)
        due = sorted(
            ((m.due_at, m.id, key, person, m) for key, person in self._people.items()
             for m in person.scheduled if m.status == "pending" and m.due_at <= cutoff),
            key=lambda t: (t[0], t[1]),
        )[:limit]
        claimed = []
        for _, _, key, person, m in due:
            m.status, m.claimed_at, m.attempt = "claimed", cutoff, m.attempt + 1
            claimed.append(self._row(key, person, m))
        return claimed

    async def finish_scheduled(self, message_id: int, sent_at: datetime,
                               next_message: NextMessage | None = None) -> None:
        self._check_open()
        found = self._find(message_id)
        if found is None:
            return
        _, person, m = found
        m.status, m.sent_at = "sent", to_text(sent_at)
        sent = sorted((s for s in person.scheduled if s.status == "sent"),
                      key=lambda s: (s.sent_at or "", s.id), reverse=True)
        old = {s.id for s in sent[KEEP_SENT:]}
        person.scheduled = [s for s in person.scheduled if s.id not in old]
        if next_message is not None:
            self._replace_pending(person, next_message)

    async def reschedule(self, message_id: int, due_at: datetime) -> None:
        self._check_open()
        found = self._find(message_id)
        if found is None:
            return
        _, person, m = found
        if any(o.kind == m.kind and o.status == "pending" for o in person.scheduled):
            person.scheduled.remove(m)
        else:
            m.status, m.due_at = "pending", to_text(due_at)

    async def drop_scheduled(self, message_id: int) -> None:
        self._check_open()
        found = self._find(message_id)
        if found is not None:
            found[1].scheduled.remove(found[2])

    async def next_due_at(self) -> datetime | None:
        self._check_open()
        due = [m.due_at for p in self._people.values() for m in p.scheduled
               if m.status == "pending"]
        return from_text(min(due)) if due else None

    async def release_claims(self) -> int:
        self._check_open()
        count = 0
        for person in self._people.values():
            for m in person.scheduled:
                if m.status == "claimed":
                    m.status = "pending"
                    count += 1
        return count
