"""Quiet hours that swallow the check-in time are noticed (issue 11)."""

from __future__ import annotations

import pytest

from bot.actions.settings import in_quiet_hours


@pytest.mark.parametrize(("time", "start", "end", "inside"), [
    ("07:30", "21:00", "08:00", True),   # across midnight, morning side
    ("23:00", "21:00", "08:00", True),   # across midnight, evening side
    ("08:00", "21:00", "08:00", False),  # quiet ends as the check-in comes
    ("10:00", "21:00", "08:00", False),
    ("13:00", "12:00", "14:00", True),   # a quiet lunchtime
    ("15:00", "12:00", "14:00", False),
    ("10:00", "", "08:00", False),       # not a time: no warning
])
def test_in_quiet_hours(time: str, start: str, end: str, inside: bool) -> None:
    assert in_quiet_hours(time, start, end) is inside
