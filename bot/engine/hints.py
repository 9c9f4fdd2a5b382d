"""What the language a person's app is set to may suggest: never a decision, only a hint.

A channel may pass the app's language as a tag ("cy", "en-GB", "ur") with a command
(``Command.locale``; Telegram's ``language_code``). Onboarding uses it to offer a choice
first, never to choose: Welsh first at the language question for a Welsh app, and a
likely time zone as one more button when none of the usual buttons already covers it
("Karachi time" for an Urdu app). Many people use an app in one language and live in
another country, so a hint that is wrong costs nothing but a button not pressed.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime

_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,2}")

# The country where a language is mostly spoken, for languages spoken mostly in one
# country with one time zone. English, French, Spanish, Arabic, Portuguese, Russian,
# German and the like are spoken in many zones and suggest nothing.
LANGUAGE_COUNTRY = {
    "cy": "GB", "gd": "GB", "ga": "IE", "pl": "PL", "ro": "RO", "uk": "UA", "lt": "LT",
    "lv": "LV", "et": "EE", "hu": "HU", "cs": "CZ", "sk": "SK", "bg": "BG", "el": "GR",
    "it": "IT", "nl": "NL", "fi": "FI", "sv": "SE", "da": "DK", "nb": "NO", "nn": "NO",
    "no": "NO", "is": "IS", "hr": "HR", "sl": "SI", "sr": "RS", "mk": "MK", "sq": "AL",
    "tr": "TR", "he": "IL", "hy": "AM", "ka": "GE", "fa": "IR", "ur": "PK", "ps": "AF",
    "bn": "BD", "ne": "NP", "si": "LK", "hi": "IN", "gu": "IN", "ta": "IN", "ml": "IN",
    "te": "IN", "mr": "IN", "th": "TH", "vi": "VN", "ja": "JP", "ko": "KR", "am": "ET",
    "ti": "ER", "so": "SO", "tl": "PH", "fil": "PH",
}


def language_tag(value: str) -> str:
    """The tag in one form ("en_GB" -> "en-gb"), or "" for anything that is not one."""
    tag = value.strip().replace("_", "-").lower()
    return tag if _TAG.fullmatch(tag) else ""


def country_of(tag: str) -> str | None:
    """The country a tag suggests: its region ("en-gb" -> GB), else its language's."""
    parts = language_tag(tag).split("-")
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    return region or LANGUAGE_COUNTRY.get(parts[0])


def _offsets(zone: str, year: int) -> tuple[object, ...]:
    info = zoneinfo.ZoneInfo(zone)
    return tuple(datetime(year, month, 15, 12, tzinfo=info).utcoffset() for month in (1, 7))


def suggested_zone(tag: str, country_zones: dict[str, list[str]], listed: list[str],
                   year: int) -> str | None:
    """The one time zone the tag's country has, unless a zone in ``listed`` keeps the
    same time all year (then the usual buttons already cover it); else None."""
    country = country_of(tag)
    zones = country_zones.get(country or "", [])
    if len(zones) != 1:
        return None
    zone = zones[0]
    try:
        same = any(_offsets(zone, year) == _offsets(other, year) for other in listed)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return None if same else zone


def city_of(zone: str) -> str:
    """The place a zone is named after ("Asia/Karachi" -> "Karachi")."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")
