"""Per-chat order, cross-chat concurrency, decided by arrival.

python-telegram-bot hands us updates one at a time in the order Telegram numbered them
(the Application runs without concurrent_updates and our one handler only calls
`submit`, which never awaits). `submit` appends the job to its chat's queue right then,
so a chat's jobs run in arrival order by construction, not by who wins a lock. Each chat
with work has one worker task; different chats' workers run concurrently.

`Sequencer` also tracks which update ids are still unfinished, so the poller confirms an
update to Telegram only once its job (the turn, up to its commit) is done. A chat's queue
is dropped as soon as it is empty; its length is bounded by the channel's per-person
inbound limit.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from bot.logsafe import describe

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class Sequencer:
    """Runs each chat's jobs in arrival order, different chats at once."""

    def __init__(self, max_active: int = 64) -> None:
        # Chats whose turns run at once. More is slower, not faster: httpx's pool does
        # O(n) work per request for n in flight, and a turn is mostly waiting on HTTP.
        # (The Outbox also lets only a few calls on the wire at once: see delivery.py.)
        self._slots = asyncio.Semaphore(max_active)
        self._queues: dict[int, deque[tuple[int | None, Job]]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._unfinished: set[int] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self.changed = asyncio.Event()  # set whenever an update finishes
        self.accepting = True

    @property
    def unfinished(self) -> frozenset[int]:
        """Update ids handed in and not yet done."""
        return frozenset(self._unfinished)

    def hold(self, update_id: int) -> None:
        """Count an update as unfinished from the moment it is fetched."""
        self._unfinished.add(update_id)

    def release(self, update_id: int | None) -> None:
        """The update is done (or needed no turn)."""
        if update_id is not None and update_id in self._unfinished:
            self._unfinished.discard(update_id)
            self.changed.set()

    def submit(self, chat_id: int, job: Job, update_id: int | None = None) -> None:
        """Queue ``job`` behind the chat's earlier jobs. Synchronous on purpose."""
        if update_id is not None:
            self._unfinished.add(update_id)
        self._idle.clear()
        queue = self._queues.setdefault(chat_id, deque())
        queue.append((update_id, job))
        if chat_id not in self._workers:
            self._workers[chat_id] = asyncio.create_task(self._work(chat_id),
                                                         name=f"goodhelp-chat-{chat_id}")

    async def _work(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        try:
            while queue:
                update_id, job = queue[0]
                try:
                    async with self._slots:
                        await job()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # one bad turn must not stop the chat
                    log.error("update failed: %s", describe(exc))
                queue.popleft()
                self.release(update_id)
        finally:
            # Checked and removed with no await in between: a submit either saw this
            # worker (and its job ran above) or finds none and starts a new one.
            del self._workers[chat_id]
            if not queue:
                del self._queues[chat_id]
            if not self._workers:
                self._idle.set()

    def discard_waiting(self, chat_id: int, which: Callable[[Job], bool]) -> list[Job]:
        """Take out the chat's queued jobs (not the one running) that ``which`` picks."""
        queue = self._queues.get(chat_id)
        if not queue or len(queue) < 2:
            return []
        running = queue.popleft()
        taken = [(update_id, job) for update_id, job in queue if which(job)]
        kept = [(update_id, job) for update_id, job in queue if not which(job)]
        queue.clear()
        queue.append(running)
        queue.extend(kept)
        for update_id, _job in taken:
            self.release(update_id)
        return [job for _id, job in taken]

    def idle(self) -> bool:
        """Nothing queued or running."""
        return not self._workers

    async def drain(self, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until every queued job has run; False if ``timeout`` passed first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def cancel(self) -> None:
        """Stop the workers (their unfinished updates stay unconfirmed, so come again)."""
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
