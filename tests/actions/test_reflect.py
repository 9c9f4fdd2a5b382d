"""Reflections read naturally (issue 11): no 'because "because I'm exhausted"'."""

from __future__ import annotations

import pytest

from bot.actions.reflect import in_sentence, why_clause

EN = {"because": "because", "reasons": ["because", "cos", "cause", "as", "since"],
      "aims": ["so", "so that", "to", "in order to"]}


@pytest.mark.parametrize(("why", "clause"), [
    ("because I'm exhausted", ", because I'm exhausted"),
    ("Because I'm exhausted.", ", because I'm exhausted"),
    ("cos I'm tired of sofas", ", because I'm tired of sofas"),
    ("so my kids can come and stay", ", so my kids can come and stay"),
    ("\"so my kids can come and stay\"", ", so my kids can come and stay"),
    ("To feel useful again", ", to feel useful again"),
    ("I'm fed up of waiting", ", because I'm fed up of waiting"),
    ("My kids", ", because my kids"),
    ("sofa surfing is hard", ", because sofa surfing is hard"),
    ("", ""),
])
def test_the_persons_own_joining_word_is_kept_and_never_doubled(why: str, clause: str) -> None:
    assert why_clause(why, **EN) == clause  # type: ignore[arg-type]


def test_in_welsh() -> None:
    assert why_clause("Achos dw i wedi blino", because="oherwydd", reasons=["achos", "oherwydd"],
                      aims=["er mwyn"]) == ", oherwydd dw i wedi blino"
    assert why_clause("er mwyn i'r plant aros", because="oherwydd", reasons=["achos"],
                      aims=["er mwyn"]) == ", er mwyn i'r plant aros"


@pytest.mark.parametrize(("text", "words"), [
    ("Getting my own flat.", "getting my own flat"),
    ("I want a job", "I want a job"),
    ("NHS appointment", "NHS appointment"),
    ("\"my kids\"", "my kids"),
])
def test_what_matters_reads_inside_a_sentence(text: str, words: str) -> None:
    assert in_sentence(text) == words
