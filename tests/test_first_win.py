"""At most five questions before the first useful moment (issue 11; it was 13): counted
by bench/first_win.py, walking a keen newcomer through /start with the real engine."""

from __future__ import annotations

from pathlib import Path

from bench.first_win import questions_before_first_win

FLOWS = Path(__file__).resolve().parent.parent / "flows"


async def test_something_of_value_within_five_questions() -> None:
    count, asked = await questions_before_first_win(FLOWS)
    assert 0 < count <= 5, asked
