"""Where roles and invitations are kept: the :class:`RoleStore` protocol, code making and
hashing, and :func:`role_store_for`, which finds the store beside a storage backend.

Codes are random (``secrets``), shown once when made, and stored only as a SHA-256 hash:
they carry 96 bits, so a hash without a salt cannot be reversed by guessing. Redeeming
answers ``invalid`` alike for an unknown, used, expired or revoked code.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Protocol, cast

from bot.core.keys import PersonKey
from bot.core.roles import Invite, Redeemed, RoleReader, code_digest

CODE_BYTES = 12  # 16 URL-safe characters; Telegram's /start payload allows up to 64


def new_code() -> str:
    """A fresh invitation code, safe in a t.me deep link (letters, digits, - and _)."""
    return secrets.token_urlsafe(CODE_BYTES)


def hash_code(code: str) -> str:
    """What is stored for ``code``: its SHA-256, hex (a sealed code is its digest already)."""
    return code_digest(code)


class RoleStore(RoleReader, Protocol):
    """Roles and invitations; every method is its own small transaction."""

    async def grant(self, key: PersonKey, role: str, now: datetime,
                    cohort: str | None = None) -> bool:
        """Give ``key`` the role (creating the person if new); False if they held it."""

    async def revoke_role(self, key: PersonKey, role: str) -> bool:
        """Take the role away; False if they did not hold it."""

    async def people_with(self, role: str) -> list[PersonKey]:
        """Everyone holding ``role``, earliest granted first."""

    async def create_invite(self, role: str, now: datetime, expires_at: datetime,
                            uses: int = 1, cohort: str | None = None) -> tuple[Invite, str]:
        """Make an invitation; returns it and its code (the only time the code is seen)."""

    async def invites(self) -> list[Invite]:
        """Every invitation, newest first."""

    async def revoke_invite(self, invite_id: int, now: datetime) -> bool:
        """Revoke an invitation; False if there is none with that id or it was revoked."""

    async def redeem(self, key: PersonKey, code: str, now: datetime) -> Redeemed:
        """Use one of the code's uses to give ``key`` its role, atomically."""


def role_store_for(storage: object) -> RoleStore:
    """The role store for a storage backend: its own ``roles`` if it offers one (a new
    backend should), else SQLite's file, or the memory store's own."""
    own = getattr(storage, "roles", None)
    if own is not None:
        return cast(RoleStore, own)
    # PostgreSQL: a store over the storage's own pool.
    made = getattr(storage, "role_store", None)
    if callable(made):
        found_made: RoleStore = made()
        return found_made
    path = getattr(storage, "path", None)
    if path is not None:
        from bot.storage.roles_sqlite import SQLiteRoleStore

        return SQLiteRoleStore(path)
    from bot.storage.roles_memory import MemoryRoleStore

    found = storage.__dict__.get("_role_store")
    if not isinstance(found, MemoryRoleStore):
        found = storage.__dict__["_role_store"] = MemoryRoleStore(storage)
    return found
