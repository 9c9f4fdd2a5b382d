"""The relay dispatcher: delivers messages between mentors and people, like check-ins.

Cross-person delivery needs a durable queue: a mentor's message is written to
``relay_messages`` (queued, or held for staff), and this dispatcher, woken with the
check-in dispatcher, delivers each one by starting the ``relayed`` flow for its recipient
through the service (so their buttons and replies are ordinary turns), sends the replies
through the channel, and only then marks it delivered. A crash between sending and
marking sends that one message twice at most, never loses it.

Pacing: one relayed message per recipient per tick; never into a conversation in
progress (one left untouched for 30 minutes is closed quietly first, as check-ins do);
a person gets no mentor message within ``gap_minutes`` of a check-in prompt or another
mentor message (and the check-in dispatcher waits an hour after a mentor message).
Someone who blocked the bot is skipped until they write again. A message whose mentor
lost the role, or whose link ended, is dropped; a paused link's messages wait. Staff's
decision on a mentor's story (/mystory) reaches its writer the same way, once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.core.roles import MENTOR
from bot.engine.events import Command, Start
from bot.logsafe import describe
from bot.mentoring.desk import Mentoring
from bot.scheduling.dispatcher import Scope, Send, TickReport
from bot.scheduling.planning import parse_moment
from bot.service import Conversations
from bot.storage.base import ReachabilityStore
from bot.storage.mentoring import Link, Relayed

log = logging.getLogger(__name__)
FLOW = "relayed"
IDLE = timedelta(minutes=30)  # a conversation left this long may be interrupted


def recently_messaged(vars: Mapping[str, Any], now: datetime, gap: timedelta) -> bool:
    """Whether the bot messaged the person (a check-in or a mentor's) within ``gap``."""
    for name in ("prompt_at", "relay_at"):
        at = parse_moment(vars.get(name))
        if at is not None and now - at < gap:
            return True
    return False


class RelayDispatcher:
    """Delivers queued relay messages. ``send(key, replies)`` is the channel's delivery."""

    def __init__(self, conversations: Conversations, reachability: ReachabilityStore,
                 clock: Clock, send: Send, scope: Scope | None = None) -> None:
        """``scope``: shared mode's transaction under the recipient's lock (dispatcher.py)."""
        self.scope = scope
        self.conversations = conversations
        self.reachability = reachability
        self.clock = clock
        self.send = send
        # When a recipient was first found mid-conversation, and at which turn.
        self._busy_since: dict[PersonKey, tuple[int, datetime]] = {}

    def _held(self, key: PersonKey) -> AbstractAsyncContextManager[None]:
        return self.scope(key) if self.scope is not None else contextlib.nullcontext()

    @property
    def mentoring(self) -> Mentoring:
        """The service's mentoring (store, settings, roles)."""
        return self.conversations.mentoring

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Deliver the relayed messages that are due and purge old ones; what it did."""
        now = now or self.clock.now()
        report = TickReport()
        settings = self.mentoring.settings
        await self.mentoring.store.purge(now - timedelta(days=settings.keep_days))
        seen: set[PersonKey] = set()
        for message, link in await self.mentoring.store.queued():
            recipient = link.person if message.direction == "to_person" else link.mentor
            if recipient is None or recipient in seen:
                continue
            seen.add(recipient)
            try:
                async with self._held(recipient):
                    report.add(await self.deliver(message, link, recipient, now))
            except Exception as exc:  # one person's problem must not stop the others
                log.error("relayed message %d failed: %s", message.id, describe(exc))
                report.add("error")
        # Staff's decisions on mentors' stories, told to the writer the same way.
        for story, writer in await self.mentoring.store.story_news():
            if writer in seen:
                continue
            seen.add(writer)
            try:
                async with self._held(writer):
                    report.add(await self.tell_story_news(story.id, writer, now))
            except Exception as exc:
                log.error("story %d news failed: %s", story.id, describe(exc))
                report.add("error")
        return report

    async def tell_story_news(self, story_id: int, writer: PersonKey, now: datetime) -> str:
        """Tell a mentor staff's decision on their story, once, at a good moment."""
        found = await self.start_relayed(writer, now, paced=False)
        if found in ("sent", "gone"):
            await self.mentoring.store.story_told(story_id, now)  # told once, or nobody to tell
        return "dropped" if found == "gone" else found

    async def deliver(self, message: Relayed, link: Link, recipient: PersonKey,
                      now: datetime) -> str:
        """Send one relayed message to its recipient, if they can still get it; the outcome."""
        store = self.mentoring.store
        from_mentor = message.direction == "to_person" and message.kind == "message"
        if from_mentor and (link.status == "ended" or link.mentor is None
                            or not await self.mentoring.roles.holds(link.mentor, MENTOR)):
            await store.set_message(message.id, "dropped", now)  # a removed mentor reaches no one
            return "dropped"
        if link.status == "ended" and message.kind not in ("mentor_left",):
            await store.set_message(message.id, "dropped", now)
            return "dropped"
        if from_mentor and link.status == "paused":
            return "paused"
        found = await self.start_relayed(recipient, now,
                                         paced=message.direction == "to_person")
        if found == "gone":
            await store.set_message(message.id, "dropped", now)
            return "dropped"
        if found == "sent":
            await store.set_message(message.id, "delivered", now)
        return found

    async def start_relayed(self, recipient: PersonKey, now: datetime, *, paced: bool) -> str:
        """Start the ``relayed`` flow for ``recipient`` at a good moment and send what it
        says: ``sent``, ``busy``, ``waiting`` (``paced``: within the gap of another
        message from the bot), ``unreachable`` or ``gone`` (nobody stored to tell)."""
        if not await self.reachability.is_reachable(recipient):
            return "unreachable"
        state = await self.conversations.state_of(recipient)
        if state is None:
            return "gone"
        if state.flow is not None:
            # Never into a conversation in progress; one left alone for IDLE (a menu
            # nobody answered) is closed quietly first, as check-ins do.
            first = self._busy_since.setdefault(recipient, (state.turn, now))
            if first[0] != state.turn:
                self._busy_since[recipient] = (state.turn, now)
                return "busy"
            if now - first[1] < IDLE:
                return "busy"
            await self.conversations.handle(recipient, Command("cancel"))
        self._busy_since.pop(recipient, None)
        gap = timedelta(minutes=self.mentoring.settings.gap_minutes)
        if paced and recently_messaged(state.vars, now, gap):
            return "waiting"
        replies = await self.conversations.handle(recipient, Start(FLOW, reason="relay"))
        if not replies:
            return "busy"
        await self.send(recipient, replies)
        return "sent"
