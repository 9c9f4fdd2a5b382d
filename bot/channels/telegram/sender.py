"""The one sender of shared mode: one bot, one rate, whichever processes run.

Telegram's limits (about 30 messages a second overall, one a second per chat) are per
bot, so several processes sending at once would break them between them. Exactly one
process sends: the one holding the sender's lock (a session-level advisory lock, see
ports.SenderElection). The others try for it every ``retry`` seconds, so when the sender
dies (even by kill -9, which ends its database session and so its lock) another takes
over within a couple of seconds.

While it holds the lock the sender sends the due rows of the shared outbox, per person in
the order they were written, through the usual OwedSender and Limiter (owed.py,
limiter.py), deleting each row once Telegram has confirmed it: a crash between the send
and the deletion sends that one message again, at most one duplicate per crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from bot.channels.telegram.limiter import Limiter
from bot.channels.telegram.owed import Redelivery
from bot.channels.telegram.ports import SenderElection

log = logging.getLogger(__name__)

RETRY = 1.0  # seconds between tries for the lock, and between checks that we hold it
POLL = 0.1  # seconds between looks at the outbox while sending


class SharedRedelivery(Redelivery):
    """Redelivery for the one sender: a 403 seen earlier is not held against new rows."""

    async def _deliver(self, chat_id: int, now: datetime) -> None:
        # Rows are owed only while storage has the person reachable (a worker clears it
        # when they write again), so a 403 this process remembers is out of date.
        self.sender.channel.forget_blocked(chat_id)
        await super()._deliver(chat_id, now)

    def forget_queued(self) -> None:
        """After the sends queue was cancelled: every chat may be queued again."""
        self._queued.clear()


class SharedSender:
    """Takes the sender's lock when it is free, and sends the outbox while holding it."""

    def __init__(self, election: SenderElection, redelivery: SharedRedelivery,
                 limiter: Limiter, *, retry: float = RETRY, drain: float = 10.0) -> None:
        self.election = election
        self.limiter = limiter
        self.redelivery = redelivery
        self.retry = retry
        self.drain = drain
        self.sending = False

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: wait for the lock, send while it is ours, give it up at the end."""
        while not stop.is_set():
            if not await self.election.try_acquire():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.retry)
                continue
            self.limiter.take_over()  # the last sender's sends still count at Telegram
            log.info("this process is now the sender")
            try:
                await self._send_while_held(stop)
            finally:
                self.sending = False
                await self.election.release()
            if not stop.is_set():
                log.warning("lost the sender's lock; another process may send now")

    async def _send_while_held(self, stop: asyncio.Event) -> None:
        self.sending = True
        done = asyncio.Event()
        sending = asyncio.create_task(self.redelivery.run(done))
        try:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.retry)
                if not stop.is_set() and not await self.election.holding():
                    break
        finally:
            done.set()
            with contextlib.suppress(Exception):
                await sending
            sends = self.redelivery.sequencer
            if not await sends.drain(self.drain):
                log.warning("stopping with replies unsent; they stay owed for the next "
                            "sender")
                await sends.cancel()
            self.redelivery.forget_queued()
