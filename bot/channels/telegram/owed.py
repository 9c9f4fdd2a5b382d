"""Replies owed, on Telegram: sent from the outbox, kept until Telegram confirms them.

A turn's replies are committed with the turn (``Conversations.handle_owed``), one outbox
row per message. ``OwedSender.send`` sends them in order and deletes each row once the
Bot API has confirmed it. What cannot go now stays owed:

* a 429 with a long retry_after, or a network that keeps failing: the person's rows are
  postponed (by Telegram's wait, or a growing backoff) and ``Redelivery`` sends them
  then, in the chat's queue; replies of later turns wait behind them, in order;
* a restart: ``Redelivery`` sends whatever is still owed when the bot starts;
* 403, the person blocked the bot: everything owed to them is dropped;
* 400 for one message (it can never go): that row is dropped and the rest go on; a chart
  or file refused that way is replaced by a few words (``file_failed`` in system.yaml,
  in the person's language, stored with the file when the turn was committed).

A crash between a send and the row's deletion sends that one message again after the
restart: at most one duplicate per crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.channels.telegram.channel import TelegramChannel, person_key
from bot.channels.telegram.delivery import DeliveryFailed
from bot.channels.telegram.render import REMOVE_KEYBOARD, Outgoing, decode, encode_all, render
from bot.channels.telegram.sequencer import Sequencer
from bot.core.keys import PersonKey
from bot.core.owed import OwedReplies
from bot.engine.events import Reply
from bot.engine.model import Text as MessageText
from bot.logsafe import describe

log = logging.getLogger(__name__)

PERMANENT = frozenset({"bad_request"})  # this message can never be sent: drop it
MAX_BACKOFF = 300.0


def utc_now() -> datetime:
    """The wall clock the outbox rows are compared with; tests pass their own."""
    return datetime.now(UTC)


class OwedSender:
    """Sends owed replies for the channel and keeps the outbox true to what was sent."""

    def __init__(self, channel: TelegramChannel, store: OwedReplies, *,
                 now: Callable[[], datetime] = utc_now, backoff: float = 5.0) -> None:
        self.channel = channel
        self.store = store
        self.now = now
        self.backoff = backoff
        self.held: dict[int, float] = {}  # chat -> loop time before which nothing goes
        self.wake: Callable[[float], None] = lambda seconds: None

    async def send(self, chat_id: int, items: list[tuple[Outgoing, str]], *,
                   attempt: int = 0, redelivering: bool = False) -> None:
        """Send ``(message, ref)`` pairs in order, stopping at the first that must wait."""
        channel, outbox = self.channel, self.channel.outbox
        loop = asyncio.get_running_loop()
        if not redelivering and self.held.get(chat_id, 0.0) > loop.time():
            self.wake(self.held[chat_id] - loop.time())
            return  # an earlier reply is waiting on Telegram: these go out after it
        for done, (out, ref) in enumerate(items):
            if channel.is_blocked(chat_id):
                await self.store.drop_owed(person_key(chat_id))
                outbox.skipped(chat_id, "unreachable", len(items) - done)
                return
            if out.kind == REMOVE_KEYBOARD:  # not a message: not counted, never held back
                await self.remove_keyboard(chat_id, int(out.text))
                await self.store.mark_sent(ref)
                continue
            result = await outbox.try_send(chat_id, out)
            if not isinstance(result, DeliveryFailed):
                await self.store.mark_sent(ref)
                await channel.sent(chat_id, out, result)
                continue
            if result.reason == "forbidden":
                await self.store.drop_owed(person_key(chat_id))
                if len(items) > done + 1:
                    outbox.skipped(chat_id, "unreachable", len(items) - done - 1)
                return
            if result.reason in PERMANENT:
                await self.store.mark_sent(ref)
                if out.instead:  # a file Telegram refused: say so rather than stay silent
                    await outbox.send(chat_id, render(Reply(out.instead))[0])
                continue
            await self.postpone(chat_id, result, attempt)
            return
        self.held.pop(chat_id, None)

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None:
        """Take the buttons off a pressed question, and forget it carried them."""
        if self.channel.keyboards.get(chat_id) == message_id:
            self.channel.keyboards.pop(chat_id)
        await self.channel.outbox.remove_keyboard(chat_id, message_id)

    async def postpone(self, chat_id: int, failed: DeliveryFailed, attempt: int) -> None:
        """Keep the chat's owed replies for later (Telegram's wait, or a growing backoff)."""
        wait = failed.retry_after or min(self.backoff * 2 ** attempt, MAX_BACKOFF)
        log.info("owed replies wait %.0fs (reason=%s)", wait, failed.reason)
        self.held[chat_id] = asyncio.get_running_loop().time() + wait
        await self.store.postpone(person_key(chat_id), self.now() + timedelta(seconds=wait))
        self.wake(wait)


class Redelivery:
    """Sends what is still owed: at start, and when postponed replies fall due."""

    def __init__(self, sender: OwedSender, sequencer: Sequencer, *, batch: int = 200,
                 idle: float = 30.0) -> None:
        self.sender = sender
        self.sequencer = sequencer
        self.batch = batch
        self.idle = idle  # look anyway this often (a safety net; postponing wakes us)
        self._queued: set[int] = set()
        self._wake = asyncio.Event()
        self._deadline = 0.0
        sender.wake = self.wake_in

    def wake_in(self, seconds: float) -> None:
        """Make ``run`` look again within ``seconds``, when postponed replies fall due."""
        loop = asyncio.get_running_loop()
        # A little late rather than early: the rows are compared with the wall clock.
        self._deadline = min(self._deadline, loop.time() + seconds + 0.05)
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send owed replies as they fall due, until ``stop`` is set; a failed look is retried."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            self._deadline = loop.time() + self.idle
            try:
                await self.tick()
            except Exception as exc:  # the database will be there next time
                log.warning("looking for owed replies failed: %s", describe(exc))
            while not stop.is_set() and loop.time() < self._deadline:
                self._wake.clear()
                waits = [asyncio.ensure_future(self._wake.wait()),
                         asyncio.ensure_future(stop.wait())]
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait(waits, timeout=max(0.0, self._deadline - loop.time()),
                                       return_when=asyncio.FIRST_COMPLETED)
                for wait in waits:
                    wait.cancel()

    async def tick(self, now: datetime | None = None) -> int:
        """Queue a delivery, in each chat's own queue, for every chat owed something due
        by ``now``; how many chats."""
        now = now or self.sender.now()
        chats: list[int] = []
        for row in await self.sender.store.due(now, self.batch):
            chat_id = _chat_id(row.key)
            if chat_id is not None and chat_id not in chats and chat_id not in self._queued:
                chats.append(chat_id)
        for chat_id in chats:
            self._queued.add(chat_id)
            self.sequencer.submit(chat_id, functools.partial(self._deliver, chat_id, now))
        return len(chats)

    async def _deliver(self, chat_id: int, now: datetime) -> None:
        # In the chat's sends queue: nothing else of theirs is sending meanwhile, so the
        # rows are true. A turn's rows are committed and its Delivery queued with no await
        # between, so rows newer than ``now`` are a Delivery's queued behind this one:
        # left to it, not sent twice.
        self._queued.discard(chat_id)
        rows = await self.sender.store.owed_to(person_key(chat_id))
        if not rows or rows[0].due_at > now:
            return
        rows = list(itertools.takewhile(lambda row: row.due_at <= now, rows))
        items: list[tuple[Outgoing, str]] = []
        for row in rows:
            try:
                items.append((decode(row.payload), row.ref))
            except (ValueError, KeyError, TypeError) as exc:  # cannot be sent, ever
                log.error("dropping an owed reply that cannot be read: %s", describe(exc))
                await self.sender.store.mark_sent(row.ref)
        self.sender.held.pop(chat_id, None)
        await self.sender.send(chat_id, items, attempt=rows[0].attempt, redelivering=True)


def _chat_id(key: PersonKey) -> int | None:
    if key.channel != "telegram":
        return None
    try:
        return int(key.external_id)
    except ValueError:
        return None


def attach(channel: TelegramChannel, storage: OwedReplies | None, handle_owed: object,
           sequencer: Sequencer, file_failed: MessageText | None,
           default_language: str) -> Redelivery | None:
    """Make the channel's replies owed if the storage keeps an outbox; the Redelivery to
    run, or None. ``sequencer``: the channel's sends queue, where redeliveries go in turn
    with each chat's other replies. ``file_failed``: the words for a refused file, in every
    language."""

    def encode(replies: list[Reply], language: str) -> list[str]:
        words = file_failed.for_language(language, default_language)[0] if file_failed else ""
        return encode_all(replies, words)

    if storage is None:
        return None
    sender = OwedSender(channel, storage)
    channel.owed = storage
    channel.handle_owed = handle_owed  # type: ignore[assignment]
    channel.encode_owed = encode
    channel.owed_sender = sender
    return Redelivery(sender, sequencer)
