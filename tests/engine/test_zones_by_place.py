"""Time zones by country and city, Welsh names too (issue 11: "Pakistan", "London")."""

from __future__ import annotations

import pytest

from bot.engine.zones import find_zone


@pytest.mark.parametrize(("typed", "zone"), [
    ("Pakistan", "Asia/Karachi"), ("pakistan.", "Asia/Karachi"), ("London", "Europe/London"),
    ("UK", "Europe/London"), ("Wales", "Europe/London"), ("Cymru", "Europe/London"),
    ("Caerdydd", "Europe/London"), ("Abertawe", "Europe/London"), ("Llundain", "Europe/London"),
    ("Cardiff", "Europe/London"), ("Iwerddon", "Europe/Dublin"), ("Poland", "Europe/Warsaw"),
    ("India", "Asia/Kolkata"), ("Nigeria", "Africa/Lagos"), ("Bangladesh", "Asia/Dhaka"),
    ("Germany", "Europe/Berlin"), ("Karachi", "Asia/Karachi"), ("Europe/Paris", "Europe/Paris"),
])
def test_countries_and_cities(typed: str, zone: str) -> None:
    assert find_zone(typed) == zone


@pytest.mark.parametrize("typed", ["Korea", "Antarctica", "banana", ""])
def test_names_that_are_no_one_zone_are_not_guessed(typed: str) -> None:
    assert find_zone(typed) is None
