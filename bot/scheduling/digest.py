"""The weekly digest: on Monday morning, the staff report for every member of staff who
asked for it in /report.

Like the dispatcher it only starts a flow through the service (flows/digest.yaml, which
stays silent for anyone who did not ask, or who had this week's already) and hands the
replies to the channel. The flow keeps the Monday of the last digest sent in the person's
state (``digest_week``), committed with the turn, so a restart never sends a week's twice;
a digest whose send fails after that commit is not tried again (the next one comes the
next Monday, and /report gives it at any time). Who is staff comes from
bot/reports/access.py. Time comes from the clock, so tests move a FakeClock and call
:meth:`WeeklyDigest.tick`.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.engine.events import Start
from bot.logsafe import describe
from bot.reports.access import all_staff
from bot.scheduling.dispatcher import Scope, Send
from bot.service import Conversations

log = logging.getLogger(__name__)
DIGEST_FLOW = "digest"
SEND_AT = time(8, 0)  # Monday, UTC


def week_of(now: datetime) -> str:
    """The Monday (ISO date, UTC) of the week ``now`` falls in."""
    return (now.date() - timedelta(days=now.weekday())).isoformat()


class WeeklyDigest:
    """Starts the digest flow for each member of staff once a week, after ``SEND_AT``."""

    def __init__(self, conversations: Conversations, send: Send, clock: Clock,
                 flow: str = DIGEST_FLOW, scope: Scope | None = None) -> None:
        """``scope``: shared mode's transaction under the person's lock (dispatcher.py)."""
        self.scope = scope
        self.conversations = conversations
        self.send = send
        self.clock = clock
        self.flow = flow
        self._done: set[tuple[str, PersonKey]] = set()  # (week, person) handled

    async def tick(self, now: datetime | None = None) -> int:
        """Send what is due; how many digests were sent."""
        now = now or self.clock.now()
        week = week_of(now)
        if now.time() < SEND_AT and now.weekday() == 0:
            return 0
        self._done = {d for d in self._done if d[0] == week}
        sent = 0
        for access in await all_staff(self.conversations.roles):
            key = access.key
            if (week, key) in self._done:
                continue
            try:
                if self.scope is None:
                    sent += await self._offer(key, week)
                else:
                    async with self.scope(key):
                        sent += await self._offer(key, week)
            except Exception as exc:  # the next tick tries again
                log.warning("weekly digest failed: %s", describe(exc))
        return sent

    async def _offer(self, key: PersonKey, week: str) -> int:
        state = await self.conversations.state_of(key)
        vars = state.vars if state is not None else {}
        if vars.get("report_digest") != "on" or vars.get("digest_week") == week:
            self._done.add((week, key))  # nothing to send this week: no turn at all
            return 0
        replies = await self.conversations.handle(key, Start(self.flow, reason="scheduled:digest"))
        if not replies:
            return 0  # in the middle of a conversation: tried again at the next tick
        self._done.add((week, key))
        await self.send(key, replies)
        return 1
