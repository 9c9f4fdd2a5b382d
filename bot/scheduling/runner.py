"""What wakes the dispatcher. Only wakes it: every pending message is in the database.

- Terminal mode: :class:`SchedulerLoop`, an APScheduler 3 ``AsyncIOScheduler`` job that
  calls ``tick()`` every ``interval`` seconds.
- Telegram mode: :func:`start_telegram_scheduling`, called from the Application's
  ``post_init``, puts the same call on python-telegram-bot's JobQueue.
- :func:`wake_loop` is a plain asyncio loop that sleeps until the next message is due
  (or ``max_sleep``), for hosts that run neither.
Tests use none of them: they move a FakeClock and call ``tick()`` themselves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.engine.events import Reply
from bot.logsafe import describe
from bot.scheduling.digest import WeeklyDigest
from bot.scheduling.dispatcher import Dispatcher, DispatchStore, Send
from bot.scheduling.policy import Policy
from bot.scheduling.relay import RelayDispatcher
from bot.service import Conversations


class Assembled(Protocol):
    """What scheduling needs of an assembled bot (``bot.app.App`` is one), named here so
    scheduling does not import the app that imports the actions that import scheduling."""

    @property
    def config(self) -> Mapping[str, Any]:
        """The flows folder's config files, by name (``policy`` is read here)."""

    @property
    def conversations(self) -> Conversations:
        """The service that runs turns."""

    @property
    def storage(self) -> DispatchStore:
        """The storage roles the dispatcher uses."""

    @property
    def clock(self) -> Clock:
        """The clock every delivery reads."""


log = logging.getLogger(__name__)
DEFAULT_INTERVAL = 30.0  # seconds between wake-ups: the most a check-in can be late
DIGEST_INTERVAL = 300.0  # the weekly digest may be five minutes late


def build_dispatcher(app: Assembled, send: Send, **options: Any) -> Dispatcher:
    """A dispatcher for an opened App, with the policy from its flows folder."""
    raw = app.config.get("policy")
    if raw is None:
        raise LookupError("flows/config/policy.yaml is missing")
    return Dispatcher(app.conversations, app.storage, Policy.from_mapping(raw), app.clock, send,
                      **options)


def build_relay(app: Assembled, send: Send) -> RelayDispatcher:
    """The relay dispatcher (mentor messages) for an opened App."""
    return RelayDispatcher(app.conversations, app.storage.reachability, app.clock, send)


async def safe_tick(dispatcher: Dispatcher | RelayDispatcher,
                    now: datetime | None = None) -> None:
    """One dispatcher tick whose failure is logged, never raised into the scheduler."""
    try:
        report = await dispatcher.tick(now)
        if report.counts:
            log.debug("scheduled messages: %s", report.counts)
    except Exception as exc:  # the next wake-up tries again; the rows are still there
        log.error("dispatcher tick failed: %s", describe(exc))


class SchedulerLoop:
    """APScheduler 3 in the running event loop, waking the dispatcher on an interval."""

    def __init__(self, dispatcher: Dispatcher, interval: float = DEFAULT_INTERVAL,
                 relay: RelayDispatcher | None = None) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self.dispatcher = dispatcher
        self.relay = relay
        self.interval = interval
        # Its "job added" and "job executed" lines would print into the terminal chat.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._ticking: set[asyncio.Task[None]] = set()

    async def _tick(self, dispatcher: Dispatcher | RelayDispatcher) -> None:
        # Known, so stop() can wait for it: a tick cut off by the shutdown leaves a
        # half-opened store connection behind (the relay's purge did, under load).
        task = asyncio.current_task()
        if task is not None:
            self._ticking.add(task)
        try:
            await safe_tick(dispatcher)
        finally:
            if task is not None:
                self._ticking.discard(task)

    async def start(self) -> None:
        """Start the dispatcher (and the relay) and wake them every ``interval`` seconds."""
        await self.dispatcher.start()
        self._scheduler.add_job(self._tick, "interval", seconds=self.interval,
                                args=[self.dispatcher], id="goodhelp-dispatcher",
                                max_instances=1, coalesce=True,
                                next_run_time=datetime.now().astimezone())
        if self.relay is not None:
            self._scheduler.add_job(self._tick, "interval", seconds=self.interval,
                                    args=[self.relay], id="goodhelp-relay", max_instances=1,
                                    coalesce=True, next_run_time=datetime.now().astimezone())
        self._scheduler.start()

    async def stop(self) -> None:
        """Stop waking the dispatcher, and let a tick already running finish."""
        if not self._scheduler.running:
            return
        # Paused first, then waited for: shutting down cancels a running tick.
        self._scheduler.pause()
        if self._ticking:
            await asyncio.gather(*self._ticking, return_exceptions=True)
        self._scheduler.shutdown(wait=False)


async def start_terminal_scheduling(app: Assembled, chat: Any, *,
                                    interval: float = DEFAULT_INTERVAL) -> SchedulerLoop | None:
    """For ``goodhelp chat``: scheduled messages print into the chat as they fall due.
    ``chat`` is a TerminalChat (``person``, ``write``, ``show``, ``prompt``). Flows with
    no config/policy.yaml have no scheduled messages: None."""
    if "policy" not in app.config:
        log.debug("no config/policy.yaml in these flows: no scheduled check-ins")
        return None

    async def send(key: PersonKey, replies: list[Reply]) -> None:
        chat.write("\n")
        if key.external_id != chat.person:
            chat.write(f"(a scheduled message for '{key.external_id}')\n")
        chat.show(replies)
        chat.write(chat.prompt)

    loop = SchedulerLoop(build_dispatcher(app, send), interval, build_relay(app, send))
    await loop.start()
    return loop


async def start_telegram_scheduling(application: Any, app: Assembled, send: Send, *,
                                    interval: float = DEFAULT_INTERVAL,
                                    **options: Any) -> Dispatcher:
    """Call from the Telegram Application's ``post_init``: releases old claims and puts
    the dispatcher on the JobQueue. ``send(key, replies)`` is the channel's delivery;
    ``options`` go to the Dispatcher (shared mode: worker, lease, scope, cache_plans)."""
    dispatcher = build_dispatcher(app, send, **options)
    await dispatcher.start()

    async def wake(context: Any) -> None:
        await safe_tick(dispatcher)

    application.job_queue.run_repeating(wake, interval=interval, first=1.0,
                                        name="goodhelp-dispatcher",
                                        job_kwargs={"max_instances": 1, "coalesce": True})
    relay = build_relay(app, send)

    async def wake_relay(context: Any) -> None:
        await safe_tick(relay)

    application.job_queue.run_repeating(wake_relay, interval=interval, first=1.5,
                                        name="goodhelp-relay",
                                        job_kwargs={"max_instances": 1, "coalesce": True})
    return dispatcher


async def start_telegram_digest(application: Any, app: Assembled, send: Send, *,
                                interval: float = DIGEST_INTERVAL) -> WeeklyDigest:
    """Put the weekly staff digest (bot/scheduling/digest.py) on the JobQueue."""
    digest = WeeklyDigest(app.conversations, send, app.clock)

    async def wake(context: Any) -> None:
        try:
            await digest.tick()
        except Exception as exc:  # the next wake-up tries again
            log.error("weekly digest tick failed: %s", describe(exc))

    application.job_queue.run_repeating(wake, interval=interval, first=5.0,
                                        name="goodhelp-digest",
                                        job_kwargs={"max_instances": 1, "coalesce": True})
    return digest


async def wake_loop(dispatcher: Dispatcher, stop: asyncio.Event, *,
                    max_sleep: float = DEFAULT_INTERVAL) -> None:
    """Tick, then sleep until the next message is due (at most ``max_sleep``), until stop."""
    await dispatcher.start()
    while not stop.is_set():
        await safe_tick(dispatcher)
        due = await dispatcher.storage.schedules.next_due_at()
        wait = max_sleep
        if due is not None:
            wait = min(max_sleep, max(0.05, (due - dispatcher.clock.now()).total_seconds()))
        try:
            await asyncio.wait_for(stop.wait(), timeout=wait)
        except TimeoutError:
            pass
