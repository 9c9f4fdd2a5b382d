"""Start and stop goodhelp on Telegram: python-telegram-bot's Application around our App.

`TelegramBot` runs over an App the caller opened (tests pass one on MemoryStorage);
`run_telegram` is what ``goodhelp run`` calls: settings in, App opened and closed, until
SIGINT/SIGTERM. Setup problems raise TelegramSetupError with one line fit to print;
the token never appears in it.

We drive the Application's lifecycle ourselves (initialize, start, stop, shutdown) rather
than ``run_polling``, because our poller confirms updates only once their turns are
committed (see polling.py). The App is opened before the Application starts and closed
after it has stopped, the order ``post_init``/``post_shutdown`` would give.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast
from urllib.parse import urlparse

from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.app import App
from bot.channels.telegram.channel import Reachability, TelegramChannel
from bot.channels.telegram.delivery import DeliveryFailed, Outbox
from bot.channels.telegram.limiter import Limiter
from bot.channels.telegram.options import TelegramOptions, TelegramSetupError
from bot.channels.telegram.owed import attach
from bot.channels.telegram.polling import ALLOWED_UPDATES, Poller
from bot.channels.telegram.sequencer import Sequencer
from bot.channels.telegram.startup import initialize, set_commands
from bot.config import Settings
from bot.core.keys import PersonKey
from bot.engine.events import Reply
from bot.logsafe import add_secret, describe, load_log_key, quiet_libraries
from bot.scheduling.digest import WeeklyDigest
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.runner import start_telegram_digest, start_telegram_scheduling

if TYPE_CHECKING:
    from bot.channels.telegram.shared import SharedMode

log = logging.getLogger(__name__)


class TelegramBot:
    """The Telegram bot: PTB application, pacing, the channel and redelivery, wired to an App."""

    def __init__(self, app: App, options: TelegramOptions) -> None:
        self.app = app
        self.options = options
        add_secret(options.token)  # blanked in every log record, whatever its shape
        quiet_libraries()  # PTB and httpx print whole payloads at DEBUG
        self.sequencer = Sequencer()
        builder = (ApplicationBuilder().token(options.token).base_url(options.base_url)
                   .base_file_url(options.base_file_url))
        if options.webhook_url is None:
            builder = builder.updater(None)  # our Poller replaces PTB's Updater
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.limiter = Limiter(per_second=options.per_second,
                               per_chat_burst=options.per_chat_burst)
        self.outbox = Outbox(self.application.bot, self.limiter)
        # The storage records who blocked the bot; the channel tells it.
        reach = cast(Reachability, app.storage.reachability)
        private_only = app.flows.messages.get("private_only")
        language = app.flows.default_language
        self.channel = TelegramChannel(
            app.conversations.handle, self.outbox, self.sequencer,
            private_only=private_only.for_language(language, language)[0] if private_only
            else None,
            reachability=reach, is_crisis=app.conversations.is_crisis,
            notice=app.conversations.notice)
        self.redelivery = attach(self.channel, app.conversations.owed_replies(),
                                 app.conversations.handle_owed,
                                 self.channel.sends, app.flows.messages.get("file_failed"),
                                 language)
        self._redelivering: asyncio.Task[None] | None = None
        self.application.add_handler(TypeHandler(object, self.channel.on_update))
        self.poller = Poller(self.application.bot, self.sequencer,
                             self.application.update_queue.put_nowait,
                             timeout=options.poll_timeout, screen=self.channel.screen)
        self._stop_polling = asyncio.Event()
        self._polling: asyncio.Task[None] | None = None
        self.dispatcher: Dispatcher | None = None
        self.digest: WeeklyDigest | None = None

    async def start(self) -> None:
        """Check the token (getMe), set the command menu, start taking updates."""
        await initialize(self.application, self.options.server)
        await self.set_commands()
        await self.application.start()
        await self.start_scheduling()
        if self.redelivery is not None:  # what a crash left owed goes before new turns
            await self.redelivery.tick()
            self._redelivering = asyncio.create_task(self.redelivery.run(self._stop_polling))
        options = self.options
        if options.webhook_url is not None:
            updater = self.application.updater
            assert updater is not None
            await updater.start_webhook(
                listen=options.webhook_listen, port=options.webhook_port,
                url_path=urlparse(options.webhook_url).path.lstrip("/"),
                webhook_url=options.webhook_url, secret_token=options.webhook_secret,
                allowed_updates=ALLOWED_UPDATES)
            log.info("taking updates by webhook on %s:%d", options.webhook_listen,
                     options.webhook_port)
        else:
            with contextlib.suppress(TelegramError):  # getUpdates fails while a webhook is set
                await self.application.bot.delete_webhook()
            self._polling = asyncio.create_task(self.poller.run(self._stop_polling))
            log.info("taking updates by long polling")

    async def start_scheduling(self) -> None:
        """Put the dispatcher and the weekly staff digest on the JobQueue. Flows without
        config/policy.yaml send no scheduled check-ins; without a digest flow, no digest."""
        if "digest" in self.app.flows.flows:
            self.digest = await start_telegram_digest(self.application, self.app,
                                                      self.send_scheduled)
        if "policy" not in self.app.flows.config:
            return
        self.dispatcher = await start_telegram_scheduling(self.application, self.app,
                                                          self.send_scheduled)

    async def send_scheduled(self, key: PersonKey, replies: list[Reply]) -> None:
        """Deliver a scheduled check-in in the chat's sends queue, behind its earlier
        replies, so one person's messages never cross. Raises if it could not be delivered."""
        if key.channel != "telegram":
            raise DeliveryFailed("not a telegram person")
        chat_id = int(key.external_id)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def job() -> None:
            try:
                await self.channel.send_replies(chat_id, replies)
                if self.channel.is_blocked(chat_id):
                    raise DeliveryFailed("unreachable")
                done.set_result(None)
            except Exception as exc:  # handed to the dispatcher, which retries or drops
                done.set_exception(exc)

        self.channel.sends.submit(chat_id, job)
        await done

    async def set_commands(self) -> None:
        """The menu from the flows' commands; a failure is logged and the bot carries on."""
        await set_commands(self.application, self.app)

    async def stop(self, drain_timeout: float = 10.0) -> None:
        """Stop taking updates, finish what was taken, confirm it, stop the Application."""
        self._stop_polling.set()
        for task in (self._polling, self._redelivering):
            if task is not None:
                with contextlib.suppress(Exception):
                    await task
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.application.update_queue.join(), drain_timeout)
        if not (await self.sequencer.drain(drain_timeout)
                and await self.channel.sends.drain(drain_timeout)):
            log.warning("stopping with turns or replies unfinished; turns not committed "
                        "will come again, replies owed are sent after the restart")
            await self.sequencer.cancel()
            await self.channel.sends.cancel()
        if self.options.webhook_url is None:
            await self.poller.confirm()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def wait_polling(self) -> None:
        """Return if polling ends by itself (a rejected token, a conflict). In webhook
        mode there is no polling task: wait until ``stop`` (the webhook server runs in the
        Updater until then)."""
        if self._polling is not None:
            await self._polling
        else:
            await self._stop_polling.wait()


async def run_telegram(settings: Settings, open_app: Callable[[], Awaitable[App]],
                       stop: asyncio.Event | None = None,
                       shared: SharedMode | None = None) -> None:
    """``goodhelp run``: until SIGINT or SIGTERM (or ``stop``). ``open_app`` opens the App
    on the caller's storage, so this channel knows nothing of storage backends.
    ``shared``: one process of several on one database (shared.py)."""
    options = TelegramOptions.from_settings(settings)
    load_log_key(settings.environ.get("GOODHELP_LOG_KEY", "").strip() or None,
                 settings.db_path)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    app = await open_app()
    if shared is not None:
        from bot.channels.telegram.shared import run_shared

        try:
            await run_shared(app, options, shared, stop)
        finally:
            await app.close()
        return
    try:
        bot = TelegramBot(app, options)
        await bot.start()
        try:
            waiting = asyncio.ensure_future(stop.wait())
            polling = asyncio.ensure_future(bot.wait_polling())
            await asyncio.wait({waiting, polling}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            failure = polling.exception() if polling.done() else None
            if failure is not None:
                raise TelegramSetupError(f"polling stopped: {describe(failure)}")
        finally:
            await bot.stop()
    finally:
        await app.close()
