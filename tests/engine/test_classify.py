"""Named text classifiers (bot/engine/classify.py) and the shipped low-mood data
(flows/config/lowmood.yaml): what they recognise, what they leave alone, and how
`goodhelp validate` reports mistakes in them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.actions import default_registry
from bot.engine.loader import InvalidFlows, load_flows
from tests.conftest import FLOWS

CLASSIFIERS = load_flows(FLOWS, known_actions=default_registry().known()).classifiers
LOW_MOOD = CLASSIFIERS["low_mood"]
NOTHING = CLASSIFIERS["nothing_went_well"]

LOW_MOOD_ANYWHERE = [
    "nothing, I feel worthless",
    "I FEEL WORTHLESS!!",
    "had a really rough day",
    "nothing's going right",
    "Nothing’s going right",
    "shit week",
    "another bad week",
    "I'm feeling so low",
    "felt really down today",
    "i am useless",
    "I've been so lonely",
    "I hate myself",
    "can't cope",
    "everything is going wrong",
    "feel like giving up",
    "Dw i'n teimlo'n isel",
    "Rwy'n teimlo'n ddiwerth",
    "wythnos ofnadwy",
    "diwrnod gwael",
    "methu ymdopi",
    "does neb yn poeni",
]

NOTHING_WENT_WELL = ["nothing", "Nothing.", "nothing good", "hard", "Hard!", "not much",
                     "nope", "dim byd", "anodd", "dim byd da"]

ORDINARY = [
    "I phoned the college",
    "Nothing stopped me going to the interview",
    "I went down to the job centre",
    "I did a hard day's work",
    "it was hard but I did it",
    "not bad actually",
    "I gave up smoking",
    "feeling good",
    "I'm down the road from the library",
    "I'm bad at cooking but made soup",
    "Es i i'r ganolfan waith",
]


@pytest.mark.parametrize("text", LOW_MOOD_ANYWHERE)
def test_low_mood_is_recognised_in_any_answer(text: str) -> None:
    assert LOW_MOOD.matches(text)


@pytest.mark.parametrize("text", NOTHING_WENT_WELL)
def test_nothing_went_well_is_recognised_as_a_whole_answer(text: str) -> None:
    assert NOTHING.matches(text)
    assert not NOTHING.matches(f"{text} and then I found a job")


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_wins_are_left_alone(text: str) -> None:
    assert not LOW_MOOD.matches(text)
    assert not NOTHING.matches(text)


def test_unless_cancels_a_match() -> None:
    assert LOW_MOOD.matches("rough week")
    assert not LOW_MOOD.matches("rough week but not that bad")


def copy_flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    return target


def problems(folder: Path) -> list[str]:
    with pytest.raises(InvalidFlows) as caught:
        load_flows(folder, known_actions=default_registry().known())
    return [str(p) for p in caught.value.problems]


def test_an_unknown_classifier_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    folder = copy_flows(tmp_path)
    win = folder / "win.yaml"
    win.write_text(win.read_text().replace("on: {low_mood: hard_time,", "on: {low_mod: hard_time,"))
    found = problems(folder)
    assert any("win.yaml:" in p and "unknown classifier 'low_mod'" in p and "low_mood" in p
               for p in found), found


def test_a_bad_pattern_or_key_is_reported(tmp_path: Path) -> None:
    folder = copy_flows(tmp_path)
    config = folder / "config" / "lowmood.yaml"
    text = config.read_text().replace("    phrases:\n      en:\n", "    phrase:\n      en:\n", 1)
    text = text.replace('    patterns:\n', '    patterns:\n      - "(unclosed"\n', 1)
    config.write_text(text)
    found = problems(folder)
    assert any("lowmood.yaml:" in p and "unknown key 'phrase'" in p for p in found), found
    assert any("lowmood.yaml:" in p and "not a valid regular expression" in p for p in found)


def test_a_step_target_of_on_is_checked(tmp_path: Path) -> None:
    folder = copy_flows(tmp_path)
    win = folder / "win.yaml"
    win.write_text(win.read_text().replace("on: {low_mood: hard_time,", "on: {low_mood: nowhere,"))
    assert any("goes to 'nowhere'" in p for p in problems(folder))


def test_crisis_is_a_reserved_answer_on_a_question_only(tmp_path: Path) -> None:
    """``on: {crisis: step}`` (a question that takes crisis words itself, as a mentor's
    message does) is allowed on an ``ask``; on a ``choose`` it is an unknown classifier."""
    folder = copy_flows(tmp_path)
    win = folder / "win.yaml"
    text = win.read_text()
    win.write_text(text.replace("on: {low_mood: hard_time,",
                                "on: {crisis: hard_time, low_mood: hard_time,", 1))
    load_flows(folder, known_actions=default_registry().known())  # valid
    win.write_text(re.sub(r"(?m)^(  \w+:\n)(    choose:)", r"\1    on: {crisis: hard_time}\n\2",
                          text, count=1))
    found = problems(folder)
    assert any("win.yaml:" in p and "unknown classifier 'crisis'" in p for p in found), found
