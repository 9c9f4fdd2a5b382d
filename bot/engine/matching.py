"""Phrase matching for keywords and crisis phrases.

The rule: both sides are case-folded, every run of characters that are not letters or
digits becomes one space, and the phrase must appear as whole words. So "I want to
END IT." matches "end it", while "spend it" and "legend items" do not.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("’", "'").replace("'", "")
    return _NON_WORD.sub(" ", text).strip()


def matches_phrase(normalised_text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs as whole words in text already passed through normalise."""
    wanted = normalise(phrase)
    if not wanted:
        return False
    return f" {wanted} " in f" {normalised_text} "
