"""Who may have staff reports in Telegram, and for which cohort: the one place that asks.

Staff reports (/report, the weekly digest) ask only three questions, and the role store
(``bot.storage.roles.RoleStore``, filled by ``goodhelp invite staff`` links) answers them:
does this person hold the role ``staff``, which cohort did they join with, and who holds
``staff``. A member of staff invited for a cohort sees that cohort's report only.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.keys import PersonKey
from bot.core.roles import STAFF, StaffAccess


class StaffDirectory(Protocol):
    """The part of the role store staff reports use."""

    async def holds(self, key: PersonKey, role: str) -> bool:
        """Whether the person holds ``role``."""

    async def cohort_of(self, key: PersonKey) -> str | None:
        """The cohort the person joined with, or None."""

    async def people_with(self, role: str) -> list[PersonKey]:
        """Everyone holding ``role``."""


async def all_staff(directory: StaffDirectory) -> list[StaffAccess]:
    """Everyone who holds ``staff``, with their cohorts."""
    return [StaffAccess(k, await directory.cohort_of(k)) for k in
            await directory.people_with(STAFF)]
