"""Telegram's flood limits, kept on our side: about 30 messages a second overall and one a
second per chat, with short bursts allowed in a chat.

The overall limit is a sliding window ("at most 30 sends in any second"). The per-chat
limit is a token bucket: ``per_chat_burst`` sends at once (3 by default: one turn often
needs two or three sends, a reply and its question, and they should land together),
then one a second. A sliding window of 3 in 3 seconds would let a burst through too, but
would then hold the chat for 3 seconds; the bucket refills one a second. With a burst
of 1 it is strictly one a second. PTB's AIORateLimiter has no per-chat limit for private
chats, hence this.

A send holds its slot while it is in flight and is counted at the moment its answer came
back: the server saw the request at some time before that, so spacing sends from that
moment keeps them spaced on the server's clock too, however late a busy event loop or a
slow network delivered them. Waiting is computed, not polled, except for the rare wait
on a full window of sends still in flight, which wakes when one of them ends.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager


class Window:
    """At most ``limit`` sends in any ``seconds`` (in flight or finished within the span)."""

    def __init__(self, limit: int, seconds: float, margin: float) -> None:
        self.limit = max(1, limit)
        self.span = seconds + margin
        self.done: deque[float] = deque()  # when finished sends came back, oldest first
        self.in_flight = 0
        self.freed = asyncio.Event()

    def wait_for(self, now: float) -> float | None:
        """Seconds until a slot is free: 0 now, None if only an in-flight send can free one."""
        while self.done and self.done[0] <= now - self.span:
            self.done.popleft()
        excess = len(self.done) + self.in_flight - self.limit + 1
        if excess <= 0:
            return 0.0
        if excess > len(self.done):
            return None
        return max(0.0, self.done[excess - 1] + self.span - now)

    def finish(self, at: float) -> None:
        """A send ended at ``at``: count it in the window from then, and wake a waiter."""
        self.in_flight -= 1
        self.done.append(at)
        if len(self.done) > self.limit:
            self.done.popleft()
        self.freed.set()

    def block_until(self, until: float) -> None:
        """After a 429: the window counts as full until ``until``."""
        self.done = deque(sorted([*self.done, *[until - self.span] * self.limit])[-self.limit:])


class Bucket:
    """A token bucket (as GCRA): ``burst`` sends at once, then one every ``interval``.

    ``tat`` is when the bucket would be full again, counting finished sends only; each
    send in flight will cost one more ``interval`` when it finishes.
    """

    def __init__(self, burst: int, interval: float) -> None:
        self.limit = max(1, burst)
        self.interval = interval
        self.tolerance = (self.limit - 1) * interval
        self.tat = float("-inf")
        self.in_flight = 0
        self.freed = asyncio.Event()

    def wait_for(self, now: float) -> float | None:
        """Seconds until a send may start: 0 now, None if one in flight must end first."""
        wait = max(self.tat, now) + self.in_flight * self.interval - self.tolerance - now
        if wait <= 0:
            return 0.0
        return None if self.in_flight else wait

    def finish(self, at: float) -> None:
        """A send ended at ``at``: it spends its interval from then, and wakes a waiter."""
        self.in_flight -= 1
        self.tat = max(self.tat, at) + self.interval
        self.freed.set()

    def block_until(self, until: float) -> None:
        """After a 429: nothing until ``until``, then the bucket fills from empty."""
        self.tat = max(self.tat, until + self.tolerance)

    def idle(self, now: float) -> bool:
        """Whether the bucket is full again with nothing in flight, so it can be forgotten."""
        return not self.in_flight and self.tat <= now


class Limiter:
    """``async with limiter.slot(chat_id): await send()`` around each counted send."""

    def __init__(self, *, per_second: int = 30, per_chat_burst: int = 3, margin: float = 0.02,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.margin = margin
        self.clock = clock
        self.global_window = Window(per_second, 1.0, margin)
        self.per_chat_burst = max(1, per_chat_burst)
        self.chats: dict[int, Bucket] = {}
        self.max_chats = 10_000
        self.floor = float("-inf")  # no chat's bucket is fuller than empty at this moment

    def take_over(self) -> None:
        """Another process may have been sending until a moment ago (shared mode's sender
        died and this one took over): count the overall window as full for a second and
        every chat as having just spent its burst, so nothing goes out faster than
        Telegram's own count of the other process's sends allows."""
        now = self.clock()
        self.global_window.block_until(now + self.global_window.span)
        interval = 1.0 + self.margin
        self.floor = now + self.per_chat_burst * interval
        for bucket in self.chats.values():
            bucket.tat = max(bucket.tat, self.floor)

    def _chat(self, chat_id: int) -> Bucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            self._forget_idle()
            bucket = self.chats[chat_id] = Bucket(self.per_chat_burst, 1.0 + self.margin)
            bucket.tat = self.floor
        return bucket

    @asynccontextmanager
    async def slot(self, chat_id: int | None) -> AsyncIterator[None]:
        """Wait until the overall and the chat's limits both allow a send; hold it meanwhile."""
        windows: list[Window | Bucket] = [self.global_window]
        if chat_id is not None:
            windows.insert(0, self._chat(chat_id))
        while True:
            # Check both and take both with no await in between: no one slips in.
            waits = [window.wait_for(self.clock()) for window in windows]
            if all(wait == 0 for wait in waits):
                break
            blocked = [w for w, wait in zip(windows, waits, strict=True) if wait is None]
            if blocked:
                blocked[0].freed.clear()
                await blocked[0].freed.wait()
            else:
                await asyncio.sleep(max(w for w in waits if w is not None))
        for window in windows:
            window.in_flight += 1
        try:
            yield
        finally:
            now = self.clock()
            for window in windows:
                window.finish(now)

    def pause(self, chat_id: int | None, seconds: float) -> None:
        """After a 429: nothing more to this chat (or anywhere, if None) for ``seconds``."""
        limit: Window | Bucket = self.global_window if chat_id is None else self._chat(chat_id)
        limit.block_until(self.clock() + seconds)

    def _forget_idle(self) -> None:
        # Bounded memory with many people: past max_chats, drop windows that are idle.
        if len(self.chats) < self.max_chats:
            return
        now = self.clock()
        for chat_id, bucket in list(self.chats.items()):
            if bucket.idle(now):
                del self.chats[chat_id]
        self.max_chats = max(self.max_chats, 2 * len(self.chats))  # sweep rarely
