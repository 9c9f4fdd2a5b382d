"""Roles (person, mentor, staff) and invitations: the types every layer shares.

One account may hold several roles. Everybody who talks to the bot is a ``person``
(implicitly: it needs no invitation); ``mentor`` and ``staff`` come only from an
invitation code or the command line. A flow declares ``roles:`` to say who may run it.

Other code asks two questions through :class:`RoleReader`: "does this person hold role
R" (:meth:`RoleReader.holds`) and "which cohort are they in" (:meth:`RoleReader.cohort_of`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.keys import PersonKey

PERSON, MENTOR, STAFF = "person", "mentor", "staff"
ROLES: tuple[str, ...] = (PERSON, MENTOR, STAFF)
IMPLICIT: frozenset[str] = frozenset({PERSON})  # held by everyone, no invitation needed


class RoleReader(Protocol):
    """Read a person's roles and cohort; the seam other features use (reports, mentors)."""

    async def roles_of(self, key: PersonKey) -> frozenset[str]:
        """Every role the person holds, ``person`` included."""

    async def holds(self, key: PersonKey, role: str) -> bool:
        """Whether the person holds ``role``."""

    async def cohort_of(self, key: PersonKey) -> str | None:
        """The cohort the person joined with (from their invitation), or None."""


@dataclass(frozen=True)
class Invite:
    """An invitation as staff see it: never the code itself (only its hash is stored)."""

    id: int
    role: str
    cohort: str | None
    uses_left: int
    expires_at: datetime
    created_at: datetime
    revoked_at: datetime | None = None

    def status(self, now: datetime) -> str:
        """``open``, ``used``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.uses_left <= 0:
            return "used"
        if self.expires_at <= now:
            return "expired"
        return "open"


@dataclass(frozen=True)
class Redeemed:
    """What redeeming a code did: ``outcome`` is ``granted``, ``already`` (they held the
    role) or ``invalid`` (unknown, used up, expired or revoked: one answer for all, so a
    guess learns nothing)."""

    outcome: str
    role: str | None = None
    cohort: str | None = None


@dataclass(frozen=True)
class StaffAccess:
    """A member of staff, and the cohort their reports cover (None: everyone)."""

    key: PersonKey
    cohort: str | None


async def staff_access(roles: RoleReader, key: PersonKey) -> StaffAccess | None:
    """The person's staff access (for /report and the digest), or None if not staff."""
    if not await roles.holds(key, STAFF):
        return None
    return StaffAccess(key, await roles.cohort_of(key))


# An invitation code is a credential: only its digest is ever stored. A /start payload is
# sealed (kept as its digest, marked) before it reaches the person's state, since a
# newcomer's state is kept before they answer the privacy note; redeeming accepts either.
SEALED = "sha256:"


def code_digest(code: str) -> str:
    """The SHA-256 (hex) of an invitation code, or the digest a sealed code carries."""
    code = code.strip()
    if code.startswith(SEALED):
        return code[len(SEALED):]
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def seal_code(code: str) -> str:
    """A code as it may be kept in a person's state: its digest, marked as one."""
    return SEALED + code_digest(code)
