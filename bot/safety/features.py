"""The features the crisis model reads, shared by training and run time.

Training (bench/safety_train.py) and inference (bot/safety/model.py) call the same
function, so the shipped weights mean the same thing in both places. Features are
present-or-absent: words, their English and Welsh lemmas, word pairs, and character
3- to 5-grams inside each word (which tolerate typos such as "sucidal").
"""

from __future__ import annotations

from itertools import pairwise

from bot.engine.matching import normalise
from bot.safety.text import LANGUAGES, lemma

CHAR_SIZES = (3, 4, 5)


def features(text: str) -> set[str]:
    """Every feature present in ``text`` (a set: each counts once)."""
    words = normalise(text).split()
    found: set[str] = set()
    for word in words:
        found.add("w:" + word)
        for lang in LANGUAGES:
            found.add("l:" + lemma(word, lang))
        padded = f" {word} "
        for size in CHAR_SIZES:
            for start in range(len(padded) - size + 1):
                found.add("c:" + padded[start:start + size])
    for first, second in pairwise(words):
        found.add(f"b:{first} {second}")
    return found
