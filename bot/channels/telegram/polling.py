"""Long polling that confirms an update only once its turn is committed.

python-telegram-bot's Updater confirms a batch (by asking for the next offset) as soon
as it has queued it, so a process killed mid-turn loses those messages. Here the offset
we send is the oldest update still unfinished: Telegram keeps everything from there and
sends it again after a crash. Re-sent updates we already hold are skipped by id.

The rule (docs/telegram.md, "Crash safety"): the offset never passes an update whose turn
is not committed. An update is finished once its turn has committed (its replies are then
owed in the outbox and queued on the chat's sends), once it needed no turn, or once the
per-person limit dropped it after the safety check. Not waiting for the replies to be
sent is what keeps one person's backlog (sent at one message a second) from pinning the
offset, and so from stopping everyone else's updates being fetched; the outbox keeps
those replies across a crash.

While any update is unfinished the poll is kept short (one second), so a finished turn is
confirmed within about a second even when nobody writes. That window, a turn committed
but not yet confirmed, is the only case in which an update can run twice after a kill.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bot.channels.telegram.delivery import retry_seconds
from bot.channels.telegram.sequencer import Sequencer
from bot.logsafe import describe

log = logging.getLogger(__name__)

READ_MARGIN = 10.0  # seconds beyond the long-poll wait before the read times out
REPOLL = 0.25  # while turns run: how often to look for updates behind the ones held
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "channel_post",
                   "my_chat_member"]


class Poller:
    """Fetches updates and confirms each only once its turn has committed (crash safety)."""

    def __init__(self, bot: Bot, sequencer: Sequencer, accept: Callable[[Update], None], *,
                 timeout: int = 25, screen: Callable[[dict[str, Any]], bool] | None = None
                 ) -> None:
        self.bot = bot
        self.sequencer = sequencer
        self.accept = accept  # hands an update to the Application; must not await
        # Looks at a raw update first; True means it was dealt with (dropped by the
        # per-person limit), so it costs no PTB objects: a flood is mostly such updates.
        self.screen = screen or (lambda raw: False)
        self.timeout = timeout
        self.highest = -1  # the highest update id handed in
        self.low_water = 50  # poll again once fewer than this many are unfinished

    def offset(self) -> int | None:
        """What to confirm: everything before the oldest unfinished update."""
        unfinished = self.sequencer.unfinished
        if unfinished:
            return min(unfinished)
        return self.highest + 1 if self.highest >= 0 else None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll and hand in new updates until ``stop``; bad tokens and conflicts raise."""
        failures = 0
        while not stop.is_set():
            offset = self.offset()
            try:
                updates = await self._poll(offset, stop)
            except (InvalidToken, Conflict) as exc:
                log.error("polling stopped: %s", describe(exc))
                raise
            except RetryAfter as exc:
                await _sleep_or_stop(stop, retry_seconds(exc))
                continue
            except Exception as exc:  # network trouble, or an update PTB cannot read
                failures += 1
                log.warning("getUpdates failed (%d in a row): %s", failures, describe(exc))
                await _sleep_or_stop(stop, min(0.5 * 2 ** failures, 15.0))
                continue
            failures = 0
            fresh = False
            for raw in updates or ():
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                if not isinstance(update_id, int) or update_id <= self.highest:
                    continue  # sent again because unconfirmed; we hold it already
                fresh = True
                self.highest = update_id
                if self.screen(raw):
                    continue
                self.sequencer.hold(update_id)
                try:
                    update = Update.de_json(raw, self.bot)
                except Exception as exc:  # one unreadable update must not stop the rest
                    log.warning("skipped update %d that could not be read: %s", update_id,
                                describe(exc))
                    self.sequencer.release(update_id)
                    continue
                self.accept(update)
            # Telegram gives at most 100 updates from the offset, and the offset cannot pass
            # an unfinished one: with many held, asking again would mostly fetch updates we
            # hold already. Wait until enough are done to make the next batch worth it.
            while not stop.is_set() and (
                len(self.sequencer.unfinished) >= self.low_water
                or (updates and not fresh and self.offset() == offset)
            ):
                self.sequencer.changed.clear()
                # Not at low water: look again soon even if nothing finished, so a button
                # press behind a long turn is fetched (and answered) at once.
                full = len(self.sequencer.unfinished) >= self.low_water
                await _wait_either(self.sequencer.changed, stop, None if full else REPOLL)
                fresh = True  # something finished (the offset has moved), or time to look

    async def _poll(self, offset: int | None, stop: asyncio.Event) -> list[Any] | None:
        """One getUpdates, as raw JSON; None if cut short by stop.

        Raw, because most of a batch can be updates we hold already (sent again until
        confirmed): only new ones are worth building PTB objects for, the costly part.

        While updates are unfinished the poll is short, so that once they are done the next
        poll confirms them within a second even when nobody writes. (Cancelling an open
        poll to confirm sooner would leak its pooled connection in httpx.)
        """
        timeout = 1 if self.sequencer.unfinished else self.timeout
        data: dict[str, Any] = {"timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            data["offset"] = offset
        # Bot._post: Bot.get_updates would parse every update; do_api_request warns for a
        # method Bot has. _post still maps errors (RetryAfter, InvalidToken...) as usual.
        poll = asyncio.ensure_future(self.bot._post(
            "getUpdates", data, read_timeout=timeout + READ_MARGIN))
        stopping = asyncio.ensure_future(stop.wait())
        try:
            done, _ = await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if poll in done:
                result: list[Any] | None = poll.result()
                return result
            return None
        finally:
            stopping.cancel()
            if not poll.done():
                poll.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await poll

    async def confirm(self) -> None:
        """On a clean stop: tell Telegram what is done (what is not will come again)."""
        offset = self.offset()
        if offset is None:
            return
        with contextlib.suppress(TelegramError):
            await self.bot.get_updates(offset=offset, timeout=0, limit=1,
                                       allowed_updates=ALLOWED_UPDATES)


async def _wait_either(first: asyncio.Event, second: asyncio.Event,
                       timeout: float | None = None) -> None:  # noqa: ASYNC109
    waits = [asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())]
    await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for wait in waits:
        wait.cancel()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
