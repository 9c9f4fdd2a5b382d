"""The contact filter and the directive check on peer messages."""

from __future__ import annotations

import pytest

from bot.mentoring.checks import directive_phrases, has_contact


@pytest.mark.parametrize("text", [
    "07700 900123", "+44 (0)7700-900-123", "call 0044 7700 900 123", "me@example.com",
    "me at example dot com", "@sam_h", "t.me/samh", "https://example.org", "www.site.co.uk",
    "t . me / samh", "wa.me/447700900123", "find me on example.com",
])
def test_contact_details_are_found(text: str) -> None:
    assert has_contact(text)


@pytest.mark.parametrize("text", [
    "What helped this week?", "I walked 3 miles", "See you at 10.30", "It took 2 years",
    "Rooted for you @ the match", "Proud of you.", "Week 12 of 52",
])
def test_everyday_words_pass(text: str) -> None:
    assert not has_contact(text)


def test_directive_phrases_are_found_case_and_apostrophes_aside() -> None:
    phrases = ["you should", "you need to", "don't forget"]
    assert directive_phrases("You SHOULD go", phrases) == ("you should",)
    assert directive_phrases("Dont forget the form", phrases) == ("don't forget",)
    assert directive_phrases("Would you like to?", phrases) == ()
