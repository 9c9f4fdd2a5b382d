"""Peer mentoring: what a mentor may see of a person, and the desk actions talk to.

A mentor sees a person only as a :class:`Mentee`: a pseudonym the bot made, plus what
the person chose to share (a first name or nickname, their purpose's theme, their purpose
in their own words) and signals they allowed. Never a Telegram id, username or phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Shared:
    """What a person agreed to share with a mentor; empty strings mean "not shared"."""

    first_name: str = ""
    theme: str = ""
    purpose: str = ""
    signals: bool = False  # "logged a win this week"


@dataclass(frozen=True)
class Mentee:
    """One person as their mentor sees them."""

    ref: str  # the link's pseudonymous handle, e.g. "P7"; never the person's key
    pseudonym: str
    shared: Shared
    status: str  # active or paused
    win_this_week: bool | None = None  # None unless the person allowed signals


@dataclass(frozen=True)
class PeerCheck:
    """What the checks found in a message between a mentor and a person."""

    contact: bool = False  # a phone, email, @handle or link: never passed on
    directive: tuple[str, ...] = ()  # "you should" and the like: a gentle suggestion
    crisis: bool = False  # held for staff

    @property
    def flags(self) -> str:
        """The concerns found, comma-separated, as stored beside a relayed message."""
        return ",".join(name for name, on in (("contact", self.contact),
                                              ("directive", bool(self.directive)),
                                              ("crisis", self.crisis)) if on)


@dataclass(frozen=True)
class Relayed:
    """A message on its way to the current person, as their delivery flow shows it."""

    id: int
    kind: str  # message, reply, thanks, matched, mentor_left, rejected; story_approved,
    # story_rejected (staff's decision on a mentor's story)
    text: str
    sender: str  # for a mentor: the person's pseudonym; for a person: "" (their mentor)
    reason: str = ""


@dataclass(frozen=True)
class HeldMessage:
    """A message waiting for staff: held by the checks or approval, or reported."""

    id: int
    text: str
    flags: str
    status: str  # held or reported
    author: str  # mentor or person


@dataclass(frozen=True)
class MentorStory:
    """A role-model story a mentor wrote, as its author, staff or the library sees it
    (never with who wrote it)."""

    id: int
    theme: str
    text: str
    status: str  # submitted (waiting for staff), approved (in the library) or rejected
    reason: str = ""  # staff's kind words to the author when it is not shared


class StoryDesk(Protocol):
    """Mentors' role-model stories (issue 12, slice 5) for the current person."""

    async def submit(self, theme: str, text: str) -> str:
        """A mentor's story for the library: ``submitted`` (waiting for staff),
        ``contact`` (a contact detail: not kept) or ``unknown`` (not a mentor)."""

    async def mine(self) -> list[MentorStory]:
        """A mentor's own stories, oldest first, whatever their status."""

    async def withdraw(self, number: int) -> bool:
        """A mentor withdraws their ``number``-th story (as ``mine`` lists them)."""

    async def next_for_staff(self) -> MentorStory | None:
        """Staff: the oldest story waiting for a decision."""

    async def decide(self, story_id: int, decision: str, text: str = "",
                           reason: str = "") -> str:
        """Staff: approve, edit (with ``text``) or reject (with a kind ``reason``) a story:
        ``done``, ``contact`` (the edit has a contact detail) or ``gone``."""

    async def library(self) -> list[MentorStory]:
        """The approved mentors' stories, for the story library (no authors)."""


class PeerDesk(Protocol):
    """The mentoring mechanisms a flow's actions call for the current person."""

    async def request_mentor(self, shared: Shared) -> str:
        """Ask for a mentor: ``matched``, ``waiting`` or ``already``."""

    async def mentor_status(self) -> str:
        """``none``, ``waiting``, ``active`` or ``paused``."""

    async def set_mentor_status(self, status: str) -> bool:
        """The person pauses (``paused``), resumes (``active``) or stops (``ended``)."""

    async def rematch(self) -> str:
        """Someone else: ends the current link and asks again with the same sharing."""

    async def mentees(self) -> list[Mentee]:
        """For a mentor: their people, under pseudonyms."""

    async def check(self, text: str) -> PeerCheck:
        """Run the peer-message checks on ``text`` (nothing is stored)."""

    async def send_to_mentee(self, ref: str, text: str) -> str:
        """A mentor's message to ``ref``: ``queued``, ``held``, ``blocked`` (a contact
        detail), ``limit`` (today's per-pair limit), ``paused`` or ``unknown``."""

    async def reply_to_mentor(self, text: str, kind: str = "reply") -> str:
        """A person's reply or thanks to their mentor: ``queued``, ``held``, ``blocked``
        or ``none`` (no mentor)."""

    async def match_next(self) -> str:
        """Staff: match the longest-waiting person: ``matched``, ``nobody``, ``no_mentor``."""

    async def next_held(self) -> HeldMessage | None:
        """Staff: the oldest message waiting for a decision."""

    async def moderate(self, message_id: int, decision: str, text: str = "",
                       reason: str = "") -> str:
        """Staff: approve, edit or reject a held message: ``done``, ``contact``, ``gone``."""

    async def mentor_load(self) -> list[tuple[int, str, int]]:
        """Staff: (number, name, people) for each mentor."""

    async def remove_mentor_number(self, number: int) -> int | None:
        """Staff: remove mentor ``number``; how many people were told, or None."""

    async def next_for_me(self) -> Relayed | None:
        """The oldest message waiting to be delivered to this person (or mentor)."""

    async def report_mentor_message(self) -> bool:
        """The person reports the last message they had from their mentor to staff."""

    def stories(self) -> StoryDesk:
        """Mentors' stories: writing, staff review and the library's share of them."""

