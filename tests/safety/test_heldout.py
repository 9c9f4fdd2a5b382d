"""Recall and false positives on the held-out sets (tests/data/safety_heldout*.yaml).

The goal is recall >= 0.95 and false positives <= 0.10 on messages the authors have not
seen. Every set here has been SEEN: each was scored once on first sight (those figures
are in docs/safety.md, "How well it works"), and then the detector was changed for the
kinds of messages it missed. So the goal holding on them says only that nothing slips;
it is no evidence about unseen messages. A new set goes into UNSEEN until it has been
scored once and the first-sight figure recorded; the goal test then measures it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.detect import CrisisDetector
from bot.safety.labelled import Labelled, load_labelled
from tests.conftest import ROOT

SETS = sorted((ROOT / "tests" / "data").glob("safety_heldout*.yaml"))
# Sets written by an independent author that nobody has read or changed the detector for
# (file names). 7 and 8 were scored on first sight (0.83 / 0.02 and 0.80 / 0.00) and again
# after each round of work; their misses were never read. 9 and 10, by a third independent
# author, were first scored on the detector of 250412b (0.63 / 0.02 and 0.73 / 0.03), then
# on issue 9's second round (0.70 / 0.02 and 0.77 / 0.03), aggregate figures only. After
# the third round (training_voices_2.yaml, FP budget 0.10), measured once at its end:
# 7 0.85 / 0.02, 8 0.87 / 0.03, 9 0.75 / 0.02, 10 0.83 / 0.08. They are the honest
# measure, and the goal is not reached on them yet.
UNSEEN: tuple[str, ...] = ("safety_heldout7.yaml", "safety_heldout8.yaml",
                           "safety_heldout9.yaml", "safety_heldout10.yaml")
# Measured on the shipped detector (python -m bench.safety_eval, aggregate tables only:
# the misses of 7 and 8 are never printed), 2026-12-03 after issue 9's training_voices,
# warning-sign patterns and sentence scoring; each floor a little under today's figure.
# Seen sets since issue 9's third round (training_voices_2.yaml, FP_BUDGET 0.10): their
# false positives rose with the lower threshold (3: 0.10 -> 0.15, 4: 0.08 -> 0.10; all
# six together 0.05 -> 0.06), recall 0.96 -> 0.98.
# After the lead's retrain the same day (mentor encouragement, "things are better now",
# illness and slow progress added as everyday lines, after they were flagged in
# conversation tests): 1's false positives 1 -> 2 of 48, 7 0.87 -> 0.85.
# Session 5's retrain (being ill or in bed with flu is not a crisis: 28 everyday lines and
# 14 crisis lines said while ill, in training.yaml): the ten sets together keep the same
# count, 504 crisis messages caught and 29 false alarms, but one message moved in each of
# four sets: 3 0.98 -> 1.00, 7 0.85 -> 0.87, 4 1.00 -> 0.98, 9 0.75 -> 0.73; and 6's false
# positives 1 -> 2 of 60 while 10's went 5 -> 4.
FLOORS = {"safety_heldout.yaml": (0.99, 0.05), "safety_heldout_2.yaml": (0.91, 0.05),
          "safety_heldout_3.yaml": (0.99, 0.15), "safety_heldout_4.yaml": (0.97, 0.11),
          "safety_heldout5.yaml": (0.96, 0.07), "safety_heldout6.yaml": (0.99, 0.04),
          "safety_heldout7.yaml": (0.86, 0.02), "safety_heldout8.yaml": (0.86, 0.04),
          "safety_heldout9.yaml": (0.72, 0.02), "safety_heldout10.yaml": (0.82, 0.09)}


def rates(detector: CrisisDetector, messages: list[Labelled]) -> tuple[float, float]:
    crisis = [m for m in messages if m.crisis]
    everyday = [m for m in messages if not m.crisis]
    recall = sum(detector.is_crisis(m.text) for m in crisis) / len(crisis)
    false_positives = sum(detector.is_crisis(m.text) for m in everyday) / len(everyday)
    return recall, false_positives


def test_each_set_is_big_enough_and_balanced() -> None:
    assert {p.name for p in SETS} >= set(FLOORS)
    for path in SETS:
        messages = load_labelled(path)
        for lang, least in (("en", 60), ("cy", 30)):
            mine = [m for m in messages if m.lang == lang]
            assert len(mine) >= least
            assert sum(m.crisis for m in mine) * 2 == len(mine)


@pytest.mark.parametrize("path", SETS, ids=[p.name for p in SETS])
def test_no_set_slips_below_its_measured_floor(detector: CrisisDetector, path: Path) -> None:
    least_recall, most_false = FLOORS[path.name]
    recall, false_positives = rates(detector, load_labelled(path))
    assert recall >= least_recall and false_positives <= most_false, (recall, false_positives)


def test_the_goal_holds_on_the_seen_sets(detector: CrisisDetector) -> None:
    """Not evidence about unseen messages (see the module docstring); a guard only."""
    messages = [m for path in SETS if path.name not in UNSEEN for m in load_labelled(path)]
    recall, false_positives = rates(detector, messages)
    assert recall >= 0.95 and false_positives <= 0.10, (recall, false_positives)


@pytest.mark.xfail(strict=True, reason="recall on the independent unseen sets 7-10 is "
                   "0.73-0.87 (goal 0.95); see docs/safety.md, Detection")
def test_the_goal_on_unseen_sets(detector: CrisisDetector) -> None:
    """The honest measure: the independent sets nobody tuned for."""
    unseen = [m for path in SETS if path.name in UNSEEN for m in load_labelled(path)]
    if not unseen:
        pytest.skip("no unseen held-out set: every set here has been looked at")
    recall, false_positives = rates(detector, unseen)
    assert recall >= 0.95 and false_positives <= 0.10, (recall, false_positives)
