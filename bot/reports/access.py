"""Who may have staff reports in Telegram, and for which cohort: the one place that asks.

Staff reports (/report, the weekly digest) ask only three questions, shaped as the role
store of issue 12 (``bot.storage.roles.RoleStore``) answers them: does this person hold
the role ``staff``, which cohort did they join with, and who holds ``staff``. Until that
store is on main, :class:`NoStaff` answers "nobody": the mechanism is built and tested
(tests inject :class:`NamedStaff`), and pointing :func:`staff_directory` at the role
store is the only change left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.core.keys import PersonKey

STAFF = "staff"


class StaffDirectory(Protocol):
    """The part of the role store staff reports use."""

    async def holds(self, key: PersonKey, role: str) -> bool:
        """Whether the person holds ``role``."""

    async def cohort_of(self, key: PersonKey) -> str | None:
        """The cohort the person joined with, or None."""

    async def people_with(self, role: str) -> list[PersonKey]:
        """Everyone holding ``role``."""


@dataclass(frozen=True)
class StaffAccess:
    """A member of staff, and the cohort their reports cover (None: everyone)."""

    key: PersonKey
    cohort: str | None


class NoStaff:
    """No roles yet: nobody is staff."""

    async def holds(self, key: PersonKey, role: str) -> bool:
        return False

    async def cohort_of(self, key: PersonKey) -> str | None:
        return None

    async def people_with(self, role: str) -> list[PersonKey]:
        return []


class NamedStaff:
    """Staff named up front (tests, and a stand-in for the role store): key -> cohort."""

    def __init__(self, staff: Mapping[PersonKey, str | None] | Iterable[PersonKey]) -> None:
        self.staff = dict(staff) if isinstance(staff, Mapping) else dict.fromkeys(staff)

    async def holds(self, key: PersonKey, role: str) -> bool:
        return role == STAFF and key in self.staff

    async def cohort_of(self, key: PersonKey) -> str | None:
        return self.staff.get(key)

    async def people_with(self, role: str) -> list[PersonKey]:
        return list(self.staff) if role == STAFF else []


def staff_directory(storage: object) -> StaffDirectory:
    """The directory for a storage backend (the role store once it is on main)."""
    return NoStaff()


async def staff_access(directory: StaffDirectory, key: PersonKey) -> StaffAccess | None:
    """The person's staff access, or None if they are not staff."""
    if not await directory.holds(key, STAFF):
        return None
    return StaffAccess(key, await directory.cohort_of(key))


async def all_staff(directory: StaffDirectory) -> list[StaffAccess]:
    """Everyone who holds ``staff``, with their cohorts."""
    return [StaffAccess(k, await directory.cohort_of(k)) for k in
            await directory.people_with(STAFF)]
