"""Undo the ways people bend crisis words: text-speak, masking, leetspeak, stretching, typos.

One more reading of a message for the patterns (bot/safety/patterns.py), built from two
lists in flows/safety/patterns.yaml: ``textspeak`` (``wud: would``, ``no1: no one``) and
``vocabulary``, the words crisis patterns are made of. A word is changed only towards
that vocabulary, and only when it is not already a word (simplemma knows neither an
English nor a Welsh one), so "putting" never becomes "cutting":

- masking: ``s*icide``, ``k*ll`` (a ``*`` stands for one to three letters);
- leetspeak: ``su1c1de``, ``k1ll``, ``$uicide`` (digits and symbols inside a word);
- stretching: ``diiiie``, ``pleeease`` (runs of three or more letters);
- typos one edit away (a letter missing, extra, wrong or two swapped):
  ``sucide``, ``cuting``, ``lfie``;
- run-ons of two words: ``killmyself``, ``wanttodie`` (as far as both halves are words).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

import simplemma

from bot.engine.matching import normalise
from bot.safety.text import LANGUAGES

# Starts only where a word starts: without the lookbehind, a long run of letters with no
# mask in it was tried from every letter of it, quadratic (8 s for 10,000 letters, on the
# event loop). A match from inside a run would have matched from its start anyway.
_MASKED = re.compile(r"(?<![^\W_])[^\W_]*(?:[*#]+[^\W_]*)+", re.UNICODE)
_TOKEN = re.compile(r"\S+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "@": "a", "$": "s", "!": "i", "|": "l"})
_STRETCH = re.compile(r"(.)\1{2,}")
MIN_TYPO = 4  # shorter words are too often other words one edit away
# The first word of a run-on is tried at most this long (or the longest crisis word):
# trying every cut of a 4,000-letter "word" asked simplemma 4,000 times (half a second).
LONGEST_LEFT = 24


@lru_cache(maxsize=65536)
def known(word: str) -> bool:
    """Whether ``word`` is an English or Welsh word simplemma knows."""
    return any(simplemma.is_known(word, lang) for lang in LANGUAGES)


class Respeller:
    """Maps a message to the crisis vocabulary's spelling, or leaves it alone."""

    def __init__(self, textspeak: Mapping[str, str], vocabulary: Iterable[str]) -> None:
        self.textspeak = {normalise(k): normalise(v) for k, v in textspeak.items()}
        self.vocabulary = {normalise(w) for w in vocabulary}
        self._deletes: dict[str, set[str]] = {}
        for word in self.vocabulary:
            for variant in _deletions(word):
                self._deletes.setdefault(variant, set()).add(word)
        self._cache: dict[str, str] = {}
        self._longest = max(map(len, self.vocabulary), default=0)

    def respell(self, text: str) -> str:
        """``text`` normalised, with bent words put back; "" if nothing changed."""
        raw = unicodedata.normalize("NFKC", text).casefold()
        unmasked = _MASKED.sub(lambda m: self._unmask(m.group(0)), raw)
        unleet = _TOKEN.sub(lambda m: self._unleet(m.group(0)), unmasked)
        words = normalise(unleet).split()
        fixed = " ".join(self.word(w) for w in words)
        return fixed if fixed != normalise(text) else ""

    def word(self, word: str) -> str:
        """One normalised word, respelt (cached: a chat repeats its words)."""
        found = self._cache.get(word)
        if found is None:
            found = self._word(word)
            if len(self._cache) < 65536:
                self._cache[word] = found
        return found

    def _word(self, word: str) -> str:
        if word in self.textspeak:
            return self.textspeak[word]
        if word in self.vocabulary or not word.isalpha():
            return word
        if _STRETCH.search(word):
            for fix in (_STRETCH.sub(r"\1\1", word), _STRETCH.sub(r"\1", word)):
                if fix in self.vocabulary or known(fix):
                    return self.textspeak.get(fix, fix)
            word = _STRETCH.sub(r"\1\1", word)
        if known(word):
            return word
        # One edit from a crisis word is at most one letter longer than it.
        if MIN_TYPO <= len(word) <= self._longest + 1:
            near = self._near(word)
            if len(near) == 1:
                return near.pop()
        return self._split(word) or word

    def _near(self, word: str) -> set[str]:
        near: set[str] = set()
        for variant in _deletions(word):
            near |= self._deletes.get(variant, set())
        for i in range(len(word) - 1):  # two letters swapped
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            if swapped in self.vocabulary:
                near.add(swapped)
        return {w for w in near if abs(len(w) - len(word)) <= 1 and len(w) >= MIN_TYPO}

    def _split(self, word: str, least: int = 7) -> str | None:
        if len(word) < least:
            return None
        for cut in range(2, min(len(word) - 1, max(LONGEST_LEFT, self._longest) + 1)):
            left, right = word[:cut], word[cut:]
            if not (left in self.vocabulary or known(left)):
                continue
            if right in self.vocabulary or (left in self.vocabulary and known(right)):
                return f"{left} {right}"
            rest = self._split(right, 4) if left in self.vocabulary else None
            if rest is not None:
                return f"{left} {rest}"
        return None

    def _unmask(self, token: str) -> str:
        if not re.search(r"[^\W_]", token):
            return token
        body = r"[^\W\d_]{1,3}".join(re.escape(p) for p in re.split(r"[*#]+", token))
        pattern = re.compile(f"^{body}$")
        hits = [w for w in self.vocabulary if pattern.match(w)]
        return hits[0] if len(hits) == 1 else token

    def _unleet(self, token: str) -> str:
        if not (re.search(r"[^\W\d_]", token) and re.search(r"[\d@$!|]", token)):
            return token
        core = token.strip(".,;:?!'\"()")
        if core in self.textspeak or not core:
            return token
        plain = core.translate(_LEET)
        return token.replace(core, plain) if plain in self.vocabulary else token


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}
