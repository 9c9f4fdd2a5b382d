"""The app's language as a hint (issue 11): tags read safely, a zone only when it helps."""

from __future__ import annotations

import pytest

from bot.engine.hints import city_of, country_of, language_tag, suggested_zone
from bot.engine.zones import country_zones

LISTED = ["Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Bucharest"]


@pytest.mark.parametrize(("raw", "tag"), [
    ("cy", "cy"), ("en-GB", "en-gb"), ("pt_BR", "pt-br"), (" ur ", "ur"),
    ("", ""), ("<script>", ""), ("english", ""), ("1234", ""), ("en-", ""),
])
def test_language_tags_are_read_in_one_form_or_not_at_all(raw: str, tag: str) -> None:
    assert language_tag(raw) == tag


@pytest.mark.parametrize(("tag", "zone"), [
    ("ur", "Asia/Karachi"), ("ur-PK", "Asia/Karachi"), ("en-IN", "Asia/Kolkata"),
    ("tr", "Europe/Istanbul"), ("fa", "Asia/Tehran"), ("bn", "Asia/Dhaka"),
    # the usual buttons already keep the same time: no extra button
    ("cy", None), ("en-GB", None), ("ga", None), ("pl", None), ("ro", None), ("it", None),
    # spoken in many zones, or a country with several: no guess
    ("en", None), ("ar", None), ("es", None), ("pt-BR", None), ("en-US", None), ("ru", None),
    ("", None), ("zz", None),
])
def test_a_zone_is_suggested_only_when_one_fits_and_no_button_covers_it(
        tag: str, zone: str | None) -> None:
    assert suggested_zone(tag, country_zones(), LISTED, 2026) == zone


def test_regions_win_over_languages_and_cities_read_plainly() -> None:
    assert country_of("cy") == "GB"
    assert country_of("en-IE") == "IE"
    assert country_of("xx") is None
    assert city_of("America/New_York") == "New York"
