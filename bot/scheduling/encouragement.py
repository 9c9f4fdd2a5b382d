"""Choose encouragement from ``flows/content/encouragement.yaml``.

Tailored: items that need the person's purpose or a recent win are used only when there
is one, and items tagged with themes only for a purpose with one of those themes.
Never the same item as any of the last ``RECENT`` sent to the person; the four sources
take turns, least recently used first.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

RECENT = 10
SOURCES = ("achieving", "witnessing", "encouragement", "positive_association")


@dataclass(frozen=True)
class Item:
    """One piece of encouragement, with what it needs from the person and the themes it suits."""

    id: str
    source: str
    text: Any  # a string, a list of variants or a mapping of language to either
    needs: frozenset[str]
    themes: frozenset[str]


def items(content: Mapping[str, Any]) -> list[Item]:
    """Every item in the content file, source by source, for choosing among."""
    found = []
    for source in SOURCES:
        for raw in (content.get("sources") or {}).get(source) or []:
            found.append(Item(str(raw["id"]), source, raw["text"],
                              frozenset(map(str, raw.get("needs") or ())),
                              frozenset(map(str, raw.get("themes") or ()))))
    return found


def pick(content: Mapping[str, Any], *, have: set[str], theme: str, recent: Sequence[str],
         rng: random.Random) -> Item | None:
    """One item that fits, not among ``recent`` (oldest first), from the source used
    least recently; tailored items (purpose, win, theme) are preferred when they fit."""
    fitting = [i for i in items(content)
               if i.needs <= have and (not i.themes or theme in i.themes)]
    if not fitting:
        return None
    last = list(recent)[-RECENT:]
    fresh = [i for i in fitting if i.id not in last] or [
        # Fewer fitting items than RECENT: the one sent longest ago.
        min(fitting, key=lambda i: last.index(i.id) if i.id in last else -1)]
    by_id = {i.id: i for i in items(content)}
    used = [by_id[x].source for x in last if x in by_id]

    def staleness(source: str) -> int:
        return max((n for n, s in enumerate(used) if s == source), default=-1)

    source = min({i.source for i in fresh}, key=lambda s: (staleness(s), SOURCES.index(s)))
    pool = [i for i in fresh if i.source == source]
    tailored = [i for i in pool if i.needs or i.themes]
    return rng.choice(tailored or pool)


def ago(content: Mapping[str, Any], then: datetime, now: datetime,
        language: str = "en", fallback: str = "en") -> str:
    """"Three weeks ago", in words from the content file, in the person's language.

    ``ago`` and ``numbers`` are either the words themselves or a mapping of language to
    them (with a ``fallback`` entry); a language with words but no ``numbers`` of its
    own says numbers as digits."""
    words = content.get("ago") or {}
    raw_numbers = content.get("numbers") or []
    if fallback in words:  # a mapping of language to words
        if language not in words:
            language = fallback
        words = words[language] or {}
    if isinstance(raw_numbers, Mapping):
        raw_numbers = raw_numbers.get(language) or []
    numbers = [str(n) for n in raw_numbers]
    days = max(0, (now - then).days)

    def say(key: str, n: int) -> str:
        spoken = numbers[n] if n < len(numbers) else str(n)
        return str(words.get(key, "{n}")).replace("{n}", spoken)

    if days == 0:
        text = say("today", 0)
    elif days == 1:
        text = say("yesterday", 1)
    elif days < 7:
        text = say("days", days)
    elif days < 14:
        text = say("one_week", 1)
    elif days < 30:
        text = say("weeks", days // 7)
    elif days < 60:
        text = say("one_month", 1)
    else:
        text = say("months", days // 30)
    return text[:1].upper() + text[1:]
