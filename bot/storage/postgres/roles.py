"""Roles and invitations in PostgreSQL (bot.storage.roles.RoleStore), on the storage's pool.

The command line (``goodhelp invite``) and the running workers use the same database at
once; every call is one short transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.keys import PersonKey
from bot.core.roles import IMPLICIT, Invite, Redeemed
from bot.storage.postgres.connection import Conn, Database
from bot.storage.roles import hash_code, new_code
from bot.storage.rows import from_text, to_text

_PERSON = "(SELECT id FROM people WHERE channel = $1 AND external_id = $2)"
_INVITE_COLUMNS = "id, role, cohort, uses_left, expires_at, created_at, revoked_at"


def _invite(row: Any) -> Invite:
    return Invite(int(row[0]), str(row[1]), row[2], int(row[3]), from_text(row[4]),
                  from_text(row[5]), None if row[6] is None else from_text(row[6]))


class PostgresRoleStore:
    """A :class:`bot.storage.roles.RoleStore` over a PostgreSQL pool."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def roles_of(self, key: PersonKey) -> frozenset[str]:
        """Every role the person holds (everyone is a person)."""
        found = await self._db.fetch(f"SELECT role FROM roles WHERE person_id = {_PERSON}",
                                     key.channel, key.external_id)
        return IMPLICIT | {str(r[0]) for r in found}

    async def holds(self, key: PersonKey, role: str) -> bool:
        """Whether the person holds ``role``."""
        return role in await self.roles_of(key)

    async def cohort_of(self, key: PersonKey) -> str | None:
        """The cohort an invitation gave the person, if any."""
        found = await self._db.fetch(
            f"SELECT cohort FROM roles WHERE person_id = {_PERSON} AND cohort IS NOT NULL "
            "ORDER BY role = 'person' DESC, granted_at DESC LIMIT 1",
            key.channel, key.external_id)
        return str(found[0][0]) if found else None

    async def grant(self, key: PersonKey, role: str, now: datetime,
                    cohort: str | None = None) -> bool:
        """Give the role (creating the person if new); False if they held it."""
        async with self._db.connection(transaction=True) as conn:
            return await _grant(conn, key, role, now, cohort, None)

    async def revoke_role(self, key: PersonKey, role: str) -> bool:
        """Take the role away; False if they did not hold it."""
        return await self._db.execute(
            f"DELETE FROM roles WHERE person_id = {_PERSON} AND role = $3",
            key.channel, key.external_id, role) > 0

    async def people_with(self, role: str) -> list[PersonKey]:
        """Everyone holding ``role``, earliest granted first."""
        found = await self._db.fetch(
            "SELECT p.channel, p.external_id FROM roles r JOIN people p "
            "ON p.id = r.person_id WHERE r.role = $1 ORDER BY r.granted_at, p.id", role)
        return [PersonKey(str(r[0]), str(r[1])) for r in found]

    async def create_invite(self, role: str, now: datetime, expires_at: datetime,
                            uses: int = 1, cohort: str | None = None) -> tuple[Invite, str]:
        """Make an invitation; returns it and its code (the only time the code is seen)."""
        code = new_code()
        found = await self._db.fetch(
            "INSERT INTO invites (code_hash, role, cohort, uses_left, expires_at, created_at) "
            f"VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_INVITE_COLUMNS}",
            hash_code(code), role, cohort, uses, to_text(expires_at), to_text(now))
        return _invite(found[0]), code

    async def invites(self) -> list[Invite]:
        """Every invitation, newest first."""
        found = await self._db.fetch(
            f"SELECT {_INVITE_COLUMNS} FROM invites ORDER BY created_at DESC, id DESC")
        return [_invite(r) for r in found]

    async def revoke_invite(self, invite_id: int, now: datetime) -> bool:
        """Revoke an invitation; False if there is none with that id or it was revoked."""
        return await self._db.execute(
            "UPDATE invites SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            to_text(now), invite_id) > 0

    async def redeem(self, key: PersonKey, code: str, now: datetime) -> Redeemed:
        """Use one of the code's uses to give ``key`` its role, atomically."""
        async with self._db.connection(transaction=True) as conn:
            # FOR UPDATE: two people redeeming the last use at once cannot both get it.
            found = await conn.fetchrow(
                f"SELECT {_INVITE_COLUMNS} FROM invites WHERE code_hash = $1 FOR UPDATE",
                hash_code(code))
            if found is None:
                return Redeemed("invalid")
            invite = _invite(found)
            if invite.status(now) != "open":
                return Redeemed("invalid")
            if not await _grant(conn, key, invite.role, now, invite.cohort, invite.id):
                return Redeemed("already", invite.role, invite.cohort)
            await conn.execute("UPDATE invites SET uses_left = uses_left - 1 WHERE id = $1",
                               invite.id)
            return Redeemed("granted", invite.role, invite.cohort)


async def _grant(conn: Conn, key: PersonKey, role: str, now: datetime,
                 cohort: str | None, invite_id: int | None) -> bool:
    params = (key.channel, key.external_id)
    await conn.execute("INSERT INTO people (channel, external_id, created_at) "
                       "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", *params, to_text(now))
    added = await conn.execute(
        "INSERT INTO roles (person_id, role, cohort, invite_id, granted_at) "
        f"VALUES ({_PERSON}, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        *params, role, cohort, invite_id, to_text(now))
    if added == 0 and cohort is not None:
        # Already held: a new invitation with a cohort moves them to that cohort.
        await conn.execute(f"UPDATE roles SET cohort = $3 WHERE person_id = {_PERSON} "
                           "AND role = $4 AND cohort IS DISTINCT FROM $3",
                           *params, cohort, role)
    return added > 0
