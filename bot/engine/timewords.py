"""Read a time of day typed the way people type it: "9am", "09:00", "nine", "half past 6".

The words ("am", "half past", "yb", "hanner awr wedi") are data from
flows/config/answers.yaml; this module holds only the rules. A time without am/pm that
could be either ("6", "half past six") gives both readings, the one as written first, so
a choice between times can take whichever it offers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

_CLOCK = re.compile(r"(\d{1,2})\s*[:.h]\s*(\d{2})(?!\d)")
_DIGIT_THEN_LETTER = re.compile(r"(\d)(?=[^\W\d_])")
_NOT_WORD = re.compile(r"[^\w:]+")


@dataclass(frozen=True)
class TimeWords:
    """Words around a typed time, each a tuple of phrases (already normalised)."""

    morning: tuple[str, ...] = ()
    evening: tuple[str, ...] = ()
    noon: tuple[str, ...] = ()
    midnight: tuple[str, ...] = ()
    half_past: tuple[str, ...] = ()
    quarter_past: tuple[str, ...] = ()
    quarter_to: tuple[str, ...] = ()
    oclock: tuple[str, ...] = ()


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "").replace("'", "")
    text = text.replace("a.m.", "am").replace("p.m.", "pm")
    text = _CLOCK.sub(lambda m: f" {int(m[1])}:{m[2]} " if len(m[1]) == 1 or m[1][0] != "0"
                      else f" {m[1]}:{m[2]} ", text)
    text = _DIGIT_THEN_LETTER.sub(r"\1 ", text)
    return " " + " ".join(_NOT_WORD.sub(" ", text).split()) + " "


def _take(text: str, phrases: tuple[str, ...]) -> tuple[str, bool]:
    """``text`` without the longest of ``phrases`` found in it as whole words."""
    for phrase in sorted(phrases, key=len, reverse=True):
        if f" {phrase} " in text:
            return text.replace(f" {phrase} ", " ", 1), True
    return text, False


def _hour_minute(rest: str, numbers: Mapping[str, int]) -> tuple[int, int, bool] | None:
    """(hour, minute, written as 24-hour) from what is left once the words are taken."""
    words = rest.split()
    if len(words) == 1 and ":" in words[0]:
        hour, minute = words[0].split(":")
        return int(hour), int(minute), hour.startswith("0") or int(hour) > 12
    if len(words) == 2 and words[0].isdigit() and words[1].isdigit() and len(words[1]) == 2:
        return int(words[0]), int(words[1]), int(words[0]) > 12
    if len(words) == 1 and words[0].isdigit() and len(words[0]) <= 2:
        return int(words[0]), 0, words[0].startswith("0") or int(words[0]) > 12
    if rest.strip() in numbers:
        return numbers[rest.strip()], 0, False
    return None


def read_times(text: str, words: TimeWords, numbers: Mapping[str, int]) -> list[str]:
    """Every "HH:MM" that ``text`` may mean, the likeliest first; empty if not a time."""
    rest = _clean(text)
    rest, _ = _take(rest, words.oclock)
    rest, morning = _take(rest, words.morning)
    rest, evening = _take(rest, words.evening)
    if not rest.strip():
        return []
    for phrases, fixed in ((words.noon, 12 * 60), (words.midnight, 0)):
        if rest.strip() in phrases:
            return [f"{fixed // 60:02d}:00"]
    offset = 0
    for phrases, minutes in ((words.quarter_past, 15), (words.quarter_to, -15),
                             (words.half_past, 30)):
        rest, found = _take(rest, phrases)
        if found:
            offset = minutes
            break
    reading = _hour_minute(rest, numbers)
    if reading is None:
        return []
    hour, minute, twenty_four = reading
    if minute > 59 or hour > 23 or (offset and minute):
        return []
    if morning or evening:
        if twenty_four or not 1 <= hour <= 12 or (morning and evening):
            return []
        hours = [hour % 12 + (12 if evening else 0)]
    elif twenty_four or hour == 0:
        hours = [hour]
    else:
        hours = [hour, hour + 12] if hour < 12 else [12]
    return [_clock(h * 60 + minute + offset) for h in hours]


def _clock(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
