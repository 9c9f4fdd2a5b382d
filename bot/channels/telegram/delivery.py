"""Outbound delivery: every Bot API call that puts something in front of a person.

* Counted sends (messages, files, edits) wait for the Limiter first.
* RetryAfter (429): wait the time Telegram gave (up to ``max_wait`` here; a longer wait is
  handed back to the caller, whose owed replies are kept and sent later), keep the chat
  quiet meanwhile, retry.
* TimedOut and NetworkError (500s, dropped connections): retry with backoff. A retried
  send may arrive twice if only the answer was lost; a duplicate beats a lost message.
  After a timeout the retry waits longer for its answer (``patient_timeout``): a slow
  server then answers the retry instead of it timing out too and being sent a third time.
* Forbidden (the person blocked the bot): no retry; ``on_forbidden`` marks them
  unreachable so scheduled messages stop until they write again.
* Anything that finally fails is logged with a reason code, the method and a short
  reference for the chat, never the text, and counted in ``failures``. ``try_send``
  hands the failure back, so the channel can keep an owed reply for later.
* At most ``max_requests`` calls are on the wire at once (``_gate``). httpx/httpcore's
  connection pool does work quadratic in its number of connections on every request
  (each idle connection gets a readability syscall, and each is compared with all the
  others), so 64 turns sending at once cost far more CPU than the same sends through a
  few reused connections; localhost or Telegram, a few connections keep up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InputFile, Message
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels.telegram.limiter import Limiter
from bot.channels.telegram.render import Outgoing
from bot.logsafe import chat_ref, describe

log = logging.getLogger(__name__)

ForbiddenHook = Callable[[int], Awaitable[None]]
# Bot API calls on the wire at once (getUpdates has its own connection). The benchmark
# (docs/telegram.md) ran fastest with 2 to 4 on localhost, but Telegram answers in about
# 0.1 s, so 8 leaves room for 30 counted sends a second plus button answers and edits.
MAX_REQUESTS = 8
_HARMLESS = ("message is not modified", "message to edit not found")


def retry_seconds(exc: RetryAfter) -> float:
    """How long a 429 asks us to wait, in seconds, whichever form PTB stored it in."""
    # Read the stored timedelta: the public attribute warns (PTB 22.2+) unless
    # PTB_TIMEDELTA is set, and is an int or a timedelta depending on it.
    value: Any = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class DeliveryFailed(Exception):
    """Why a send finally failed; ``retry_after`` is Telegram's wait, for a 429."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Outbox:
    """Every Bot API call that reaches a person goes through here: limits, retries, accounting."""

    def __init__(
        self,
        bot: Bot,
        limiter: Limiter,
        *,
        on_forbidden: ForbiddenHook | None = None,
        attempts: int = 5,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        max_requests: int = MAX_REQUESTS,
        patient_timeout: float = 60.0,
    ) -> None:
        self.bot = bot
        self.limiter = limiter
        self.on_forbidden = on_forbidden
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait  # a longer retry_after gives up instead of blocking a chat
        self.patient_timeout = patient_timeout  # read timeout for a retry after a timeout
        self.failures: Counter[str] = Counter()
        self.sent = 0
        # Innermost, around the HTTP call only: a send waiting here already holds its
        # limiter slot (so it counts as in flight: the limits only get stricter), and
        # nobody holds the gate while sleeping for a limit, a 429 or a backoff.
        self._gate = asyncio.Semaphore(max(1, max_requests))

    async def send(self, chat_id: int, out: Outgoing) -> Message | None:
        """Send one message; the Message, or None if it finally failed (and was logged)."""
        result = await self.try_send(chat_id, out)
        return result if isinstance(result, Message) else None

    async def try_send(self, chat_id: int, out: Outgoing) -> Message | DeliveryFailed | None:
        """Send one message; the Message, or why it finally failed (logged and counted)."""
        if out.kind == "text":
            method = "sendMessage"

            def call(patient: bool = False) -> Awaitable[Any]:
                return self.bot.send_message(chat_id, out.text, reply_markup=out.keyboard,
                                             **self._timeouts(patient))
        else:
            assert out.attachment is not None
            attachment = out.attachment
            method = "sendPhoto" if out.kind == "image" else "sendDocument"
            sender = self.bot.send_photo if out.kind == "image" else self.bot.send_document

            def call(patient: bool = False) -> Awaitable[Any]:
                # A fresh InputFile per attempt: a retried upload must send the bytes again.
                upload = InputFile(attachment.data, filename=attachment.filename)
                return sender(chat_id, upload, caption=out.text or None,
                              reply_markup=out.keyboard, **self._timeouts(patient))
        result = await self.deliver_or_fail(method, chat_id, call,
                                            patient=lambda: call(patient=True))
        return result if isinstance(result, Message | DeliveryFailed) else None

    def _timeouts(self, patient: bool) -> dict[str, Any]:
        if not patient:
            return {}
        return {"read_timeout": self.patient_timeout, "write_timeout": self.patient_timeout}

    def skipped(self, chat_id: int, reason: str, count: int) -> None:
        """Sends given up without trying (the chat is known unreachable): still accounted."""
        self.failures[reason] += count
        log.warning("delivery skipped: reason=%s count=%d chat=%s", reason, count,
                    chat_ref(chat_id))

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None:
        """Take the buttons off an answered question; already gone is fine."""
        await self.deliver("editMessageReplyMarkup", chat_id,
                           lambda: self.bot.edit_message_reply_markup(chat_id, message_id,
                                                                      reply_markup=None))

    async def chat_action(self, chat_id: int, action: str) -> None:
        """"typing..." while a slow turn (a chart) is worked on. Not a message: not counted,
        and not retried (it shows for 5 seconds at most anyway)."""
        await self.deliver("sendChatAction", chat_id,
                           lambda: self.bot.send_chat_action(chat_id, action), counted=False,
                           attempts=1)

    async def answer_callback(self, callback_id: str, chat_id: int | None) -> None:
        """Stop the button's spinner. Not counted against the message limits."""
        await self.deliver("answerCallbackQuery", chat_id,
                           lambda: self.bot.answer_callback_query(callback_id), counted=False,
                           attempts=2)

    async def deliver(
        self,
        method: str,
        chat_id: int | None,
        call: Callable[[], Awaitable[Any]],
        *,
        counted: bool = True,
        attempts: int | None = None,
    ) -> Any:
        """Run ``call`` under the limits with retries. Never raises TelegramError."""
        result = await self.deliver_or_fail(method, chat_id, call, counted=counted,
                                            attempts=attempts)
        return None if isinstance(result, DeliveryFailed) else result

    async def deliver_or_fail(
        self,
        method: str,
        chat_id: int | None,
        call: Callable[[], Awaitable[Any]],
        *,
        counted: bool = True,
        attempts: int | None = None,
        patient: Callable[[], Awaitable[Any]] | None = None,
    ) -> Any:
        """As ``deliver``, but a final failure comes back as the DeliveryFailed.

        ``patient`` is the call to use after a timeout: the same send, waiting longer."""
        try:
            result = await self._attempt(method, chat_id, call, counted,
                                         attempts or self.attempts, patient or call)
        except DeliveryFailed as failed:
            self.failures[failed.reason] += 1
            log.warning("delivery failed: reason=%s method=%s chat=%s", failed.reason, method,
                        chat_ref(chat_id))
            if failed.reason == "forbidden" and chat_id is not None and self.on_forbidden:
                try:
                    await self.on_forbidden(chat_id)
                except Exception as exc:  # the send already failed; say why
                    log.error("could not mark chat %s unreachable: %s", chat_ref(chat_id),
                              describe(exc))
            return failed
        self.sent += 1
        return result

    async def _attempt(self, method: str, chat_id: int | None,
                       call: Callable[[], Awaitable[Any]], counted: bool, attempts: int,
                       patient: Callable[[], Awaitable[Any]]) -> Any:
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                if not counted:
                    async with self._gate:
                        return await call()
                async with self.limiter.slot(chat_id):
                    async with self._gate:
                        return await call()
            except RetryAfter as exc:
                wait = retry_seconds(exc)
                if last or wait > self.max_wait:
                    raise DeliveryFailed("flood_limit", wait) from exc
                log.info("429 from Telegram: waiting %.0fs (method=%s chat=%s)", wait, method,
                         chat_ref(chat_id))
                self.limiter.pause(chat_id, wait)
                if not counted:
                    await asyncio.sleep(wait)
            except Forbidden as exc:
                raise DeliveryFailed("forbidden") from exc
            except InvalidToken as exc:
                raise DeliveryFailed("unauthorized") from exc
            except BadRequest as exc:
                if any(text in exc.message.lower() for text in _HARMLESS):
                    return None
                raise DeliveryFailed("bad_request") from exc
            except (TimedOut, NetworkError) as exc:  # TimedOut is a NetworkError too
                if isinstance(exc, TimedOut):
                    # The server may still be working on it: wait longer for the retry's
                    # answer rather than timing out again and sending a third copy.
                    call = patient
                if last:
                    raise DeliveryFailed("timed_out" if isinstance(exc, TimedOut)
                                         else "network") from exc
                await asyncio.sleep(min(self.backoff * 2 ** (attempt - 1), 10.0))
            except TelegramError as exc:
                raise DeliveryFailed("telegram_error") from exc
        raise DeliveryFailed("gave_up")
