"""Read what a person typed at a question with options, as a person means it.

People answer "yeah", "the first one", "london", "9am" or "mornin", not the button's
exact words. :func:`choose_option` tries, in order, rules from the most to the least
certain, and stops at the first that points at exactly one option:

1. exact: the option's number, its label or its value (what was accepted before);
2. intent: a whole answer that means yes, no, "that's all" or "go back", when exactly one
   option carries that meaning (by its value or the first words of its label);
3. position: "the first one", "number two", "last";
4. time: a time typed as a time ("9am", "nine", "half past 6") at a choice between times;
5. a distinctive word: a word of the answer that is in one option's label only;
6. a small typo of such a word, or of the whole label (rapidfuzz).

Pure: the words come from flows/config/answers.yaml through :class:`AnswerBook`; nothing
here knows a flow, a person or a language by name. An answer with a negation ("not good")
never picks an option by a label word that lacks it, and long answers (a sentence typed
at a question) never pick by a single word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

from bot.engine.matching import normalise
from bot.engine.timewords import TimeWords, read_times
from bot.engine.zones import find_zone, is_zone

MAX_WORDS_FOR_A_WORD_MATCH = 6  # longer answers are sentences, not picks
WHOLE_LABEL_SIMILARITY = 85  # rapidfuzz ratio, 0-100, for a mistyped whole label
_CLOCK_VALUE = re.compile(r"^\d{2}:\d{2}$")
# Labels and values are the same few hundred strings turn after turn: normalise each once.
_normal = lru_cache(maxsize=4096)(normalise)


@dataclass(frozen=True)
class Intent:
    """One meaning (yes, no, ...): whole answers that say it, and how an option shows it."""

    typed: frozenset[str]
    values: frozenset[str]
    labels: tuple[str, ...]

    def marks(self, option: OptionText) -> bool:
        """Whether ``option`` carries this meaning, by its value or its label's first words."""
        if _normal(option.value) in self.values:
            return True
        return any(f"{_normal(label)} ".startswith(f"{mark} ")
                   for label in option.labels for mark in self.labels)


@dataclass(frozen=True)
class AnswerWords:
    """The answer words of one language (or several merged), as data."""

    intents: Mapping[str, Intent]
    ordinals: tuple[frozenset[str], ...] = ()
    last: frozenset[str] = frozenset()
    numbers: Mapping[str, int] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    negations: frozenset[str] = frozenset()
    out_of: tuple[str, ...] = ()  # "out of" in "7 out of 10"
    times: TimeWords = field(default_factory=TimeWords)


@dataclass(frozen=True)
class OptionText:
    """One option as the matcher sees it: its labels (the shown one first) and value."""

    labels: tuple[str, ...]
    value: str


def choose_option(text: str, options: Sequence[OptionText], words: AnswerWords) -> int | None:
    """The index of the option the person meant by ``text``, or None when unclear."""
    typed = _without_scale(normalise(text), words)
    if not typed or not options:
        return None
    for rule in (_exact, _intent, _position, _time, _word, _typo):
        found = rule(text, typed, options, words)
        if found is not None:
            return found
    return None


def _without_scale(typed: str, words: AnswerWords) -> str:
    """ "7 out of 10" and "7/10" (normalised "7 10") as "7": a rating with its scale."""
    for phrase in words.out_of:
        head, found, tail = typed.partition(f" {phrase} ")
        if found and tail.isdigit():
            return head
    parts = typed.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[0]) <= int(parts[1]):
        return parts[0]
    return typed


def _exact(text: str, typed: str, options: Sequence[OptionText], words: AnswerWords
           ) -> int | None:
    if typed.isdigit():  # the commonest answer: a label that is this number, or a position
        for index, option in enumerate(options):
            if option.labels and option.labels[0].strip() == typed:
                return index
        if 1 <= int(typed) <= len(options):
            return int(typed) - 1
    for index, option in enumerate(options):
        if typed == _normal(option.value) or any(
                typed == _normal(label) for label in option.labels):
            return index
    return None


def _only(found: set[int]) -> int | None:
    return next(iter(found)) if len(found) == 1 else None


def _intent(text: str, typed: str, options: Sequence[OptionText], words: AnswerWords
            ) -> int | None:
    found: set[int] = set()
    for intent in words.intents.values():
        if typed in intent.typed:
            found.update(i for i, option in enumerate(options) if intent.marks(option))
    return _only(found)


def _position(text: str, typed: str, options: Sequence[OptionText], words: AnswerWords
              ) -> int | None:
    tokens = typed.split()
    places: set[int] = set()
    numbers: set[int] = set()
    for token in tokens:
        place = next((i for i, names in enumerate(words.ordinals) if token in names), None)
        if place is not None:
            places.add(place)
        elif token in words.last:
            places.add(len(options) - 1)
        elif token in words.numbers:
            numbers.add(words.numbers[token] - 1)
        elif token.isdigit():
            numbers.add(int(token) - 1)
        elif token not in words.ignore:
            return None  # other words: not just a position
    found = _only(places) if places else _only(numbers)
    return found if found is not None and 0 <= found < len(options) else None


def _time(text: str, typed: str, options: Sequence[OptionText], words: AnswerWords
          ) -> int | None:
    if not any(_CLOCK_VALUE.match(option.value) for option in options):
        return None
    for candidate in read_times(text, words.times, words.numbers):
        found = _only({i for i, o in enumerate(options) if o.value == candidate})
        if found is not None:
            return found
    return None


def _label_words(option: OptionText, words: AnswerWords) -> frozenset[str]:
    return _words_of(option.labels, words.ignore)


@lru_cache(maxsize=1024)
def _words_of(labels: tuple[str, ...], ignore: frozenset[str]) -> frozenset[str]:
    return frozenset(w for label in labels for w in _normal(label).split()) - ignore


def _content(typed: str, words: AnswerWords) -> list[str] | None:
    tokens = typed.split()
    if len(tokens) > MAX_WORDS_FOR_A_WORD_MATCH:
        return None
    return [t for t in tokens if t not in words.ignore]


def _allowed(typed: str, option_words: frozenset[str], words: AnswerWords) -> bool:
    """A negated answer only matches a label with the same negation."""
    said = set(typed.split()) & words.negations
    return not said or said <= option_words


def _by_words(typed: str, options: Sequence[OptionText], words: AnswerWords,
              same: Callable[[str, str], bool]) -> int | None:
    content = _content(typed, words)
    if not content:
        return None
    labels = [_label_words(option, words) for option in options]
    hits: set[int] = set()
    for token in content:
        owners = {i for i, label in enumerate(labels)
                  if any(same(token, word) for word in label)}
        if len(owners) == 1:
            hits.update(owners)
    hits = {i for i in hits if _allowed(typed, labels[i], words)}
    return _only(hits)


def _word(text: str, typed: str, options: Sequence[OptionText], words: AnswerWords
          ) -> int | None:
    return _by_words(typed, options, words, str.__eq__)


def _close(token: str, word: str) -> bool:
    """A small typo: one edit in a word of 4-6 letters, two in a longer one."""
    if len(token) < 4 or len(word) < 4 or token.isdigit():
        return False
    allowed = 1 if len(word) <= 6 else 2
    return Levenshtein.distance(token, word, score_cutoff=allowed) <= allowed


def _typo(text: str, typed: str, options: Sequence[OptionText], words: AnswerWords
          ) -> int | None:
    found = _by_words(typed, options, words, _close)
    if found is not None:
        return found
    if len(typed) < 4 or typed.isdigit():
        return None
    close = {i for i, option in enumerate(options)
             if any(ratio(typed, _normal(label)) >= WHOLE_LABEL_SIMILARITY
                    for label in option.labels)}
    return _only(close)


def typed_time(text: str, options: Sequence[OptionText], words: AnswerWords) -> str | None:
    """At a choice between times, a time typed that is none of them ("half past 6"), as
    "HH:MM"; of two readings (6:30 or 18:30) the one nearer the times offered."""
    offered = [_minutes(o.value) for o in options if _CLOCK_VALUE.match(o.value)]
    if not offered:
        return None
    readings = read_times(text, words.times, words.numbers)
    if not readings:
        return None
    return min(readings, key=lambda r: min(_gap(_minutes(r), m) for m in offered))


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _gap(a: int, b: int) -> int:
    return min(abs(a - b), 24 * 60 - abs(a - b))


def typed_zone(text: str, options: Sequence[OptionText]) -> str | None:
    """At a choice of time zones, a zone or city typed that none of them offers ("Lisbon",
    "new york"), as its IANA name."""
    if not any(is_zone(option.value) for option in options):
        return None
    return find_zone(text)
