"""Roles and invitations in memory, beside :class:`bot.storage.memory.MemoryStorage`.

Roles are tied to the person's id in that storage, so deleting the person drops their
roles, as SQLite's cascade does; a re-created person starts with none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.core.keys import PersonKey
from bot.core.roles import IMPLICIT, Invite, Redeemed
from bot.storage.roles import hash_code, new_code
from bot.storage.rows import from_text, to_text


@dataclass(frozen=True)
class _Grant:
    person_id: int
    role: str
    cohort: str | None
    granted_at: str


class MemoryRoleStore:
    """A :class:`bot.storage.roles.RoleStore` in dicts (every method atomic)."""

    def __init__(self, storage: Any) -> None:
        self._storage = storage
        self._grants: dict[PersonKey, list[_Grant]] = {}
        self._invites: dict[str, Invite] = {}  # by code hash

    def _live(self, key: PersonKey) -> list[_Grant]:
        # person_id 0: granted before the person wrote anything (their first turn binds it).
        person = self._storage._people.get(key)
        current = person.id if person is not None else 0
        grants = [replace(g, person_id=current) for g in self._grants.get(key, [])
                  if g.person_id in (0, current)]
        self._grants[key] = grants
        return grants

    async def roles_of(self, key: PersonKey) -> frozenset[str]:
        """The roles the person holds (``person`` always)."""
        return IMPLICIT | {g.role for g in self._live(key)}

    async def holds(self, key: PersonKey, role: str) -> bool:
        """Whether the person holds ``role``."""
        return role in await self.roles_of(key)

    async def cohort_of(self, key: PersonKey) -> str | None:
        """The cohort of the person's latest grant that names one, or None."""
        grants = sorted((g for g in self._live(key) if g.cohort is not None),
                        key=lambda g: (g.role == "person", g.granted_at), reverse=True)
        return grants[0].cohort if grants else None

    async def grant(self, key: PersonKey, role: str, now: datetime,
                    cohort: str | None = None) -> bool:
        """Give the role; False if they held it already."""
        grants = self._live(key)
        for index, held in enumerate(grants):
            if held.role == role:
                if cohort is not None:
                    grants[index] = replace(held, cohort=cohort)
                return False
        person = self._storage._people.get(key)
        grants.append(_Grant(person.id if person is not None else 0, role, cohort,
                             to_text(now)))
        return True

    async def revoke_role(self, key: PersonKey, role: str) -> bool:
        """Take the role away; False if they did not hold it."""
        grants = self._live(key)
        kept = [g for g in grants if g.role != role]
        self._grants[key] = kept
        return len(kept) != len(grants)

    async def people_with(self, role: str) -> list[PersonKey]:
        """Everyone holding ``role``, earliest granted first."""
        found = [(g.granted_at, key) for key in list(self._grants)
                 for g in self._live(key) if g.role == role]
        return [key for _, key in sorted(found, key=lambda item: item[0])]

    async def create_invite(self, role: str, now: datetime, expires_at: datetime,
                            uses: int = 1, cohort: str | None = None) -> tuple[Invite, str]:
        """Make an invitation; it and its code (only a hash of the code is kept)."""
        code = new_code()
        invite = Invite(len(self._invites) + 1, role, cohort, uses,
                        from_text(to_text(expires_at)), from_text(to_text(now)))
        self._invites[hash_code(code)] = invite
        return invite, code

    async def invites(self) -> list[Invite]:
        """Every invitation, newest first."""
        return sorted(self._invites.values(), key=lambda i: (i.created_at, i.id), reverse=True)

    async def revoke_invite(self, invite_id: int, now: datetime) -> bool:
        """Revoke an invitation; False if unknown or already revoked."""
        for digest, invite in self._invites.items():
            if invite.id == invite_id and invite.revoked_at is None:
                self._invites[digest] = replace(invite, revoked_at=now)
                return True
        return False

    async def redeem(self, key: PersonKey, code: str, now: datetime) -> Redeemed:
        """Use one of a code's uses to give its role, at once."""
        digest = hash_code(code)
        invite = self._invites.get(digest)
        if invite is None or invite.status(now) != "open":
            return Redeemed("invalid")
        if not await self.grant(key, invite.role, now, invite.cohort):
            return Redeemed("already", invite.role, invite.cohort)
        self._invites[digest] = replace(invite, uses_left=invite.uses_left - 1)
        return Redeemed("granted", invite.role, invite.cohort)
