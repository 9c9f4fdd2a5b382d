"""Mentor links, relayed messages (migration 0010) and mentors' stories (0011), over one
SQLite connection.

The store keeps its own connection beside the storage's writer: the SQLite file itself
(WAL, a busy timeout, short transactions), or for the in-memory backend a private
in-memory database with the same tables. Opened on first use; ``close()`` with the app.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiosqlite

from bot.core.keys import PersonKey
from bot.storage.migrate import MIGRATIONS_DIR
from bot.storage.rows import from_text, to_text
from bot.storage.transaction import connect, transaction

# What a private in-memory store needs (the SQLite file has them from the migrations).
_MIGRATIONS = ("0010_mentoring.sql", "0011_mentor_stories.sql")
_REF_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_LINK = ("id, ref, person_channel, person_external, mentor_channel, mentor_external, "
         "first_name, theme, purpose, signals, status, created_at")
_STORY = "id, theme, text, status, reason"
_MESSAGE = ("m.id, m.link_id, m.direction, m.kind, m.text, m.status, m.flags, m.reason, "
            "m.created_at")


@dataclass(frozen=True)
class Link:
    """A person's relationship with a mentor, as stored (keys included: never shown)."""

    id: int
    ref: str
    person: PersonKey
    mentor: PersonKey | None
    first_name: str
    theme: str
    purpose: str
    signals: bool
    status: str
    created_at: datetime


@dataclass(frozen=True)
class Relayed:
    """One message between a mentor and a person."""

    id: int
    link_id: int
    direction: str
    kind: str
    text: str
    status: str
    flags: str
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class StoryRow:
    """A mentor's story as stored (without its author: callers ask by author)."""

    id: int
    theme: str
    text: str
    status: str  # submitted, approved or rejected
    reason: str


def _story(row: sqlite3.Row | tuple[object, ...]) -> StoryRow:
    return StoryRow(int(str(row[0])), str(row[1]), str(row[2]), str(row[3]), str(row[4]))


def _link(row: sqlite3.Row | tuple[object, ...]) -> Link:
    mentor = None if row[4] is None else PersonKey(str(row[4]), str(row[5]))
    return Link(int(str(row[0])), str(row[1]), PersonKey(str(row[2]), str(row[3])), mentor,
                str(row[6]), str(row[7]), str(row[8]), bool(row[9]), str(row[10]),
                from_text(str(row[11])))


def _relayed(row: sqlite3.Row | tuple[object, ...]) -> Relayed:
    return Relayed(int(str(row[0])), int(str(row[1])), str(row[2]), str(row[3]), str(row[4]),
                   str(row[5]), str(row[6]), str(row[7]), from_text(str(row[8])))


class MentorStore:
    """Links and relayed messages. ``path`` None: a private in-memory database."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            self._conn = await connect(":memory:" if self.path is None else self.path)
            if self.path is None:  # a private database: the tables are made here
                for name in _MIGRATIONS:
                    sql = (MIGRATIONS_DIR / name).read_text(encoding="utf-8")
                    await self._conn.executescript(sql)
        return self._conn

    async def close(self) -> None:
        """Close the store's connection if it was opened."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    async def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        async def work(conn: aiosqlite.Connection) -> list[sqlite3.Row]:
            return list(await conn.execute_fetchall(sql, params))

        async with self._lock:
            return await transaction(await self._connection(), work, write=False,
                                     failed="mentoring: could not read")

    async def _write(self, *statements: tuple[str, tuple[object, ...]]) -> int:
        """Run statements in one transaction; the last one's rowcount (or new row id)."""
        async def work(conn: aiosqlite.Connection) -> int:
            result = 0
            for sql, params in statements:
                cursor = await conn.execute(sql, params)
                result = (cursor.lastrowid or 0) if sql.lstrip().startswith(
                    "INSERT") else cursor.rowcount
            return result

        async with self._lock:
            return await transaction(await self._connection(), work, write=True,
                                     failed="mentoring: could not write")

    # Links

    async def create_link(self, person: PersonKey, now: datetime, *, first_name: str = "",
                          theme: str = "", purpose: str = "", signals: bool = False) -> Link:
        """A new waiting link for a person asking for a mentor."""
        ref = "".join(secrets.choice(_REF_LETTERS) for _ in range(4))
        link_id = await self._write((
            "INSERT INTO mentor_links (ref, person_channel, person_external, first_name, "
            "theme, purpose, signals, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
            "'waiting', ?)", (ref, person.channel, person.external_id, first_name, theme,
                               purpose, int(signals), to_text(now))))
        found = await self.link(link_id)
        assert found is not None
        return found

    async def link(self, link_id: int) -> Link | None:
        """The link with ``link_id``, or None."""
        found = await self._read(f"SELECT {_LINK} FROM mentor_links WHERE id = ?", (link_id,))
        return _link(found[0]) if found else None

    async def current_link(self, person: PersonKey) -> Link | None:
        """The person's link that has not ended, if any."""
        found = await self._read(
            f"SELECT {_LINK} FROM mentor_links WHERE person_channel = ? AND person_external = ? "
            "AND status != 'ended' ORDER BY id DESC LIMIT 1", (person.channel, person.external_id))
        return _link(found[0]) if found else None

    async def links_of_mentor(self, mentor: PersonKey,
                              statuses: tuple[str, ...] = ("active", "paused")) -> list[Link]:
        """The mentor's links in the given statuses."""
        marks = ", ".join("?" for _ in statuses)
        found = await self._read(
            f"SELECT {_LINK} FROM mentor_links WHERE mentor_channel = ? AND mentor_external = ? "
            f"AND status IN ({marks}) ORDER BY id", (mentor.channel, mentor.external_id,
                                                     *statuses))
        return [_link(r) for r in found]

    async def waiting(self) -> list[Link]:
        """The staff's matching queue, oldest first."""
        found = await self._read(f"SELECT {_LINK} FROM mentor_links WHERE status = 'waiting' "
                                 "ORDER BY id")
        return [_link(r) for r in found]

    async def assign(self, link_id: int, mentor: PersonKey, now: datetime) -> bool:
        """Give a waiting link its mentor; False if it was no longer waiting."""
        return await self._write((
            "UPDATE mentor_links SET mentor_channel = ?, mentor_external = ?, status = 'active', "
            "matched_at = ? WHERE id = ? AND status = 'waiting'",
            (mentor.channel, mentor.external_id, to_text(now), link_id))) > 0

    async def set_status(self, link_id: int, status: str, now: datetime) -> bool:
        """Set a link's status (ending it records when); False if no such link."""
        ended = to_text(now) if status == "ended" else None
        return await self._write((
            "UPDATE mentor_links SET status = ?, ended_at = COALESCE(?, ended_at) "
            "WHERE id = ? AND status != 'ended'", (status, ended, link_id))) > 0

    # Messages

    async def add_message(self, link_id: int, direction: str, kind: str, text: str,
                          status: str, now: datetime, flags: str = "", reason: str = "") -> int:
        """Store a relayed message; its id."""
        return await self._write((
            "INSERT INTO relay_messages (link_id, direction, kind, text, status, flags, "
            "reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (link_id, direction, kind, text, status, flags, reason, to_text(now))))

    async def count_since(self, link_id: int, direction: str, since: datetime) -> int:
        """How many messages went one way on a link since ``since`` (for the daily limit)."""
        found = await self._read(
            "SELECT COUNT(*) FROM relay_messages WHERE link_id = ? AND direction = ? AND "
            "kind IN ('message', 'reply') AND status != 'rejected' AND created_at >= ?",
            (link_id, direction, to_text(since)))
        return int(found[0][0])

    async def queued(self, limit: int = 200) -> list[tuple[Relayed, Link]]:
        """Messages ready to deliver, oldest first, with their links."""
        found = await self._read(
            f"SELECT {_MESSAGE}, {', '.join('l.' + c.strip() for c in _LINK.split(','))} "
            "FROM relay_messages m JOIN mentor_links l ON l.id = m.link_id "
            "WHERE m.status = 'queued' ORDER BY m.created_at, m.id LIMIT ?", (limit,))
        return [(_relayed(r[:9]), _link(r[9:])) for r in found]

    async def queued_for(self, key: PersonKey) -> tuple[Relayed, Link] | None:
        """The oldest message ready for ``key`` (as the person or as the mentor)."""
        columns = ", ".join("l." + c.strip() for c in _LINK.split(","))
        found = await self._read(
            f"SELECT {_MESSAGE}, {columns} FROM relay_messages m JOIN mentor_links l "
            "ON l.id = m.link_id WHERE m.status = 'queued' AND ((m.direction = 'to_person' "
            "AND l.person_channel = ? AND l.person_external = ?) OR (m.direction = 'to_mentor' "
            "AND l.mentor_channel = ? AND l.mentor_external = ?)) ORDER BY m.created_at, m.id "
            "LIMIT 1", (key.channel, key.external_id, key.channel, key.external_id))
        return (_relayed(found[0][:9]), _link(found[0][9:])) if found else None

    async def held(self) -> list[tuple[Relayed, Link]]:
        """Messages waiting for staff, oldest first."""
        found = await self._read(
            f"SELECT {_MESSAGE}, {', '.join('l.' + c.strip() for c in _LINK.split(','))} "
            "FROM relay_messages m JOIN mentor_links l ON l.id = m.link_id "
            "WHERE m.status IN ('held', 'reported') ORDER BY m.created_at, m.id")
        return [(_relayed(r[:9]), _link(r[9:])) for r in found]

    async def message(self, message_id: int) -> Relayed | None:
        """The relayed message with ``message_id``, or None."""
        found = await self._read(f"SELECT {_MESSAGE} FROM relay_messages m WHERE m.id = ?",
                                 (message_id,))
        return _relayed(found[0]) if found else None

    async def last_delivered(self, link_id: int, direction: str) -> Relayed | None:
        """The last message delivered one way on a link, or None."""
        found = await self._read(
            f"SELECT {_MESSAGE} FROM relay_messages m WHERE m.link_id = ? AND m.direction = ? "
            "AND m.status = 'delivered' ORDER BY m.delivered_at DESC, m.id DESC LIMIT 1",
            (link_id, direction))
        return _relayed(found[0]) if found else None

    async def set_message(self, message_id: int, status: str, now: datetime, *,
                          text: str | None = None, reason: str = "") -> bool:
        """Change a message's status (and text or reason); False if no such message."""
        delivered = to_text(now) if status == "delivered" else None
        return await self._write((
            "UPDATE relay_messages SET status = ?, text = COALESCE(?, text), reason = ?, "
            "delivered_at = COALESCE(?, delivered_at) WHERE id = ?",
            (status, text, reason, delivered, message_id))) > 0

    async def drop_unsent(self, link_id: int) -> int:
        """Drop the link's messages not yet delivered (a removed mentor's, for example)."""
        return await self._write((
            "UPDATE relay_messages SET status = 'dropped' WHERE link_id = ? AND status IN "
            "('held', 'queued')", (link_id,)))

    async def delete_person(self, key: PersonKey, now: datetime) -> None:
        """A person's /delete: their links and every message in them go at once; a
        mentor's links end (their people are offered someone else by the caller) and
        their stories leave the library."""
        params = (key.channel, key.external_id)
        await self._write(
            ("DELETE FROM mentor_links WHERE person_channel = ? AND person_external = ?", params),
            ("UPDATE relay_messages SET status = 'dropped' WHERE status IN ('held', 'queued') "
             "AND link_id IN (SELECT id FROM mentor_links WHERE mentor_channel = ? AND "
             "mentor_external = ?)", params),
            ("UPDATE mentor_links SET status = 'ended', ended_at = ? WHERE mentor_channel = ? "
             "AND mentor_external = ? AND status != 'ended'", (to_text(now), *params)),
            ("DELETE FROM mentor_stories WHERE mentor_channel = ? AND mentor_external = ?",
             params))

    # Mentors' stories

    async def add_story(self, mentor: PersonKey, theme: str, text: str, now: datetime) -> int:
        """Keep a submitted story; its id."""
        return await self._write((
            "INSERT INTO mentor_stories (mentor_channel, mentor_external, theme, text, status, "
            "created_at) VALUES (?, ?, ?, ?, 'submitted', ?)",
            (mentor.channel, mentor.external_id, theme, text, to_text(now))))

    async def stories_of(self, mentor: PersonKey) -> list[StoryRow]:
        """One mentor's stories, oldest first."""
        found = await self._read(
            f"SELECT {_STORY} FROM mentor_stories WHERE mentor_channel = ? AND "
            "mentor_external = ? ORDER BY id", (mentor.channel, mentor.external_id))
        return [_story(r) for r in found]

    async def stories(self, status: str) -> list[StoryRow]:
        """Stories with ``status``, oldest first (``submitted``: the staff's queue)."""
        found = await self._read(f"SELECT {_STORY} FROM mentor_stories WHERE status = ? "
                                 "ORDER BY id", (status,))
        return [_story(r) for r in found]

    async def decide_story(self, story_id: int, status: str, now: datetime, *,
                           text: str | None = None, reason: str = "") -> bool:
        """Staff's decision on a submitted story (False if it was decided or withdrawn)."""
        return await self._write((
            "UPDATE mentor_stories SET status = ?, text = COALESCE(?, text), reason = ?, "
            "decided_at = ? WHERE id = ? AND status = 'submitted'",
            (status, text, reason, to_text(now), story_id))) > 0

    async def story_news(self, limit: int = 200) -> list[tuple[StoryRow, PersonKey]]:
        """Decided stories whose writer has not been told yet, oldest first."""
        found = await self._read(
            f"SELECT {_STORY}, mentor_channel, mentor_external FROM mentor_stories WHERE "
            "status != 'submitted' AND told_at IS NULL ORDER BY decided_at, id LIMIT ?",
            (limit,))
        return [(_story(r[:5]), PersonKey(str(r[5]), str(r[6]))) for r in found]

    async def story_news_for(self, mentor: PersonKey) -> StoryRow | None:
        """A decision on one of the mentor's stories they have not been told of yet."""
        found = await self._read(
            f"SELECT {_STORY} FROM mentor_stories WHERE status != 'submitted' AND told_at IS "
            "NULL AND mentor_channel = ? AND mentor_external = ? ORDER BY decided_at, id "
            "LIMIT 1", (mentor.channel, mentor.external_id))
        return _story(found[0]) if found else None

    async def story_told(self, story_id: int, now: datetime) -> bool:
        """Mark a decision as told to its writer; False if it was already."""
        return await self._write(("UPDATE mentor_stories SET told_at = ? WHERE id = ?",
                                  (to_text(now), story_id))) > 0

    async def delete_story(self, mentor: PersonKey, story_id: int) -> bool:
        """The mentor withdraws their story: it is deleted, wherever it was."""
        return await self._write((
            "DELETE FROM mentor_stories WHERE id = ? AND mentor_channel = ? AND "
            "mentor_external = ?", (story_id, mentor.channel, mentor.external_id))) > 0

    async def purge(self, before: datetime) -> int:
        """Delete relayed messages older than ``before`` (the safeguarding period)."""
        return await self._write(("DELETE FROM relay_messages WHERE created_at < ? AND status "
                                  "NOT IN ('held', 'queued', 'reported')", (to_text(before),)))


def mentor_store_for(storage: object) -> MentorStore:
    """The mentoring store beside a storage backend: its own (PostgreSQL), the SQLite file,
    or a private in-memory database for the memory backend."""
    own = getattr(storage, "mentor_store", None)
    if callable(own):
        found: MentorStore = own()
        return found
    path = getattr(storage, "path", None)
    return MentorStore(Path(path) if path is not None else None)
