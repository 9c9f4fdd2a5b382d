"""Fault injection and Telegram's flood limits.

Faults are consulted before a method runs, in the order the real server would hit them:
a broken method, a planned one-off failure, a person who blocked the bot, then the flood
limits. Method names match case-insensitively, as Telegram's do; "*" matches any method.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

# What Telegram counts against the flood limits: anything that puts or changes a message.
LIMITED_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "editmessagetext",
        "editmessagereplymarkup",
        "editmessagecaption",
    }
)

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """An error answer: {"ok": false, "error_code", "description", ["parameters"]}."""

    def __init__(self, status: int, description: str | None = None, retry_after: int | None = None):
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after or 1}"
            else:
                description = DEFAULT_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = (retry_after or 1) if status == 429 else retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class _Planned:
    error: ApiError
    times: int


class Faults:
    """Planned failures, slowness, dropped connections and the flood limiter."""

    def __init__(
        self,
        clock: Callable[[], float],
        enforce_limits: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        per_chat_burst: int = 1,
    ) -> None:
        self.clock = clock
        self.enforce_limits = enforce_limits
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = max(1, per_chat_burst)
        self.count_429 = 0
        self.blocked: set[int | str] = set()
        self.planned: dict[str, list[_Planned]] = {}
        self.broken: dict[str, ApiError] = {}
        self.delays: dict[str, float] = {}
        self.drops: dict[str, list[bool]] = {}
        self._sends: deque[float] = deque()
        self._chat_full_at: dict[int | str, float] = {}

    def check(self, method: str, chat_id: int | str | None) -> None:
        """Raise the ApiError the server should answer with, if any."""
        key = method.lower()
        try:
            self._check(key, chat_id)
        except ApiError as error:
            if error.status == 429:
                self.count_429 += 1
            raise

    def _check(self, key: str, chat_id: int | str | None) -> None:
        for name in (key, "*"):
            if name in self.broken:
                raise self.broken[name]
        for name in (key, "*"):
            queue = self.planned.get(name)
            if queue:
                planned = queue[0]
                planned.times -= 1
                if planned.times <= 0:
                    queue.pop(0)
                raise planned.error
        if chat_id is not None and chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.enforce_limits and key in LIMITED_METHODS:
            self._take_send_slot(chat_id)

    def _take_send_slot(self, chat_id: int | str | None) -> None:
        """Overall a rolling one-second window; per chat a token bucket (``per_chat_burst``
        at once, then ``per_chat_per_second``; a burst of 1 is a one-second window).
        Past either, 429."""
        now = self.clock()
        window = self._sends
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.global_per_second:
            raise ApiError(429, retry_after=max(1, math.ceil(window[0] + 1.0 - now)))
        interval = 1.0 / self.per_chat_per_second
        full_at = now
        if chat_id is not None:
            full_at = max(self._chat_full_at.get(chat_id, now), now)
            early = full_at - (self.per_chat_burst - 1) * interval - now
            if early > 1e-9:
                raise ApiError(429, retry_after=max(1, math.ceil(early)))
            self._chat_full_at[chat_id] = full_at + interval
        window.append(now)

    def delay_for(self, method: str) -> float:
        return self.delays.get(method.lower(), self.delays.get("*", 0.0))

    def take_drop(self, method: str) -> bool | None:
        """None: answer normally. Otherwise hang up, after running the method if True."""
        for name in (method.lower(), "*"):
            queue = self.drops.get(name)
            if queue:
                return queue.pop(0)
        return None
