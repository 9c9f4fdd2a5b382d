"""Where the time comes from. Everything that needs "now" takes a clock, so tests can
move time forward instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What every time-dependent part takes instead of calling ``datetime.now`` itself."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class SystemClock:
    """The real clock, for running the bot; tests pass a :class:`FakeClock`."""

    def now(self) -> datetime:
        """The wall-clock time, timezone-aware, in UTC."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """The fake time, unchanged until ``advance`` or ``set`` moves it."""
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move time forward (by ``delta`` or by ``timedelta`` keywords) and give the new time."""
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``, forwards or backwards, for a test that needs an exact time."""
        self._now = moment
