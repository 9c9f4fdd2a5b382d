"""Webhook delivery: the fake POSTs queued updates to the URL setWebhook gave, as Telegram does.

What Telegram documents, and what we chose where it does not say:

- Updates go out as JSON POSTs with ``X-Telegram-Bot-Api-Secret-Token`` set from
  setWebhook's ``secret_token``; any 2xx answer confirms one, anything else (a refused
  connection, a timeout, another status) is counted and the update is tried again after a
  short delay.
- Up to ``max_connections`` POSTs are open at once (Telegram's default is 40), across chats.
  One chat's updates go one at a time and in order: the next is not sent until the one
  before it was confirmed. Telegram does not promise this in so many words; it is what
  docs/telegram.md assumes, and the ordering the bot must keep anyway.
- deleteWebhook (or setWebhook with an empty URL) stops delivery; what is still queued
  stays queued, for getUpdates or a later webhook.

Only ever to 127.0.0.1: a webhook URL with another host is recorded but never called, and
getWebhookInfo's ``last_error_message`` says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import aiohttp

from .state import World

HOST = "127.0.0.1"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_MAX_CONNECTIONS = 40


@dataclass
class Post:
    """One delivery attempt: which update, to which chat, and how it went (HTTP status,
    or 0 when there was no answer: refused, reset or timed out)."""

    update_id: int
    chat_id: int | str | None
    status: int
    started: float
    finished: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class DeliveryRecord:
    """Everything the delivery did, for assertions."""

    posts: list[Post] = field(default_factory=list)
    failures: int = 0
    most_at_once: int = 0  # the most POSTs that were open together

    @property
    def delivered(self) -> list[Post]:
        return [post for post in self.posts if post.ok]


def chat_of(update: dict[str, Any]) -> int | str | None:
    """The chat an update belongs to (its ordering lane), None if it has none."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return chat["id"]  # type: ignore[no-any-return]
        sender = payload.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return sender["id"]  # type: ignore[no-any-return]
    return None


class WebhookDelivery:
    """Runs while a webhook is set: takes the head update of every idle chat and POSTs it."""

    def __init__(self, world: World, *, retry_delay: float = 0.2, timeout: float = 10.0) -> None:
        self.world = world
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.record = DeliveryRecord()
        self._busy: set[int | str | None] = set()  # chats with a POST open or waiting to retry
        self._tasks: set[asyncio.Task[None]] = set()
        self._open = 0  # POSTs under way (a task's done-callback would come too late)
        self._loop_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._hook: dict[str, Any] = {}

    @property
    def running(self) -> bool:
        return self._loop_task is not None

    async def configure(self, hook: dict[str, Any]) -> None:
        """Follow a setWebhook/deleteWebhook: (re)start for a 127.0.0.1 URL, else stop."""
        await self.stop()
        url = str(hook.get("url") or "")
        if not url:
            return
        if urlparse(url).hostname != HOST:
            self.world.webhook["last_error_message"] = (
                f"the fake Bot API delivers only to {HOST}, not to this URL")
            return
        self._hook = dict(hook)
        limit = int(hook.get("max_connections") or DEFAULT_MAX_CONNECTIONS)
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=limit),
            timeout=aiohttp.ClientTimeout(total=self.timeout))
        self._loop_task = asyncio.create_task(self._run(url, limit))

    async def stop(self) -> None:
        """Stop delivering; POSTs in flight are cancelled and their updates stay queued."""
        task, self._loop_task = self._loop_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for post in list(self._tasks):
            post.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._busy.clear()
        self._open = 0
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _ready(self, limit: int) -> list[dict[str, Any]]:
        """The first queued update of each chat that has nothing open, up to the limit."""
        ready: list[dict[str, Any]] = []
        seen: set[int | str | None] = set()
        room = limit - self._open
        allowed = self.world.allowed_updates
        for update in self.world.updates:
            if len(ready) >= room:
                break
            if allowed and next(k for k in update if k != "update_id") not in allowed:
                continue
            chat = chat_of(update)
            if chat in seen or chat in self._busy:
                seen.add(chat)
                continue
            seen.add(chat)
            ready.append(update)
        return ready

    async def _run(self, url: str, limit: int) -> None:
        while True:
            for update in self._ready(limit):
                chat = chat_of(update)
                self._busy.add(chat)
                self._open += 1
                task = asyncio.create_task(self._deliver(url, update, chat))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                self.record.most_at_once = max(self.record.most_at_once, self._open)
            # Woken by a new update or by a POST that finished (it notifies too).
            await self.world.updates_signal.wait_until(
                lambda: bool(self._ready(limit)), timeout=None)

    async def _deliver(self, url: str, update: dict[str, Any], chat: int | str | None) -> None:
        assert self._session is not None
        headers = {}
        if self._hook.get("secret_token"):
            headers[SECRET_HEADER] = str(self._hook["secret_token"])
        while any(queued is update for queued in self.world.updates):
            started = time.monotonic()
            try:
                async with self._session.post(url, json=update, headers=headers) as answer:
                    await answer.read()
                    status = answer.status
            except (aiohttp.ClientError, TimeoutError, OSError):
                status = 0
            post = Post(update["update_id"], chat, status, started, time.monotonic())
            self.record.posts.append(post)
            if post.ok:
                with contextlib.suppress(ValueError):  # a drop_pending_updates may have gone first
                    self.world.updates.remove(update)
                break
            self.record.failures += 1
            self.world.webhook["last_error_message"] = (
                f"Wrong response from the webhook: {status}" if status else "Connection refused")
            self.world.webhook["last_error_date"] = int(time.time())
            await asyncio.sleep(self.retry_delay)
        self._open -= 1
        self._busy.discard(chat)
        self.world.updates_signal.notify()
