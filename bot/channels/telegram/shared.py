"""Shared mode: several `goodhelp run` processes on one PostgreSQL database.

Each process has a role. ``ingress`` takes Telegram's webhook posts into the shared inbox
(ingress.py). ``worker`` claims updates and runs their turns (worker.py), runs the
scheduled check-ins of whoever is due (each under the person's lock, its replies owed in
the shared outbox), and stands for election as the one sender (sender.py). ``all`` is
both. Only the sender talks to Telegram with messages, so the bot's limits hold however
many workers run. Mentor relays and the weekly staff digest have no claims of their own,
so they run only in the process that is the sender (one at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlparse

from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.app import App
from bot.channels.telegram.channel import Reachability, TelegramChannel
from bot.channels.telegram.delivery import DeliveryFailed, Outbox
from bot.channels.telegram.ingress import Ingress
from bot.channels.telegram.limiter import Limiter
from bot.channels.telegram.options import TelegramOptions, TelegramSetupError
from bot.channels.telegram.owed import attach
from bot.channels.telegram.polling import ALLOWED_UPDATES
from bot.channels.telegram.ports import SharedStore
from bot.channels.telegram.sender import POLL, SharedRedelivery, SharedSender
from bot.channels.telegram.sequencer import Sequencer
from bot.channels.telegram.startup import initialize, set_commands
from bot.channels.telegram.worker import Worker
from bot.core.keys import PersonKey
from bot.engine.events import Reply
from bot.logsafe import add_secret, describe, quiet_libraries
from bot.scheduling.digest import WeeklyDigest
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.relay import RelayDispatcher
from bot.scheduling.runner import DEFAULT_INTERVAL, build_dispatcher, safe_tick

log = logging.getLogger(__name__)

ROLES = ("all", "ingress", "worker")
LEASE = timedelta(minutes=5)  # a claimed check-in older than this: its worker died
# Done updates are kept (emptied) to recognise Telegram's retries of them, for this long.
KEEP_DONE = timedelta(days=2)


class SharedBot:
    """One process of shared mode, in its role."""

    def __init__(self, app: App, options: TelegramOptions, store: SharedStore, *,
                 role: str, worker_name: str, concurrency: int = 8,
                 interval: float = DEFAULT_INTERVAL) -> None:
        if role not in ROLES:
            raise TelegramSetupError(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
        self.app, self.options, self.store, self.role = app, options, store, role
        self.worker_name = worker_name
        self.interval = interval
        add_secret(options.token)
        quiet_libraries()
        self.application: Application = (  # type: ignore[type-arg]
            ApplicationBuilder().token(options.token).base_url(options.base_url)
            .base_file_url(options.base_file_url).updater(None).build())
        self.limiter = Limiter(per_second=options.per_second,
                               per_chat_burst=options.per_chat_burst)
        self.outbox = Outbox(self.application.bot, self.limiter)
        language = app.flows.default_language
        private_only = app.flows.messages.get("private_only")
        self.channel = TelegramChannel(
            app.conversations.handle, self.outbox, Sequencer(),
            private_only=private_only.for_language(language, language)[0] if private_only
            else None,
            reachability=_cast_reach(app), is_crisis=app.conversations.is_crisis,
            notice=app.conversations.notice)
        redelivery = attach(self.channel, app.conversations.owed_replies(),
                            app.conversations.handle_owed, self.channel.sends,
                            app.flows.messages.get("file_failed"), language)
        assert redelivery is not None, "shared mode needs storage with an outbox"
        self.takes_webhooks = role in ("all", "ingress")
        self.works = role in ("all", "worker")
        self.ingress: Ingress | None = None
        if self.takes_webhooks:
            if not options.webhook_url or not options.webhook_secret:
                raise TelegramSetupError(f"--role {role} takes Telegram's webhook: set "
                                         "GOODHELP_WEBHOOK_URL and GOODHELP_WEBHOOK_SECRET")
            self.ingress = Ingress(store.inbox, path=urlparse(options.webhook_url).path,
                                   secret=options.webhook_secret,
                                   listen=options.webhook_listen, port=options.webhook_port)
        self.worker = Worker(store.inbox, self.channel, self.application.bot, store.owe,
                             concurrency=concurrency)
        self.sender = SharedSender(store.sender_lock, SharedRedelivery(
            redelivery.sender, self.channel.sends, idle=POLL), self.limiter)
        self.dispatcher: Dispatcher | None = None
        self.relay: RelayDispatcher | None = None
        self.digest: WeeklyDigest | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Check the token, then take webhooks and/or work, as the role says."""
        await initialize(self.application, self.options.server)
        if self.works:
            await self._start_scheduling()
            self._tasks.append(asyncio.create_task(self.worker.run(self._stop)))
            self._tasks.append(asyncio.create_task(self.sender.run(self._stop)))
            log.info("working as %s with %d claim loops", self.worker_name,
                     self.worker.concurrency)
        if self.ingress is not None:
            try:
                self.ingress.start()
            except OSError as exc:
                raise TelegramSetupError(
                    f"cannot listen on {self.options.webhook_listen}:"
                    f"{self.options.webhook_port}: {exc.strerror}") from None
            await self._set_webhook()
            await self._set_commands()

    async def _set_webhook(self) -> None:
        options = self.options
        try:
            await self.application.bot.set_webhook(
                options.webhook_url or "", secret_token=options.webhook_secret,
                allowed_updates=ALLOWED_UPDATES)
        except TelegramError as exc:
            raise TelegramSetupError(f"setWebhook failed: {describe(exc)}") from None

    async def _set_commands(self) -> None:
        """The menu from the flows' commands (by the ingress: once per deployment)."""
        await set_commands(self.application, self.app)

    async def _start_scheduling(self) -> None:
        config = self.app.flows.config
        if "policy" in config:
            self.dispatcher = build_dispatcher(
                self.app, self.owe_replies, worker=self.worker_name, lease=LEASE,
                scope=self.store.person_scope, cache_plans=False, concurrency=4)
            await self.dispatcher.start()
            self.relay = RelayDispatcher(self.app.conversations,
                                         self.app.storage.reachability, self.app.clock,
                                         self.owe_replies, scope=self.store.person_scope)
        if "digest" in self.app.flows.flows:
            self.digest = WeeklyDigest(self.app.conversations, self.owe_replies,
                                       self.app.clock, scope=self.store.person_scope)
        self._tasks.append(asyncio.create_task(self._wake_scheduling()))

    async def _wake_scheduling(self) -> None:
        """Check-ins on every worker (claims keep them apart); relays, the digest and the
        inbox's housekeeping only on the sender, the one process at a time."""
        while not self._stop.is_set():
            if self.dispatcher is not None:
                await safe_tick(self.dispatcher)
            if self.sender.sending:
                try:
                    await self.store.inbox.purge_done(KEEP_DONE)
                except Exception as exc:  # the next wake-up tries again
                    log.warning("purging done updates failed: %s", describe(exc))
                if self.relay is not None:
                    await safe_tick(self.relay)
                if self.digest is not None:
                    try:
                        await self.digest.tick()
                    except Exception as exc:  # the next wake-up tries again
                        log.error("weekly digest tick failed: %s", describe(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)

    async def owe_replies(self, key: PersonKey, replies: list[Reply]) -> None:
        """A scheduled message's replies, owed in the shared outbox (in the check-in's
        transaction), for the one sender to send. Raises if the person is unknown."""
        encode = self.channel.encode_owed
        assert encode is not None
        state = await self.app.conversations.state_of(key)
        language = str((state.vars if state else {}).get("language") or "")
        if await self.store.owe(key, encode(replies, language)) == 0 and replies:
            raise DeliveryFailed("unknown person")

    async def stop(self, drain_timeout: float = 10.0) -> None:
        """Stop taking posts and claims, let running turns finish, give the sender's lock up."""
        if self.ingress is not None:
            await self.ingress.stop()
        self._stop.set()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=drain_timeout)
            for task in pending:  # a turn still running is rolled back; it comes again
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.store.inbox.close()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()


def _cast_reach(app: App) -> Reachability:
    reach: Reachability = app.storage.reachability  # type: ignore[assignment]
    return reach


async def run_shared(app: App, options: TelegramOptions, mode: SharedMode,
                     stop: asyncio.Event) -> None:
    """One shared-mode process until ``stop``; the caller opened ``app`` and closes it."""
    bot = SharedBot(app, options, mode.parts(app), role=mode.role,
                    worker_name=mode.worker_name, concurrency=mode.concurrency)
    try:
        await bot.start()
        await stop.wait()
    finally:
        await bot.stop()


@dataclass(frozen=True)
class SharedMode:
    """How ``goodhelp run`` asked for shared mode: the role, the worker's name, its claim
    loops, and how to get storage's side of it from the opened App."""

    role: str
    worker_name: str
    concurrency: int
    parts: Callable[[App], SharedStore]
