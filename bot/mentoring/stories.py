"""Mentors' role-model stories (issue 12, slice 5): the :class:`StoryDesk` for one person.

A mentor writes one (a contact detail is never kept), staff approve, edit or decline it
with kind words, and approved ones join the story library without their writer. Each
call is its own small transaction in the mentoring store, like the rest of the desk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.keys import PersonKey
from bot.core.mentoring import MentorStory
from bot.core.roles import MENTOR, STAFF
from bot.mentoring import checks
from bot.storage.mentoring import StoryRow

if TYPE_CHECKING:  # the desk module builds this one; no import at run time
    from bot.mentoring.desk import Mentoring


class Stories:
    """The :class:`bot.core.mentoring.StoryDesk` for one person."""

    def __init__(self, mentoring: Mentoring, key: PersonKey) -> None:
        self.m = mentoring
        self.key = key

    async def submit(self, theme: str, text: str) -> str:
        """A mentor sends a story for staff to read: submitted, contact (never kept) or unknown."""
        if not await self.m.roles.holds(self.key, MENTOR):
            return "unknown"
        if checks.has_contact(text):
            return "contact"  # never stored, never shown
        await self.m.store.add_story(self.key, theme.strip() or "other", text.strip(),
                                     self.m.clock.now())
        return "submitted"

    async def mine(self) -> list[MentorStory]:
        """The mentor's own stories, with what staff decided."""
        return [_story(row) for row in await self.m.store.stories_of(self.key)]

    async def withdraw(self, number: int) -> bool:
        """Delete the mentor's story numbered as /mystory lists it; False if there is none."""
        mine = await self.m.store.stories_of(self.key)
        if not 1 <= number <= len(mine):
            return False
        return await self.m.store.delete_story(self.key, mine[number - 1].id)

    async def next_for_staff(self) -> MentorStory | None:
        """The oldest story waiting for staff, for a member of staff only."""
        if not await self.m.roles.holds(self.key, STAFF):
            return None
        waiting = await self.m.store.stories("submitted")
        return _story(waiting[0]) if waiting else None

    async def decide(self, story_id: int, decision: str, text: str = "",
                           reason: str = "") -> str:
        """Staff approve, edit or decline a story: done, contact (an edit with one) or gone."""
        if not await self.m.roles.holds(self.key, STAFF):
            return "gone"
        now = self.m.clock.now()
        if decision == "edit":
            if checks.has_contact(text):
                return "contact"
            done = await self.m.store.decide_story(story_id, "approved", now, text=text.strip())
        elif decision == "reject":
            done = await self.m.store.decide_story(story_id, "rejected", now, reason=reason)
        else:
            done = await self.m.store.decide_story(story_id, "approved", now)
        return "done" if done else "gone"

    async def library(self) -> list[MentorStory]:
        """Approved stories, for the story library."""
        return [_story(row) for row in await self.m.store.stories("approved")]


def _story(row: StoryRow) -> MentorStory:
    return MentorStory(row.id, row.theme, row.text, row.status, row.reason)
