"""The Telegram channel: routed updates in, engine turns, rendered replies out.

One PTB handler (`on_update`) sees every update and only queues work, in arrival order,
on the chat's sequence. A pressed button is answered at once, outside that queue (every
press is answered, stale or not; Telegram shows a spinner until then and refuses answers
after about 15 s). The work for a turn: run the engine through the one entry point, with
its replies owed (committed with the turn in the outbox, see owed.py), then hand the
replies to the chat's sends queue, which sends them in order and then takes the buttons
off the question just answered. A turn slower than ``TYPING_AFTER`` (drawing a chart)
shows "typing..." meanwhile.

Each chat has two queues. ``sequencer`` runs its turns (engine and commit) in order, and a
turn's update counts as finished, so the poller may confirm it, once it is committed (its
replies are then safe in the outbox). ``sends`` delivers each turn's replies, in the same
order, at Telegram's one message a second per chat. So a chat's slow sends never hold up
the confirming of updates, which would stop the poller fetching anyone else's (Telegram
confirms by a single offset).

Every message passes the safety check (``is_crisis``); then the per-person limit
(inbound.py) drops what one person sends beyond a few pending, with one notice. A crisis
message is always let through, and the replies still waiting for that person are dropped
so the signposting goes next.

Only the newest question in a chat carries buttons: when the person answers anything,
the previous keyboard is removed, and the engine repeats the question (with fresh
buttons) if it still stands. Which message carries buttons is remembered in memory; after
a restart an old button may still show, and pressing it is answered as a stale button.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from telegram import Update
from telegram.ext import ContextTypes

from bot.channels.telegram.delivery import DeliveryFailed, Outbox
from bot.channels.telegram.inbound import Admission, InboundLimit
from bot.channels.telegram.render import Outgoing, render, split_text
from bot.channels.telegram.sends import Delivery
from bot.channels.telegram.sequencer import Sequencer
from bot.channels.telegram.updates import Inbound, parse_text, route
from bot.core.keys import PersonKey
from bot.core.lru import LRU, LRUSet
from bot.core.owed import OwedReplies
from bot.engine.events import Event, Reply
from bot.logsafe import chat_ref

log = logging.getLogger(__name__)

Handle = Callable[[PersonKey, Event], Awaitable[list[Reply]]]
Encode = Callable[[list[Reply], str], list[str]]
HandleOwed = Callable[[PersonKey, Event, Encode],
                      Awaitable[tuple[list[Reply], list[tuple[str, str]]]]]
IsCrisis = Callable[[Event], bool]
Notice = Callable[[PersonKey, str], Awaitable[Reply | None]]
# Per-chat memory (which message carries buttons, who is reachable or blocked) is a cache
# of something also true without it (a stale keyboard is answered as stale; reachability
# is in storage and a 403 says it again), so the least recently used chats are forgotten.
MAX_CHATS = 10_000  # chats remembered per map; more than are active at once in one bot
TYPING_AFTER = 0.3  # seconds a turn may take before the person sees "typing..."


class Reachability(Protocol):
    """Where the channel records that a person blocked the bot (or wrote again)."""

    async def set_reachable(self, key: PersonKey, reachable: bool) -> None:
        """Mark the person unreachable (False) or reachable again (True)."""


def person_key(chat_id: int) -> PersonKey:
    """The storage key of a Telegram private chat."""
    return PersonKey("telegram", str(chat_id))


class TelegramChannel:
    """Turns Telegram updates into engine events and replies into paced sends."""

    def __init__(self, handle: Handle, outbox: Outbox, sequencer: Sequencer, *,
                 private_only: str | None, reachability: Reachability | None = None,
                 is_crisis: IsCrisis | None = None, notice: Notice | None = None,
                 limit: InboundLimit | None = None) -> None:
        self.handle = handle
        self.outbox = outbox
        self.sequencer = sequencer  # turns, in order per chat
        self.sends = Sequencer()  # each turn's replies, in the same order per chat
        self.private_only = private_only  # the decline for groups, from the flows' YAML
        self.reachability = reachability
        self.is_crisis = is_crisis or (lambda event: False)
        self.notice = notice
        self.limit = limit or InboundLimit()
        # Per-chat memory for the most recently active chats only (MAX_CHATS).
        # chat id -> the message with buttons
        self.keyboards: LRU[int, int] = LRU(MAX_CHATS)
        self._reachable: LRUSet[int] = LRUSet(MAX_CHATS)  # confirmed reachable in this process
        self._blocked: LRUSet[int] = LRUSet(MAX_CHATS)  # answered Forbidden in this process
        self._loose: set[asyncio.Task[None]] = set()
        outbox.on_forbidden = self.mark_unreachable
        # Replies owed (set by owed.attach when storage keeps an outbox).
        self.owed: OwedReplies | None = None
        self.handle_owed: HandleOwed | None = None
        self.owed_sender: Any = None  # owed.OwedSender
        self.encode_owed: Encode | None = None

    async def on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The Application's one handler. Queues work; never awaits anything slow."""
        self.accept(update)

    def accept(self, update: object) -> None:
        """Take one update from the poller or webhook: queue its turn for its chat, or answer it."""
        update_id = getattr(update, "update_id", None)
        if not isinstance(update, Update):
            self.sequencer.release(update_id)
            return
        try:
            inbound = route(update)
        except Exception:  # a malformed update is skipped, not fatal
            log.warning("could not read update %s", update_id)
            self.sequencer.release(update_id)
            return
        if inbound.callback_id is not None:  # at once, not behind the chat's earlier work
            self._spawn(self.outbox.answer_callback(inbound.callback_id, inbound.chat_id))
        urgent = False
        if inbound.action == "turn" and inbound.chat_id is not None:
            assert inbound.event is not None
            admission = self._admit(inbound.chat_id, crisis=self.is_crisis(inbound.event))
            if admission is None:
                self.sequencer.release(update_id)
                return
            urgent = admission is Admission.ADMIT_URGENT
        job = self._job(inbound, urgent)
        if job is None:
            log.debug("ignored update: %s", inbound.why)
            self.sequencer.release(update_id)
        elif inbound.chat_id is None:  # nothing to queue behind
            self._spawn(job())
            self.sequencer.release(update_id)
        else:
            self.sequencer.submit(inbound.chat_id, job, update_id)

    def screen(self, raw: dict[str, Any]) -> bool:
        """The limit on a raw update, before PTB reads it: True if it was dropped.

        Only a private message from someone already at their limit is dropped here, after
        the safety check on its text; anything else (a crisis, a button, which must be
        answered, any other kind) goes the usual way. A flood is mostly such updates, and
        this spares them the cost of PTB objects."""
        message = raw.get("message")
        if not isinstance(message, dict):
            return False
        chat = message.get("chat")
        if not isinstance(chat, dict) or chat.get("type") != "private":
            return False
        chat_id = chat.get("id")
        if not isinstance(chat_id, int) or self.limit.pending(chat_id) < self.limit.max_pending:
            return False
        text = message.get("text")
        if isinstance(text, str) and self.is_crisis(parse_text(text)):
            return False
        return self._admit(chat_id, crisis=False) is None

    def _admit(self, chat_id: int, *, crisis: bool) -> Admission | None:
        """The per-person limit, after the safety check. None: dropped (and dealt with)."""
        admission = self.limit.admit(chat_id, crisis=crisis)
        if admission in (Admission.ADMIT, Admission.ADMIT_URGENT):
            return admission
        log.debug("dropped a message over the per-person limit: chat=%s", chat_ref(chat_id))
        if admission is Admission.DROP_AND_NOTICE:
            self.sends.submit(chat_id, lambda: self._send_notice(chat_id))
        return None

    async def _send_notice(self, chat_id: int) -> None:
        reply = await self.notice(person_key(chat_id), "too_many_messages") if self.notice \
            else None
        if reply is not None:
            await self.send_replies(chat_id, [reply])

    def _spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._loose.add(task)
        task.add_done_callback(self._loose.discard)

    def _job(self, inbound: Inbound, urgent: bool = False
             ) -> Callable[[], Awaitable[None]] | None:
        chat_id = inbound.chat_id
        if inbound.action == "turn" and chat_id is not None and inbound.event is not None:
            return lambda: self.turn(chat_id, inbound, urgent)
        if inbound.action == "decline" and chat_id is not None:
            return lambda: self.decline(chat_id)
        if inbound.action == "leave" and chat_id is not None:
            return lambda: self.leave(chat_id)
        if inbound.action in ("blocked", "unblocked") and chat_id is not None:
            reachable = inbound.action == "unblocked"
            return lambda: self.set_reachable(chat_id, reachable)
        if inbound.callback_id is not None and chat_id is not None \
                and inbound.pressed_message_id is not None:
            return lambda: self.answer_only(inbound)
        return None

    async def turn(self, chat_id: int, inbound: Inbound, urgent: bool = False) -> None:
        """Run and commit the turn, then queue its replies; the update is then finished.

        ``urgent``: a crisis message in a flood. The replies still waiting to answer the
        flood are dropped (said in the log as ``superseded``), so the signposting is next.
        """
        assert inbound.event is not None
        shown: list[asyncio.Future[None]] = []
        try:
            if chat_id not in self._reachable:
                await self.set_reachable(chat_id, True)  # writing again makes them reachable
            key = person_key(chat_id)
            typing = asyncio.get_running_loop().call_later(TYPING_AFTER, lambda: shown.append(
                asyncio.ensure_future(self.outbox.chat_action(chat_id, "typing"))))
            try:
                if self.handle_owed is not None and self.encode_owed is not None:
                    replies, owed = await self.handle_owed(key, inbound.event, self.encode_owed)
                else:
                    replies, owed = await self.handle(key, inbound.event), []
            finally:
                typing.cancel()
        except BaseException:
            self.limit.done(chat_id)
            raise
        superseded = self.sends.discard_waiting(
            chat_id, lambda job: isinstance(job, Delivery)) if urgent else []
        # Queued with no await since the commit: a redelivery (owed.py) queued later sends
        # only rows older than itself, so it never sends these a second time.
        self.sends.submit(chat_id, Delivery(self, chat_id, inbound, replies, owed, shown))
        dropped = 0
        for job in superseded:
            assert isinstance(job, Delivery)
            dropped += await job.drop()
        if dropped:  # one line for the lot
            self.outbox.skipped(chat_id, "superseded", dropped)

    def idle(self) -> bool:
        """No turn running or queued, and every reply sent."""
        return self.sequencer.idle() and self.sends.idle()

    async def send_replies(self, chat_id: int, replies: list[Reply]) -> None:
        """Send the replies to a chat in order, stopping if the person has blocked the bot."""
        sends = [out for reply in replies for out in render(reply)]
        for done, out in enumerate(sends):
            if done and chat_id in self._blocked:
                # They blocked the bot mid-turn: the rest cannot arrive either. Say so.
                self.outbox.skipped(chat_id, "unreachable", len(sends) - done)
                return
            await self.sent(chat_id, out, await self.outbox.send(chat_id, out))

    async def sent(self, chat_id: int, out: Outgoing, result: object) -> None:
        """Bookkeeping after a send: the newest question is the one carrying buttons."""
        message_id = getattr(result, "message_id", None)
        if out.has_keyboard and message_id is not None and not isinstance(result, DeliveryFailed):
            old = self.keyboards.get(chat_id)
            if old is not None and old != message_id:
                await self.outbox.remove_keyboard(chat_id, old)
            self.keyboards[chat_id] = message_id

    def retire_keyboards(self, chat_id: int, pressed: int | None, replying: bool) -> list[int]:
        """The keyboards to take off once the replies are out: the pressed one, and the
        current one if a new question may replace it."""
        targets = []
        if pressed is not None:
            targets.append(pressed)
        current = self.keyboards.get(chat_id)
        if replying and current is not None:
            self.keyboards.pop(chat_id)
            if current != pressed:
                targets.append(current)
        elif current is not None and current == pressed:
            self.keyboards.pop(chat_id)
        return targets

    async def answer_only(self, inbound: Inbound) -> None:
        """A press we will not act on (answered already): take away buttons not ours."""
        if inbound.chat_id is not None and inbound.pressed_message_id is not None:
            await self.outbox.remove_keyboard(inbound.chat_id, inbound.pressed_message_id)

    async def decline(self, chat_id: int) -> None:
        """Groups: say the bot works in private chats only, then leave."""
        if self.private_only:
            for part in split_text(self.private_only):
                await self.outbox.send(chat_id, render(Reply(part))[0])
        await self.leave(chat_id)

    async def leave(self, chat_id: int) -> None:
        """Leave a group or channel the bot was added to (it talks only in private)."""
        bot: Any = self.outbox.bot
        await self.outbox.deliver("leaveChat", chat_id, lambda: bot.leave_chat(chat_id),
                                  counted=False, attempts=2)

    def forget_blocked(self, chat_id: int) -> None:
        """Forget a 403 seen earlier: in shared mode a reply owed now was written while
        storage (told by whichever worker saw them write again) had them reachable."""
        self._blocked.discard(chat_id)

    def is_blocked(self, chat_id: int) -> bool:
        """Whether the chat answered Forbidden (the person blocked the bot) in this process."""
        return chat_id in self._blocked

    async def mark_unreachable(self, chat_id: int) -> None:
        """A send was refused (403): remember that the person blocked the bot."""
        await self.set_reachable(chat_id, False)

    async def set_reachable(self, chat_id: int, reachable: bool) -> None:
        """Note locally and in storage whether the chat can be written to."""
        if reachable:
            self._reachable.add(chat_id)
            self._blocked.discard(chat_id)
        else:
            self._reachable.discard(chat_id)
            self._blocked.add(chat_id)
            self.keyboards.pop(chat_id, None)
        if self.reachability is not None:
            await self.reachability.set_reachable(person_key(chat_id), reachable)

