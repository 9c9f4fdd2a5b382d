"""Scheduled messages in memory, with the same rules as :mod:`bot.storage.sqlite.schedule`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from bot.core.keys import PersonKey
from bot.storage.base import NextMessage, ScheduledMessage
from bot.storage.memory.people import Person, ScheduledEntry
from bot.storage.rows import KEEP_SENT, encode_payload, from_text, message_row, to_text


class MemorySchedules:
    """The schedule queue in memory. Rows live on each :class:`Person` of ``people`` (the
    storage's own dict, shared), so deleting a person drops them; ``new_id()`` numbers
    rows; ``check_open()`` raises on a closed storage."""

    def __init__(self, people: dict[PersonKey, Person], new_id: Callable[[], int],
                 check_open: Callable[[], None]) -> None:
        self._people = people
        self._new_id = new_id
        self._check_open = check_open

    @staticmethod
    def _row(key: PersonKey, person: Person, m: ScheduledEntry) -> ScheduledMessage:
        return message_row((m.id, key.channel, key.external_id, m.kind, m.due_at, m.status,
                            m.attempt, m.payload_json, m.claimed_at, person.updated_at or None))

    def _entries(self) -> Iterator[tuple[PersonKey, Person, ScheduledEntry]]:
        for key, person in self._people.items():
            for m in person.scheduled:
                yield key, person, m

    def _find(self, message_id: int) -> tuple[PersonKey, Person, ScheduledEntry] | None:
        return next((found for found in self._entries() if found[2].id == message_id), None)

    def _replace_pending(self, person: Person, message: NextMessage) -> None:
        person.scheduled = [m for m in person.scheduled
                            if not (m.kind == message.kind and m.status == "pending")]
        person.scheduled.append(ScheduledEntry(self._new_id(), message.kind,
                                               to_text(message.due_at), "pending",
                                               encode_payload(message.payload)))

    async def schedule(self, key: PersonKey, message: NextMessage) -> bool:
        """Replace the person's pending message of this kind. False if the person is unknown."""
        self._check_open()
        person = self._people.get(key)
        if person is None:
            return False
        self._replace_pending(person, message)
        return True

    async def unschedule(self, key: PersonKey, kind: str) -> int:
        """Drop the person's pending messages of this kind; return how many."""
        self._check_open()
        person = self._people.get(key)
        if person is None:
            return 0
        before = len(person.scheduled)
        person.scheduled = [m for m in person.scheduled
                            if not (m.kind == kind and m.status == "pending")]
        return before - len(person.scheduled)

    async def scheduled(self, key: PersonKey) -> list[ScheduledMessage]:
        """The person's pending and claimed messages, soonest first."""
        self._check_open()
        person = self._people.get(key)
        if person is None:
            return []
        rows = [m for m in person.scheduled if m.status in ("pending", "claimed")]
        return [self._row(key, person, m) for m in sorted(rows, key=lambda m: (m.due_at, m.id))]

    async def claim_due(self, now: datetime, limit: int,
                        worker: str = "") -> list[ScheduledMessage]:
        """Claim up to ``limit`` due messages for ``worker`` at once, earliest first."""
        self._check_open()
        cutoff = to_text(now)
        due = sorted(((key, person, m) for key, person, m in self._entries()
                      if m.status == "pending" and m.due_at <= cutoff),
                     key=lambda t: (t[2].due_at, t[2].id))[:limit]
        claimed = []
        for key, person, m in due:
            m.status, m.claimed_at, m.attempt = "claimed", cutoff, m.attempt + 1
            m.claimed_by = worker
            claimed.append(self._row(key, person, m))
        return claimed

    async def finish_scheduled(self, message_id: int, sent_at: datetime,
                               next_message: NextMessage | None = None) -> None:
        """Mark sent (keeping only the last few sent) and plan the next one."""
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
        """Back to pending at ``due_at``, unless a newer plan of the same kind exists."""
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
        """Forget a message that must not be sent."""
        self._check_open()
        found = self._find(message_id)
        if found is not None:
            found[1].scheduled.remove(found[2])

    async def next_due_at(self) -> datetime | None:
        """The earliest pending due time, or None when nothing is pending."""
        self._check_open()
        due = [m.due_at for _, _, m in self._entries() if m.status == "pending"]
        return from_text(min(due)) if due else None

    async def release_claims(self, worker: str | None = "",
                             stale_before: datetime | None = None) -> int:
        """The worker's claims, and anyone's made before ``stale_before``, become pending
        again; how many."""
        self._check_open()
        stale = to_text(stale_before) if stale_before is not None else None
        count = 0
        for _, _, m in self._entries():
            if m.status == "claimed" and (
                    m.claimed_by == worker
                    or (stale is not None and m.claimed_at is not None and m.claimed_at < stale)):
                m.status = "pending"
                count += 1
        return count
