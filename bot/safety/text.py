"""The views of a message that detection reads: surface words and their lemmas.

Lemmas come from simplemma, which ships its English and Welsh dictionaries inside the
package (no download). Welsh lemmas also undo mutations ("fy mywyd" -> "bywyd").
Apostrophes are read two ways: dropped, as the exact-phrase layer does ("don't" ->
"dont"), and as a space, because Welsh attaches short words with them ("i'n", "lyncu'r").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import simplemma

from bot.engine.matching import normalise

LANGUAGES = ("en", "cy")
_APOSTROPHE = re.compile("['’‘`]")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def split_apostrophes(text: str) -> str:
    """Like :func:`normalise`, but an apostrophe separates words instead of vanishing."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", _APOSTROPHE.sub(" ", text)).strip()


@lru_cache(maxsize=65536)
def lemma(word: str, lang: str) -> str:
    """The dictionary form of one lower-case word in ``lang`` (the word itself if unknown)."""
    if not word.isalpha():
        return word
    return str(simplemma.lemmatize(word, lang=lang)).casefold()


def lemmatise(words: str, lang: str) -> str:
    """Each word of an already normalised text replaced by its lemma."""
    return " ".join(lemma(w, lang) for w in words.split())


def views(text: str) -> tuple[str, ...]:
    """Every distinct reading of ``text`` that patterns are matched against."""
    dropped = normalise(text)
    split = split_apostrophes(text)
    readings = [dropped, split]
    for lang in LANGUAGES:
        readings.append(lemmatise(dropped, lang))
        readings.append(lemmatise(split, lang))
    return tuple(dict.fromkeys(r for r in readings if r))


def warm_up() -> None:
    """Load the lemma dictionaries now, so the first message is not the slow one."""
    for lang in LANGUAGES:
        simplemma.lemmatize("words", lang=lang)
