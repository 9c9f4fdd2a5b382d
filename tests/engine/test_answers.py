"""Typed answers read as people mean them (issue 11): the table of real questions, the
time reader, and the rules' guards (negations, sentences, ambiguity)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.answers import FLOWS, Row, load_table, new_match, old_match
from bot.app import load_checked_flows
from bot.engine.answerbook import AnswerBook, AnswerBookError
from bot.engine.answers import AnswerWords, OptionText, choose_option
from bot.engine.loader import InvalidFlows
from bot.engine.timewords import read_times

ROWS = load_table()
SHIPPED = load_checked_flows(FLOWS)
BOOK = AnswerBook(SHIPPED.config.get("answers"), SHIPPED.default_language)


def test_the_table_is_big_enough_and_in_both_languages() -> None:
    assert len(ROWS) >= 60
    assert {row.language for row in ROWS} == {"en", "cy"}
    assert sum(row.language == "cy" for row in ROWS) >= 20


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_typed_answer_picks_what_the_person_meant(row: Row) -> None:
    assert new_match(SHIPPED, BOOK, row) == row.expected


def test_the_old_matcher_missed_the_answers_in_the_issue() -> None:
    """The answers issue 11 reports as failing did fail with the old rule."""
    reported = {"9am", "morning", "london", "uk", "the first one", "the third one", "yeah",
                "yep", "that's it", "nah", "go back", "it's fine", "ydy", "ydych"}
    rows = [row for row in ROWS if row.typed in reported and row.expected is not None]
    assert {row.typed for row in rows} == reported
    assert all(old_match(SHIPPED, BOOK, row) is None for row in rows)


EN = BOOK.for_language("en")
TIMES = [OptionText(("Morning (9am)",), "09:00"), OptionText(("Evening (6pm)",), "18:00")]


@pytest.mark.parametrize(("typed", "readings"), [
    ("9am", ["09:00"]), ("9", ["09:00", "21:00"]), ("09:00", ["09:00"]),
    ("21:15", ["21:15"]), ("nine", ["09:00", "21:00"]), ("half past 6", ["06:30", "18:30"]),
    ("quarter to seven pm", ["18:45"]), ("quarter past 9 in the morning", ["09:15"]),
    ("noon", ["12:00"]), ("midnight", ["00:00"]), ("12pm", ["12:00"]), ("12am", ["00:00"]),
    ("7.30 p.m.", ["19:30"]), ("10 o'clock", ["10:00", "22:00"]),
    ("9yb", ["09:00"]), ("naw o'r gloch", ["09:00", "21:00"]),
    ("hanner awr wedi saith yh", ["19:30"]),
])
def test_times_typed_as_people_type_them(typed: str, readings: list[str]) -> None:
    words = BOOK.for_language("cy")
    assert read_times(typed, words.times, words.numbers) == readings


@pytest.mark.parametrize("typed", ["", "morning", "25:00", "13pm", "9:75", "nine apples",
                                   "half past", "later"])
def test_not_a_time(typed: str) -> None:
    assert read_times(typed, EN.times, EN.numbers) == []


def test_a_long_sentence_never_picks_by_one_word() -> None:
    options = [OptionText(("Good",), "good"), OptionText(("Hard",), "hard")]
    typed = "it has been a good but really long and tiring sort of day"
    assert choose_option(typed, options, EN) is None
    assert choose_option("good day", options, EN) == 0


def test_two_options_that_share_a_meaning_pick_neither() -> None:
    options = [OptionText(("Not now",), "later"), OptionText(("Not today",), "no")]
    assert choose_option("nah", options, EN) is None


def test_words_in_two_options_pick_neither() -> None:
    options = [OptionText(("Eastern Europe",), "e"), OptionText(("Central Europe",), "c")]
    assert choose_option("europe", options, EN) is None
    assert choose_option("eastern or central", options, EN) is None


def test_without_answer_words_only_exact_answers_and_typos_count() -> None:
    options = [OptionText(("Good",), "good"), OptionText(("So-so",), "meh")]
    bare = AnswerWords(intents={})
    assert choose_option("yeah", options, bare) is None
    assert choose_option("2", options, bare) == 1
    assert choose_option("so so", options, bare) == 1


def test_a_language_without_words_of_its_own_gets_the_defaults() -> None:
    assert BOOK.for_language("fr") is BOOK.for_language("en")


def test_a_badly_shaped_answers_file_is_refused() -> None:
    with pytest.raises(AnswerBookError):
        AnswerBook(["yes"])
    with pytest.raises(AnswerBookError):
        AnswerBook({"en": {"ignore": "the"}})


def test_times_at_a_choice_of_times_and_nowhere_else() -> None:
    assert choose_option("6pm", TIMES, EN) == 1
    words = [OptionText(("Six",), "six"), OptionText(("Nine",), "nine")]
    assert choose_option("9am", words, EN) is None


def test_goodhelp_validate_names_a_broken_answers_file(tmp_path: Path) -> None:
    root = tmp_path / "flows"
    shutil.copytree(FLOWS, root)
    (root / "config" / "answers.yaml").write_text("en:\n  ignore: the\n")
    with pytest.raises(InvalidFlows) as caught:
        load_checked_flows(root)
    assert str(caught.value) == f"{root}/config/answers.yaml:1: en.ignore must be a list of words"
