"""Phrase matching for keywords and crisis phrases.

The rule: both sides are case-folded, every run of characters that are not letters or
digits becomes one space, and the phrase must appear as whole words. So "I want to
END IT." matches "end it", while "spend it" and "legend items" do not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """The form messages and phrases are compared in: case-folded, no apostrophes, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("’", "'").replace("'", "")
    return _NON_WORD.sub(" ", text).strip()


def matches_phrase(normalised_text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs as whole words in text already passed through normalise."""
    wanted = normalise(phrase)
    if not wanted:
        return False
    return f" {wanted} " in f" {normalised_text} "


class PhraseMatcher:
    """Many phrases, normalised once, tested in one regular-expression search.

    Same rule as :func:`matches_phrase`; a flow's keywords are checked on every message,
    so their normalising and matching must not cost one pass per phrase."""

    def __init__(self, phrases: Iterable[str]) -> None:
        wanted = sorted({normalise(p) for p in phrases} - {""}, key=len, reverse=True)
        self._pattern = (re.compile(r"(?:^| )(?:" + "|".join(map(re.escape, wanted))
                                    + r")(?: |$)") if wanted else None)

    def matches(self, normalised_text: str) -> bool:
        """Whether any phrase occurs as whole words in text already passed through normalise."""
        return self._pattern is not None and self._pattern.search(normalised_text) is not None
