"""The mentoring desk: what a flow's actions ask for one person, mentor or staff member.

The service binds one to each turn (``reader.peers()``). Every write here is its own small
transaction, like redeeming an invitation: a message is queued or held whether or not
the turn that wrote it is kept, and the turn's reply says which.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.core.mentoring import HeldMessage, Mentee, PeerCheck, Relayed, Shared
from bot.core.roles import MENTOR, STAFF
from bot.mentoring import checks
from bot.mentoring.settings import MentoringSettings
from bot.mentoring.stories import Stories
from bot.storage.base import RecordReader
from bot.storage.mentoring import Link, MentorStore
from bot.storage.roles import RoleStore


@dataclass
class Mentoring:
    """Everything the desks share: stores, settings, the crisis check, the clock."""

    store: MentorStore
    roles: RoleStore
    records: RecordReader
    settings: MentoringSettings
    crisis: Callable[[str], bool]
    clock: Clock
    # A person's stored variables (for the name a mentor gave the bot, shown to staff).
    variables: Callable[[PersonKey], Awaitable[Mapping[str, Any] | None]]

    async def conversations_state(self, key: PersonKey) -> Mapping[str, Any] | None:
        """The person's stored variables, or None if they never wrote."""
        return await self.variables(key)

    def desk(self, key: PersonKey) -> Desk:
        """The mentoring desk for one person (mentor or mentee)."""
        return Desk(self, key)

    def check(self, text: str) -> PeerCheck:
        """Check a message between peers for contact details, directions and crisis."""
        return checks.check(text, self.settings.directive, self.crisis)

    async def match(self, link: Link, now: datetime) -> bool:
        """Automatic matching: a mentor whose own purpose shares the theme, then the one
        with the fewest people, never above capacity. False if nobody is free."""
        best: tuple[int, int, PersonKey] | None = None
        for order, mentor in enumerate(await self.roles.people_with(MENTOR)):
            if mentor == link.person:
                continue
            load = len(await self.store.links_of_mentor(mentor))
            if load >= self.settings.capacity:
                continue
            themes = {p.theme for p in await self.records.purposes(mentor) if p.active}
            rank = (0 if link.theme and link.theme in themes else 1, load, order)
            if best is None or rank[:2] < best[:2]:
                best = (rank[0], rank[1], mentor)
        if best is None:
            return False
        return await self.assign(link, best[2], now)

    async def assign(self, link: Link, mentor: PersonKey, now: datetime) -> bool:
        """Match ``link`` with ``mentor`` (who must hold the role) and tell both, kindly."""
        if not await self.roles.holds(mentor, MENTOR) or mentor == link.person:
            return False
        if not await self.store.assign(link.id, mentor, now):
            return False
        await self.store.add_message(link.id, "to_person", "matched", "", "queued", now)
        await self.store.add_message(link.id, "to_mentor", "matched", "", "queued", now)
        return True

    async def remove_mentor(self, mentor: PersonKey, now: datetime) -> int:
        """Take the mentor role away: unsent messages dropped, links ended, each person told
        kindly and put back in the queue for someone else. Returns how many people."""
        await self.roles.revoke_role(mentor, MENTOR)
        people = 0
        for link in await self.store.links_of_mentor(mentor):
            await self.store.drop_unsent(link.id)
            await self.store.set_status(link.id, "ended", now)
            fresh = await self.store.create_link(
                link.person, now, first_name=link.first_name, theme=link.theme,
                purpose=link.purpose, signals=link.signals)
            await self.store.add_message(fresh.id, "to_person", "mentor_left", "", "queued",
                                         now)
            if self.settings.matching == "automatic":
                await self.match(fresh, now)
            people += 1
        return people


class Desk:
    """The :class:`bot.core.mentoring.PeerDesk` for one person."""

    def __init__(self, mentoring: Mentoring, key: PersonKey) -> None:
        self.m = mentoring
        self.key = key

    async def request_mentor(self, shared: Shared) -> str:
        """Ask for a mentor, sharing what the person chose; the outcome's name."""
        now = self.m.clock.now()
        if await self.m.store.current_link(self.key) is not None:
            return "already"
        if self.m.check(shared.first_name).contact or self.m.check(shared.purpose).contact:
            # A contact detail in a name or purpose is left out, never passed on.
            shared = Shared("" if checks.has_contact(shared.first_name) else shared.first_name,
                            shared.theme,
                            "" if checks.has_contact(shared.purpose) else shared.purpose,
                            shared.signals)
        link = await self.m.store.create_link(self.key, now, first_name=shared.first_name,
                                              theme=shared.theme, purpose=shared.purpose,
                                              signals=shared.signals)
        if self.m.settings.matching == "automatic" and await self.m.match(link, now):
            return "matched"
        return "waiting"

    async def mentor_status(self) -> str:
        """The person's link status (waiting, active, paused, ended) or none."""
        link = await self.m.store.current_link(self.key)
        return "none" if link is None else link.status

    async def set_mentor_status(self, status: str) -> bool:
        """Pause, resume or end the person's mentoring; False if there is nothing to change."""
        link = await self.m.store.current_link(self.key)
        if link is None or (link.status == "waiting" and status != "ended"):
            return False
        now = self.m.clock.now()
        if status == "ended":
            await self.m.store.drop_unsent(link.id)
        return await self.m.store.set_status(link.id, status, now)

    async def rematch(self) -> str:
        """End the current link and ask for a new mentor; the outcome's name."""
        link = await self.m.store.current_link(self.key)
        if link is None:
            return "none"
        await self.set_mentor_status("ended")
        return await self.request_mentor(Shared(link.first_name, link.theme, link.purpose,
                                                link.signals))

    async def mentees(self) -> list[Mentee]:
        """The mentor's current mentees, with what they shared (none if not a mentor)."""
        if not await self.m.roles.holds(self.key, MENTOR):
            return []
        week_ago = self.m.clock.now() - timedelta(days=7)
        found = []
        for link in await self.m.store.links_of_mentor(self.key):
            win = None
            if link.signals:
                wins = await self.m.records.achievements(link.person, 1)
                win = bool(wins) and wins[0].at >= week_ago
            found.append(Mentee(link.ref, pseudonym(link),
                                Shared(link.first_name, link.theme, link.purpose, link.signals),
                                link.status, win))
        return found

    async def check(self, text: str) -> PeerCheck:
        """Check a message this person wants to relay."""
        return self.m.check(text)

    async def send_to_mentee(self, ref: str, text: str) -> str:
        """Queue a mentor's message for the mentee with ``ref``; the outcome's name."""
        if not await self.m.roles.holds(self.key, MENTOR):
            return "unknown"
        link = next((lk for lk in await self.m.store.links_of_mentor(self.key)
                     if lk.ref.casefold() == ref.strip().casefold()), None)
        if link is None:
            return "unknown"
        if link.status == "paused" and not self.m.check(text).crisis:
            return "paused"  # crisis words go to staff whatever the person chose
        return await self._relay(link, "to_person", "message", text,
                                 every=self.m.settings.approval == "all")

    async def reply_to_mentor(self, text: str, kind: str = "reply") -> str:
        """Queue a mentee's reply (or thanks) for their mentor; the outcome's name."""
        link = await self.m.store.current_link(self.key)
        if link is None or link.mentor is None or link.status == "waiting":
            return "none"
        return await self._relay(link, "to_mentor", kind, text, every=False)

    async def match_next(self) -> str:
        """Staff: match the longest-waiting person with the best free mentor:
        ``matched``, ``nobody`` (nobody waiting) or ``no_mentor`` (nobody free)."""
        if not await self.m.roles.holds(self.key, STAFF):
            return "nobody"
        waiting = await self.m.store.waiting()
        if not waiting:
            return "nobody"
        return "matched" if await self.m.match(waiting[0], self.m.clock.now()) else "no_mentor"

    async def next_held(self) -> HeldMessage | None:
        """Staff: the oldest message waiting for a decision (held or reported)."""
        if not await self.m.roles.holds(self.key, STAFF):
            return None
        held = await self.m.store.held()
        if not held:
            return None
        message, _ = held[0]
        return HeldMessage(message.id, message.text, message.flags, message.status,
                           "mentor" if message.direction == "to_person" else "person")

    async def moderate(self, message_id: int, decision: str, text: str = "",
                       reason: str = "") -> str:
        """Staff: ``approve``, ``edit`` (with ``text``) or ``reject`` (with a kind ``reason``
        sent to the author). ``done``, ``contact`` (the edit has a contact detail) or
        ``gone``."""
        if not await self.m.roles.holds(self.key, STAFF):
            return "gone"
        message = await self.m.store.message(message_id)
        if message is None or message.status not in ("held", "reported"):
            return "gone"
        now = self.m.clock.now()
        if message.status == "reported":
            # A report is about a message already delivered: approving keeps it, rejecting
            # tells the mentor kindly; either way it leaves the queue.
            status = "delivered" if decision != "reject" else "rejected"
            await self.m.store.set_message(message.id, status, now, reason=reason)
        elif decision == "reject":
            await self.m.store.set_message(message.id, "rejected", now, reason=reason)
        elif decision == "edit":
            if checks.has_contact(text):
                return "contact"
            await self.m.store.set_message(message.id, "queued", now, text=text)
        else:
            await self.m.store.set_message(message.id, "queued", now)
        if decision == "reject":
            back = "to_mentor" if message.direction == "to_person" else "to_person"
            await self.m.store.add_message(message.link_id, back, "rejected", "", "queued",
                                           now, reason=reason)
        return "done"

    async def mentor_load(self) -> list[tuple[int, str, int]]:
        """Staff: each mentor as (number, name they gave the bot, people now)."""
        if not await self.m.roles.holds(self.key, STAFF):
            return []
        found = []
        for number, mentor in enumerate(await self.m.roles.people_with(MENTOR), 1):
            state = await self.m.conversations_state(mentor)
            name = str((state or {}).get("name") or "").strip(", ") or "-"
            found.append((number, name, len(await self.m.store.links_of_mentor(mentor))))
        return found

    async def remove_mentor_number(self, number: int) -> int | None:
        """Staff: remove the mentor listed as ``number``; how many people were told."""
        if not await self.m.roles.holds(self.key, STAFF):
            return None
        mentors = await self.m.roles.people_with(MENTOR)
        if not 1 <= number <= len(mentors):
            return None
        return await self.m.remove_mentor(mentors[number - 1], self.m.clock.now())

    async def next_for_me(self) -> Relayed | None:
        """The next relayed message waiting for this person, or None."""
        found = await self.m.store.queued_for(self.key)
        if found is None:
            # Staff's decision on one of their stories, told once (the dispatcher marks it).
            news = await self.m.store.story_news_for(self.key)
            if news is None:
                return None
            return Relayed(news.id, f"story_{news.status}", news.text, "", news.reason)
        message, link = found
        sender = pseudonym(link) if message.direction == "to_mentor" else ""
        return Relayed(message.id, message.kind, message.text, sender, message.reason)

    async def report_mentor_message(self) -> bool:
        """Report the mentor's last message to staff; False if there is none."""
        link = await self.m.store.current_link(self.key)
        if link is None:
            return False
        last = await self.m.store.last_delivered(link.id, "to_person")
        if last is None:
            return False
        return await self.m.store.set_message(last.id, "reported", self.m.clock.now(),
                                              reason="reported by the person")

    def stories(self) -> Stories:
        """Mentor-written stories, as this person may see and handle them."""
        return Stories(self.m, self.key)

    async def _relay(self, link: Link, direction: str, kind: str, text: str, *,
                     every: bool) -> str:
        now = self.m.clock.now()
        found = self.m.check(text)
        if found.contact:
            return "blocked"  # never stored, never passed
        if not found.crisis and kind in ("message", "reply") and await self.m.store.count_since(
                link.id, direction, now - timedelta(days=1)) >= self.m.settings.per_day_per_pair:
            return "limit"
        held = found.crisis or every
        await self.m.store.add_message(link.id, direction, kind, text,
                                       "held" if held else "queued", now, found.flags)
        return "held" if held else "queued"


def pseudonym(link: Link) -> str:
    """How a mentor names a person: their code, with the first name they chose to share."""
    return f"{link.first_name} ({link.ref})" if link.first_name else link.ref
