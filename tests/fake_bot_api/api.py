"""FakeBotAPI: a Telegram Bot API server on 127.0.0.1 for tests and benchmarks.

    async with FakeBotAPI(token="123:ABC") as api:
        bot = telegram.Bot(api.token, base_url=api.base_url)
        api.send_text(42, "hello")               # a person writes
        [reply] = await api.wait_for_messages(42, 1)

It runs in the test's own event loop, so a test drives people, faults and assertions
directly while the bot talks to it over real HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from . import objects
from .faults import ApiError, Faults, _Planned
from .methods import Methods
from .people import PersonActions
from .server import Server
from .state import BotMessage, Call, World
from .webhook import DeliveryRecord, WebhookDelivery

HOST = "127.0.0.1"  # never anything else: tests must not be reachable from outside


class FakeBotAPI(PersonActions):
    """A fake Telegram Bot API. See the package docstring for the whole surface."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        port: int = 0,
        enforce_limits: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        per_chat_burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        deliver_webhooks: bool = False,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        self.token = token
        self.world = World(clock)
        self.faults = Faults(clock, enforce_limits, global_per_second, per_chat_per_second,
                             per_chat_burst)
        self.bot_user = objects.bot_user(token)
        # Off by default: older tests set a webhook and POST the updates themselves.
        self.delivery = WebhookDelivery(self.world, retry_delay=webhook_retry_delay)
        self._methods = Methods(self.world, self.bot_user,
                                self.delivery.configure if deliver_webhooks else None)
        self._server = Server(token, self.world, self.faults, self._methods)
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    # Lifecycle.
    async def start(self) -> None:
        """Listen on 127.0.0.1 (a free port unless one was given)."""
        self._methods.closing = False
        # A short shutdown timeout: a long-polling getUpdates must not hold up teardown.
        self._runner = web.AppRunner(self._server.app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, self._requested_port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer waiting long polls at once, then close every connection."""
        self._methods.closing = True
        self.world.updates_signal.notify()
        await self.delivery.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The server root, e.g. http://127.0.0.1:PORT."""
        if self.port is None:
            raise RuntimeError("FakeBotAPI is not started; use `async with FakeBotAPI()`")
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """For `Bot(base_url=...)`/`ApplicationBuilder().base_url(...)`: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # Recording.
    @property
    def sent(self) -> list[Call]:
        """Every call the bot made except getUpdates, in order, failed ones included."""
        return [call for call in self.world.calls if call.method.lower() != "getupdates"]

    def calls(self, method: str) -> list[Call]:
        """Every call to `method` (case-insensitive), failed ones included."""
        return list(self.world.calls_by_method.get(method.lower(), []))

    def messages_to(self, chat_id: int | str) -> list[BotMessage]:
        """The bot's messages in a chat as they stand now (edits applied, deletions gone)."""
        return self.world.messages_to(chat_id)

    async def wait_for_messages(
        self,
        chat_id: int | str,
        n: int,
        timeout: float | None = 5,  # noqa: ASYNC109 - test ergonomics
    ) -> list[BotMessage]:
        """Wait until the bot has sent at least `n` messages to `chat_id`; return them all.

        Raises TimeoutError naming what did arrive; `timeout=None` waits for ever.
        """
        if not await self.world.calls_signal.wait_until(
            lambda: len(self.messages_to(chat_id)) >= n, timeout
        ):
            texts = [m.text or m.caption or m.kind for m in self.messages_to(chat_id)]
            raise TimeoutError(f"wanted {n} messages to {chat_id} in {timeout}s, got {texts}")
        return self.messages_to(chat_id)

    async def wait_for_calls(
        self,
        method: str,
        n: int,
        timeout: float = 5,  # noqa: ASYNC109 - test ergonomics
    ) -> list[Call]:
        """Wait until the bot has called `method` at least `n` times (any outcome)."""
        if not await self.world.calls_signal.wait_until(
            lambda: len(self.world.calls_by_method.get(method.lower(), [])) >= n, timeout
        ):
            raise TimeoutError(
                f"wanted {n} {method} calls in {timeout}s, got {len(self.calls(method))}"
            )
        return self.calls(method)

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        return self.world.callback_answers

    @property
    def commands(self) -> list[dict[str, Any]] | None:
        """The command list of the last successful setMyCommands, None before any."""
        return self.world.last_commands

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return list(self.world.updates)

    @property
    def webhook_posts(self) -> DeliveryRecord:
        """What webhook delivery did: every POST, the failures, the most open at once."""
        return self.delivery.record

    @property
    def count_429(self) -> int:
        """How many 429 answers were given, injected or from the limits."""
        return self.faults.count_429

    # Faults.
    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next `times` calls to `method` with an error (default 429)."""
        error = ApiError(status, description, retry_after if status == 429 else None)
        self.faults.planned.setdefault(method.lower(), []).append(_Planned(error, times))

    def fail_method(self, method: str, status: int = 500, description: str | None = None) -> None:
        """Answer every call to `method` with an error until `heal(method)`."""
        self.faults.broken[method.lower()] = ApiError(status, description)

    def heal(self, method: str | None = None) -> None:
        """Undo fail_method/fail_next/slow/drop for `method`, or for everything if None."""
        tables = (self.faults.broken, self.faults.planned, self.faults.delays, self.faults.drops)
        for table in tables:
            if method is None:
                table.clear()
            else:
                table.pop(method.lower(), None)

    def block(self, chat_id: int | str, *, announce: bool = False) -> None:
        """The person blocks the bot: sends to the chat get 403 Forbidden.

        With `announce`, also queue the my_chat_member update Telegram sends on a block.
        """
        self.faults.blocked.add(chat_id)
        if announce:
            self._queue_member_change(chat_id, "member", "kicked")

    def unblock(self, chat_id: int | str, *, announce: bool = False) -> None:
        self.faults.blocked.discard(chat_id)
        if announce:
            self._queue_member_change(chat_id, "kicked", "member")

    def _queue_member_change(self, chat_id: int | str, old: str, new: str) -> None:
        chat = self.world.chat(chat_id)
        person = objects.person(int(chat_id), chat.get("first_name", "Alex"))
        self.world.queue_update(
            "my_chat_member",
            {
                "chat": chat,
                "from": person,
                "date": objects.now(),
                "old_chat_member": _member(old, self.bot_user),
                "new_chat_member": _member(new, self.bot_user),
            },
        )

    def slow(self, method: str, seconds: float) -> None:
        """Delay every answer to `method` by `seconds` (0 to stop)."""
        self.faults.delays[method.lower()] = seconds

    def drop_connection_next(
        self, method: str, *, times: int = 1, after_processing: bool = False
    ) -> None:
        """Hang up on the next `times` calls to `method` without answering.

        With `after_processing`, the method takes effect first (the message is sent) and
        only the answer is lost, the case that makes a retrying bot send twice.
        """
        self.faults.drops.setdefault(method.lower(), []).extend([after_processing] * times)


def _member(status: str, user: dict[str, Any]) -> dict[str, Any]:
    """A ChatMember; Telegram sends until_date on every "kicked" one (0: for ever)."""
    return {"status": status, "user": user, **({"until_date": 0} if status == "kicked" else {})}
