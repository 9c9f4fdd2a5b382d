"""What the fake Telegram knows: chats, messages, pending updates and every call the bot made.

Nothing here speaks HTTP, so the server, the person helpers and the test assertions all
share one plain, synchronous model. Waiting is done with `Signal`, which a synchronous
caller (a person helper) can fire without holding a lock.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Signal:
    """A broadcast wake-up: every waiter wakes on `notify()`, then waits on a fresh event.

    asyncio.Condition needs its lock held to notify, which would force every person helper
    to be a coroutine. Swapping events keeps `notify()` synchronous; it is race-free because
    a waiter checks its predicate and grabs `current` in the same event-loop step.
    """

    def __init__(self) -> None:
        self.current = asyncio.Event()

    def notify(self) -> None:
        event, self.current = self.current, asyncio.Event()
        event.set()

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float | None,  # noqa: ASYNC109
    ) -> bool:
        """Wait until `predicate()` is true or `timeout` passes; return the final verdict."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not predicate():
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self.current.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


@dataclass
class Call:
    """One request the bot made. `status` is the HTTP status answered; 0 if we hung up."""

    method: str
    chat_id: int | str | None
    params: dict[str, Any]
    time: float
    status: int = 200
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class BotMessage:
    """A message the bot sent, as it stands now (edits applied).

    `reply_markup` is exactly what the bot sent, reply keyboards included; the Message
    object returned to the bot carries only inline keyboards, as the real server does.
    """

    chat_id: int | str
    message_id: int
    kind: str  # "text", "photo" or "document"
    text: str | None = None
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    parse_mode: str | None = None
    filename: str | None = None
    data: bytes | None = None
    edits: int = 0
    deleted: bool = False
    payload: dict[str, Any] = field(default_factory=dict)  # the Message object as JSON

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows as (label, callback_data) pairs, [] without a keyboard."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b.get("text", ""), b.get("callback_data")) for b in row] for row in rows]

    @property
    def callback_data(self) -> list[str]:
        """Every callback_data on the keyboard, row by row."""
        return [data for row in self.buttons for _, data in row if data is not None]


class World:
    """The shared state of one fake server."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.chats: dict[int | str, dict[str, Any]] = {}
        self.updates: list[dict[str, Any]] = []
        self.calls: list[Call] = []
        self.bot_messages: dict[tuple[int | str, int], BotMessage] = {}
        # Indexes, so waiting on a busy benchmark stays cheap per wake-up.
        self.bot_messages_by_chat: dict[int | str, list[BotMessage]] = {}
        self.calls_by_method: dict[str, list[Call]] = {}
        self.person_messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.commands_by_scope: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.last_commands: list[dict[str, Any]] | None = None
        self.webhook: dict[str, Any] = {}
        self.left_chats: set[int | str] = set()  # groups and channels the bot left
        self.allowed_updates: list[str] | None = None
        self.updates_signal = Signal()
        self.calls_signal = Signal()
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int | str, itertools.count[int]] = {}
        self._query_ids = itertools.count(1)

    # Identifiers. Message ids count per chat, as they do in Telegram's private chats.
    def next_message_id(self, chat_id: int | str) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def next_query_id(self) -> str:
        return f"{next(self._query_ids)}00{int(time.time())}"

    def chat(self, chat_id: int | str) -> dict[str, Any]:
        """The Chat object for `chat_id`; an unknown id is taken to be a private chat."""
        if chat_id not in self.chats:
            if isinstance(chat_id, int) and chat_id > 0:
                self.chats[chat_id] = {"id": chat_id, "type": "private", "first_name": "Person"}
            else:
                self.chats[chat_id] = {"id": chat_id, "type": "group", "title": "Group"}
        return self.chats[chat_id]

    # Updates.
    def queue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        self.updates_signal.notify()
        return update

    def confirm_updates(self, offset: int) -> None:
        """Drop what the bot confirmed: a negative offset keeps only the last -offset."""
        if offset < 0:
            del self.updates[:offset]
        else:  # ids only grow along the queue: cut the confirmed head, in place
            done = 0
            while done < len(self.updates) and self.updates[done]["update_id"] < offset:
                done += 1
            del self.updates[:done]

    def pending_updates(self, limit: int = 100) -> list[dict[str, Any]]:
        allowed = self.allowed_updates
        pending: list[dict[str, Any]] = []
        for update in self.updates:  # stop at `limit`: a flood can queue thousands
            if not allowed or _kind(update) in allowed:
                pending.append(update)
                if len(pending) >= limit:
                    break
        return pending

    # Recording.
    def record_call(self, call: Call) -> None:
        self.calls.append(call)
        self.calls_by_method.setdefault(call.method.lower(), []).append(call)
        self.calls_signal.notify()

    def add_bot_message(self, message: BotMessage) -> None:
        self.bot_messages[(message.chat_id, message.message_id)] = message
        self.bot_messages_by_chat.setdefault(message.chat_id, []).append(message)

    def messages_to(self, chat_id: int | str) -> list[BotMessage]:
        return [m for m in self.bot_messages_by_chat.get(chat_id, []) if not m.deleted]


def _kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")
