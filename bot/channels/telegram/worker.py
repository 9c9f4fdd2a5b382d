"""The worker of shared mode: claim loops over the shared inbox.

Each loop claims the oldest pending update of a person nobody else is serving, reads it
(``Update.de_json``, then ``route``) and runs its turn inside the claim's transaction: the
turn, the replies it owes (rows in the shared outbox) and the update's done mark commit
together, or none does. The worker sends no messages: the one sender (sender.py) sends
the owed rows. It answers a pressed button's callback query itself, at once, because that
is not a message (no limit counts it) and Telegram refuses answers after about 15 s.

A turn that raises is rolled back and counted; after ``max_attempts`` the update is
marked done (and logged) so the person's later messages are not held up for ever. A
person who deleted everything, or a group the bot declines, has no outbox: those few
sends go straight from the worker, after the commit (the one exception to "only the
sender sends", said in docs/deploy.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Bot, Update

from bot.channels.telegram.channel import TelegramChannel, person_key
from bot.channels.telegram.ports import Inbox, Owe, Pending
from bot.channels.telegram.render import encode_remove_keyboard
from bot.channels.telegram.updates import Inbound, route
from bot.logsafe import describe

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[Any]]
MAX_ATTEMPTS = 3
IDLE_WAIT = 1.0  # seconds: a safety net under LISTEN/NOTIFY's wake-up


class Worker:
    """``concurrency`` claim loops; ``run`` until ``stop``, finishing the turns taken."""

    def __init__(self, inbox: Inbox, channel: TelegramChannel, bot: Bot, owe: Owe, *,
                 concurrency: int = 8, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.inbox = inbox
        self.channel = channel
        self.bot = bot
        self.owe = owe
        self.concurrency = max(1, concurrency)
        self.max_attempts = max_attempts
        self.handled = 0
        self._loose: set[asyncio.Task[Any]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and handle updates until ``stop``; a turn already taken finishes."""
        await asyncio.gather(*(self._loop(stop) for _ in range(self.concurrency)))
        if self._loose:
            await asyncio.wait(self._loose, timeout=5.0)

    async def _loop(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                took = await self.take_one()
                failures = 0
            except Exception as exc:  # the database is away: try again, more slowly
                failures += 1
                log.warning("claiming an update failed (%d in a row): %s", failures,
                            describe(exc))
                await _wait_or_stop(stop, asyncio.sleep(min(0.5 * 2 ** failures, 10.0)))
                continue
            if not took:
                await _wait_or_stop(stop, self.inbox.wait(IDLE_WAIT))

    async def take_one(self) -> bool:
        """Claim and handle one update; False if none was pending."""
        update_id: int | None = None
        after: list[AfterCommit] = []
        try:
            async with self.inbox.claim() as claimed:
                if claimed is None:
                    return False
                update_id = claimed.update.update_id
                after = await self.handle(claimed.update)
        except Exception as exc:
            if update_id is None:
                raise
            log.error("update %d failed and was rolled back: %s", update_id, describe(exc))
            if await self.inbox.failed(update_id, self.max_attempts):
                log.error("update %d given up after %d attempts", update_id,
                          self.max_attempts)
            return True
        self.handled += 1
        for job in after:
            try:
                await job()
            except Exception as exc:  # committed already; only this send is lost
                log.error("a send after update %d failed: %s", update_id, describe(exc))
        return True

    async def handle(self, pending: Pending) -> list[AfterCommit]:
        """The update's work inside the claim; what to send once it has committed."""
        try:
            update = Update.de_json(json.loads(pending.payload), self.bot)
            inbound = route(update)
        except Exception as exc:  # unreadable: done, never retried
            log.warning("could not read update %d: %s", pending.update_id, describe(exc))
            return []
        channel, chat_id = self.channel, inbound.chat_id
        if inbound.callback_id is not None:  # at once: the spinner stops; not a message
            self._spawn(channel.outbox.answer_callback(inbound.callback_id, chat_id))
        if chat_id is None:
            return []
        if inbound.action == "turn" and inbound.event is not None:
            return await self.turn(chat_id, inbound)
        if inbound.action in ("blocked", "unblocked"):
            await channel.set_reachable(chat_id, inbound.action == "unblocked")
        elif inbound.action == "decline":
            return [lambda: channel.decline(chat_id)]
        elif inbound.action == "leave":
            return [lambda: channel.leave(chat_id)]
        elif inbound.pressed_message_id is not None:  # a press we will not act on
            await self.owe(person_key(chat_id),
                           [encode_remove_keyboard(inbound.pressed_message_id)])
        return []

    async def turn(self, chat_id: int, inbound: Inbound) -> list[AfterCommit]:
        """Run the turn; its replies (and the pressed question's buttons coming off) are
        owed in the outbox, in the claim's transaction."""
        assert inbound.event is not None
        channel, key = self.channel, person_key(chat_id)
        await channel.set_reachable(chat_id, True)  # writing again makes them reachable
        encode = channel.encode_owed
        assert channel.handle_owed is not None and encode is not None
        replies, owed = await channel.handle_owed(key, inbound.event, encode)
        after = ([encode_remove_keyboard(inbound.pressed_message_id)]
                 if inbound.pressed_message_id is not None else [])
        if owed or not replies:
            if after:
                await self.owe(key, after)
            return []
        # Not owed: an error reply, or the answer to someone who just deleted everything.
        if await self.owe(key, [*encode(replies, ""), *after]) == 0:
            return [lambda: channel.send_replies(chat_id, replies)]
        return []

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        # A fresh context: the task may outlive the claim, whose connection it must not
        # inherit (it goes back to the pool when the claim ends).
        task = asyncio.get_running_loop().create_task(work, context=contextvars.Context())
        self._loose.add(task)
        task.add_done_callback(self._loose.discard)


async def _wait_or_stop(stop: asyncio.Event, work: Awaitable[Any]) -> None:
    """``work`` (a wait), cut short by ``stop``."""
    waits = [asyncio.ensure_future(work), asyncio.ensure_future(stop.wait())]
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for wait in waits:
        wait.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.gather(*waits, return_exceptions=True)
