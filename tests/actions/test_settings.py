"""Reading time zones and times of day the way people type them."""

from __future__ import annotations

import pytest

from bot.actions.settings import find_zone, parse_time


@pytest.mark.parametrize(("typed", "zone"), [
    ("Europe/London", "Europe/London"), ("europe/london", "Europe/London"),
    ("London", "Europe/London"), ("  new   york ", "America/New_York"),
    ("new_york", "America/New_York"), ("Europe/Berlin ", "Europe/Berlin"), ("UTC", "UTC"),
    ("lisbon", "Europe/Lisbon"),
])
def test_known_zones_and_cities(typed: str, zone: str) -> None:
    assert find_zone(typed) == zone


@pytest.mark.parametrize("typed", ["", "   ", "Narnia", "the moon", "Europe/", "GMT+25"])
def test_unknown_zones(typed: str) -> None:
    assert find_zone(typed) is None


@pytest.mark.parametrize(("typed", "time"), [
    ("9", "09:00"), ("9am", "09:00"), ("9 AM", "09:00"), ("9.30pm", "21:30"),
    ("21:00", "21:00"), ("07:05", "07:05"), ("12am", "00:00"), ("12pm", "12:00"),
    ("7yh", "19:00"), ("8yb", "08:00"), ("10h15", "10:15"), ("0", "00:00"),
])
def test_times(typed: str, time: str) -> None:
    assert parse_time(typed) == time


@pytest.mark.parametrize("typed", ["", "teatime", "25", "13pm", "0am", "9:75", "9:5", "noon",
                                   "0930", "-1"])
def test_not_times(typed: str) -> None:
    assert parse_time(typed) is None
