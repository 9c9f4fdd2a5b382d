"""Reflections read naturally (issue 11): no 'because "because I'm exhausted"'."""

from __future__ import annotations

import pytest

from bot.actions.reflect import as_aim, in_sentence, why_clause

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


@pytest.mark.parametrize(("text", "words"), [
    ("get my own flat", "to get my own flat"),  # read "what matters to you is get my own flat"
    ("find work", "to find work"),
    ("getting my own flat", "getting my own flat"),
    ("a place of my own", "a place of my own"),
    ("my kids", "my kids"),
    ("I want a job", "I want a job"),
])
def test_what_matters_starting_with_a_verb_reads_as_an_aim(text: str, words: str) -> None:
    assert as_aim(text, verbs=["get", "find"], to="to") == words


def test_no_to_in_welsh() -> None:
    assert as_aim("cael fy fflat fy hun", verbs=["get"], to="") == "cael fy fflat fy hun"
