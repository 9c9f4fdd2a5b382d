"""Roles and invitations in the SQLite file (migration 0009).

Each call opens its own short connection with a busy timeout, the way ``goodhelp alerts``
does, so the same code serves the running bot and the command line beside it (which
cannot open the storage while the bot holds the file's process lock). Role checks happen
only when a flow that declares ``roles:`` is asked for, so the cost stays off ordinary turns.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import aiosqlite

from bot.core.keys import PersonKey
from bot.core.roles import IMPLICIT, Invite, Redeemed
from bot.storage.base import StorageError
from bot.storage.roles import hash_code, new_code
from bot.storage.rows import from_text, to_text
from bot.storage.transaction import BUSY_SECONDS, connect, transaction

T = TypeVar("T")
_PERSON = "(SELECT id FROM people WHERE channel = ? AND external_id = ?)"
_INVITE_COLUMNS = "id, role, cohort, uses_left, expires_at, created_at, revoked_at"


def _invite(row: sqlite3.Row | tuple[object, ...]) -> Invite:
    return Invite(int(str(row[0])), str(row[1]), None if row[2] is None else str(row[2]),
                  int(str(row[3])), from_text(str(row[4])), from_text(str(row[5])),
                  None if row[6] is None else from_text(str(row[6])))


class SQLiteRoleStore:
    """A :class:`bot.storage.roles.RoleStore` over one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._checked = False

    async def _ensure_tables(self) -> None:
        if self._checked:
            return
        if not await asyncio.to_thread(self.path.is_file):
            raise StorageError(f"{self.path}: no database here (is --db right?)")
        async with aiosqlite.connect(self.path, timeout=BUSY_SECONDS) as conn:
            found = list(await conn.execute_fetchall(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'roles'"))
        if not found:  # an older file, with the bot stopped: migrate it
            from bot.storage.sqlite import SQLiteStorage

            storage = SQLiteStorage(self.path)
            await storage.open()
            await storage.close()
        self._checked = True

    async def _run(self, work: Callable[[aiosqlite.Connection], Awaitable[T]],
                   write: bool = False) -> T:
        await self._ensure_tables()
        conn = await connect(self.path)
        try:
            return await transaction(conn, work, write=write, failed=(
                f"{self.path}: roles could not be read or written"))
        finally:
            await conn.close()

    async def roles_of(self, key: PersonKey) -> frozenset[str]:
        """The roles the person holds (``person`` always)."""
        async def work(conn: aiosqlite.Connection) -> frozenset[str]:
            found = await conn.execute_fetchall(
                f"SELECT role FROM roles WHERE person_id = {_PERSON}",
                (key.channel, key.external_id))
            return IMPLICIT | {str(r[0]) for r in found}

        return await self._run(work)

    async def holds(self, key: PersonKey, role: str) -> bool:
        """Whether the person holds ``role``."""
        return role in await self.roles_of(key)

    async def cohort_of(self, key: PersonKey) -> str | None:
        """The cohort of the person's latest grant that names one, or None."""
        async def work(conn: aiosqlite.Connection) -> str | None:
            found = list(await conn.execute_fetchall(
                f"SELECT cohort FROM roles WHERE person_id = {_PERSON} AND cohort IS NOT NULL "
                "ORDER BY role = 'person' DESC, granted_at DESC LIMIT 1",
                (key.channel, key.external_id)))
            return str(found[0][0]) if found else None

        return await self._run(work)

    async def grant(self, key: PersonKey, role: str, now: datetime,
                    cohort: str | None = None) -> bool:
        """Give the role (creating the person if new); False if they held it."""
        async def work(conn: aiosqlite.Connection) -> bool:
            return await _grant(conn, key, role, now, cohort, None)

        return await self._run(work, write=True)

    async def revoke_role(self, key: PersonKey, role: str) -> bool:
        """Take the role away; False if they did not hold it."""
        async def work(conn: aiosqlite.Connection) -> bool:
            cursor = await conn.execute(
                f"DELETE FROM roles WHERE person_id = {_PERSON} AND role = ?",
                (key.channel, key.external_id, role))
            return cursor.rowcount > 0

        return await self._run(work, write=True)

    async def people_with(self, role: str) -> list[PersonKey]:
        """Everyone holding ``role``, earliest granted first."""
        async def work(conn: aiosqlite.Connection) -> list[PersonKey]:
            found = await conn.execute_fetchall(
                "SELECT p.channel, p.external_id FROM roles r JOIN people p "
                "ON p.id = r.person_id WHERE r.role = ? ORDER BY r.granted_at, p.id", (role,))
            return [PersonKey(str(r[0]), str(r[1])) for r in found]

        return await self._run(work)

    async def create_invite(self, role: str, now: datetime, expires_at: datetime,
                            uses: int = 1, cohort: str | None = None) -> tuple[Invite, str]:
        """Make an invitation; it and its code (only a hash of the code is stored)."""
        code = new_code()

        async def work(conn: aiosqlite.Connection) -> Invite:
            cursor = await conn.execute(
                "INSERT INTO invites (code_hash, role, cohort, uses_left, expires_at, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (hash_code(code), role, cohort, uses, to_text(expires_at), to_text(now)))
            return Invite(int(cursor.lastrowid or 0), role, cohort, uses,
                          from_text(to_text(expires_at)), from_text(to_text(now)))

        return await self._run(work, write=True), code

    async def invites(self) -> list[Invite]:
        """Every invitation, newest first."""
        async def work(conn: aiosqlite.Connection) -> list[Invite]:
            found = await conn.execute_fetchall(
                f"SELECT {_INVITE_COLUMNS} FROM invites ORDER BY created_at DESC, id DESC")
            return [_invite(r) for r in found]

        return await self._run(work)

    async def revoke_invite(self, invite_id: int, now: datetime) -> bool:
        """Revoke an invitation; False if unknown or already revoked."""
        async def work(conn: aiosqlite.Connection) -> bool:
            cursor = await conn.execute(
                "UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (to_text(now), invite_id))
            return cursor.rowcount > 0

        return await self._run(work, write=True)

    async def redeem(self, key: PersonKey, code: str, now: datetime) -> Redeemed:
        """Use one of a code's uses to give its role, in one transaction."""
        async def work(conn: aiosqlite.Connection) -> Redeemed:
            found = list(await conn.execute_fetchall(
                f"SELECT {_INVITE_COLUMNS} FROM invites WHERE code_hash = ?",
                (hash_code(code),)))
            if not found:
                return Redeemed("invalid")
            invite = _invite(found[0])
            if invite.status(now) != "open":
                return Redeemed("invalid")
            if not await _grant(conn, key, invite.role, now, invite.cohort, invite.id):
                return Redeemed("already", invite.role, invite.cohort)
            await conn.execute("UPDATE invites SET uses_left = uses_left - 1 WHERE id = ?",
                               (invite.id,))
            return Redeemed("granted", invite.role, invite.cohort)

        return await self._run(work, write=True)


async def _grant(conn: aiosqlite.Connection, key: PersonKey, role: str, now: datetime,
                 cohort: str | None, invite_id: int | None) -> bool:
    params = (key.channel, key.external_id)
    await conn.execute("INSERT OR IGNORE INTO people (channel, external_id, created_at) "
                       "VALUES (?, ?, ?)", (*params, to_text(now)))
    cursor = await conn.execute(
        "INSERT OR IGNORE INTO roles (person_id, role, cohort, invite_id, granted_at) "
        f"VALUES ({_PERSON}, ?, ?, ?, ?)", (*params, role, cohort, invite_id, to_text(now)))
    if cursor.rowcount == 0 and cohort is not None:
        # Already held: a new invitation with a cohort moves them to that cohort.
        await conn.execute(f"UPDATE roles SET cohort = ? WHERE person_id = {_PERSON} "
                           "AND role = ? AND cohort IS NOT ?", (cohort, *params, role, cohort))
    return cursor.rowcount > 0
