"""Recall and false positives on the held-out sets (tests/data/safety_heldout*.yaml).

The goal is recall >= 0.95 and false positives <= 0.10 on messages the authors have not
seen. It is not reached yet on truly unseen messages (docs/safety.md, "Detection": each
set scored on first sight). The goal stays here as a strict expected failure, so the day
it passes the suite says so; the floors below keep what we have from slipping.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.detect import CrisisDetector
from bot.safety.labelled import Labelled, load_labelled
from tests.conftest import ROOT

SETS = sorted((ROOT / "tests" / "data").glob("safety_heldout*.yaml"))
# Measured on the shipped detector (python -m bench.safety_eval --only heldout).
FLOORS = {"safety_heldout.yaml": (0.95, 0.03), "safety_heldout_2.yaml": (0.87, 0.03),
          "safety_heldout_3.yaml": (0.93, 0.09), "safety_heldout_4.yaml": (0.77, 0.09)}


def rates(detector: CrisisDetector, messages: list[Labelled]) -> tuple[float, float]:
    crisis = [m for m in messages if m.crisis]
    everyday = [m for m in messages if not m.crisis]
    recall = sum(detector.is_crisis(m.text) for m in crisis) / len(crisis)
    false_positives = sum(detector.is_crisis(m.text) for m in everyday) / len(everyday)
    return recall, false_positives


def test_each_set_is_big_enough_and_balanced() -> None:
    assert len(SETS) == 4
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


@pytest.mark.xfail(strict=True, reason="recall on unseen messages is about 0.75-0.85 so far; "
                   "see docs/safety.md, Detection")
def test_the_goal_on_all_held_out_messages(detector: CrisisDetector) -> None:
    messages = [m for path in SETS for m in load_labelled(path)]
    recall, false_positives = rates(detector, messages)
    assert recall >= 0.95 and false_positives <= 0.10
