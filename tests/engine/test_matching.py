"""PhraseMatcher (one regex for many phrases) follows the same rule as matches_phrase."""

from __future__ import annotations

import itertools

import pytest

from bot.engine.matching import PhraseMatcher, matches_phrase, normalise

PHRASES = ["end it", "kill myself", "i did it", "can't go on", "help", "a.b", "(x)", "don't"]
TEXTS = [
    "I want to END IT.", "spend it", "legend items", "I did it!", "i  did   it", "kill myself",
    "I can't go on", "cant go on", "helpful", "help!", "a b", "ab", "x", "(x)", "dont",
    "", "   ", "😊 end it 😊", "ending it",
]


@pytest.mark.parametrize("text", TEXTS)
def test_one_phrase_at_a_time_agrees_with_matches_phrase(text: str) -> None:
    normalised = normalise(text)
    for phrase in PHRASES:
        assert PhraseMatcher([phrase]).matches(normalised) == matches_phrase(normalised, phrase)


@pytest.mark.parametrize("pair", list(itertools.combinations(PHRASES, 3)))
def test_many_phrases_match_when_any_one_does(pair: tuple[str, ...]) -> None:
    matcher = PhraseMatcher(pair)
    for text in TEXTS:
        normalised = normalise(text)
        assert matcher.matches(normalised) == any(matches_phrase(normalised, p) for p in pair)


def test_no_phrases_match_nothing() -> None:
    assert not PhraseMatcher([]).matches("anything")
    assert not PhraseMatcher(["", "  "]).matches("")
