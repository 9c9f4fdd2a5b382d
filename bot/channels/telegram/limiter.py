"""Telegram's flood limits, kept on our side: about 30 messages a second overall and one a
second per chat.

Both are sliding windows ("at most N sends in any W seconds"), the shape Telegram and the
fake Bot API count with. The per-chat window allows a short burst (``per_chat_burst``
sends in ``per_chat_burst`` seconds keeps the long-run rate at one a second) because one
turn often needs two sends, a reply and its question; with a burst of 1 it is strictly
one a second. PTB's AIORateLimiter has no per-chat limit for private chats, hence this.

A send first waits for its chat's window, then takes a slot in the global window. Slots
are handed out in order of asking and each sleep is computed, not polled, so a busy chat
never starves a quiet one and nothing spins.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class Window:
    """At most ``limit`` events in any ``seconds``; times are reserved in increasing order."""

    def __init__(self, limit: int, seconds: float, margin: float) -> None:
        self.limit = max(1, limit)
        self.span = seconds + margin
        self.times: deque[float] = deque()

    def earliest(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.span:
            self.times.popleft()
        if len(self.times) < self.limit:
            return now
        return max(now, self.times[-self.limit] + self.span)

    def take(self, at: float) -> None:
        self.times.append(at)
        while len(self.times) > self.limit:
            self.times.popleft()


class Limiter:
    """Wait with ``await limiter.acquire(chat_id)`` before each counted send."""

    def __init__(
        self,
        *,
        per_second: int = 30,
        per_chat_burst: int = 3,
        margin: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # The margin absorbs jitter between our clock and when the server counts a request.
        self.margin = margin
        self.clock = clock
        self.global_window = Window(per_second, 1.0, margin)
        self.per_chat_burst = max(1, per_chat_burst)
        self.chats: dict[int, Window] = {}
        self.chat_locks: dict[int, asyncio.Lock] = {}
        self.max_chats = 10_000

    def _chat(self, chat_id: int) -> tuple[Window, asyncio.Lock]:
        window = self.chats.get(chat_id)
        if window is None:
            burst = self.per_chat_burst
            window = self.chats[chat_id] = Window(burst, float(burst), self.margin)
            self.chat_locks[chat_id] = asyncio.Lock()
        return window, self.chat_locks[chat_id]

    async def acquire(self, chat_id: int | None) -> None:
        if chat_id is None:
            await self._take_global()
            return
        window, lock = self._chat(chat_id)
        async with lock:
            await self._sleep_until(window.earliest(self.clock()))
            sent_at = await self._take_global()
            window.take(sent_at)
        self._forget_idle(chat_id, window)

    async def _take_global(self) -> float:
        # Reserve (no await in between, so no lock is needed), then sleep: later askers
        # reserve later slots meanwhile, which keeps the window's times in order.
        at = self.global_window.earliest(self.clock())
        self.global_window.take(at)
        await self._sleep_until(at)
        return at

    async def _sleep_until(self, at: float) -> None:
        delay = at - self.clock()
        if delay > 0:
            await asyncio.sleep(delay)

    def pause_chat(self, chat_id: int | None, seconds: float) -> None:
        """After a 429: nothing more to this chat (or anywhere, if None) for ``seconds``."""
        until = self.clock() + seconds
        window = self.global_window if chat_id is None else self._chat(chat_id)[0]
        blocked = [*window.times, *[until - window.span] * window.limit]
        window.times = deque(sorted(blocked)[-window.limit:])

    def _forget_idle(self, chat_id: int, window: Window) -> None:
        # Bounded memory with many people: past max_chats, drop windows that are idle.
        if len(self.chats) <= self.max_chats:
            return
        now = self.clock()
        for other, other_window in list(self.chats.items()):
            lock = self.chat_locks[other]
            idle = not other_window.times or other_window.times[-1] <= now - other_window.span
            if idle and not lock.locked():
                del self.chats[other], self.chat_locks[other]
        self.max_chats = max(self.max_chats, 2 * len(self.chats))  # sweep rarely
