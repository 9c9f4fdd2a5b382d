"""The check-in's mechanisms: recalling a recent win, comparing confidence."""

from __future__ import annotations

from datetime import timedelta

from bot.actions.checkin import confidence_change, recall_win
from tests.actions.conftest import NOW, FakePerson, MakeCtx


async def test_no_recent_win(make_ctx: MakeCtx) -> None:
    person = FakePerson()
    person.win("old news", NOW - timedelta(days=45))
    result = await recall_win(make_ctx(person=person))
    assert result.outcome == "none" and "recalled_win" in result.clear


async def test_recalls_a_recent_win_and_not_the_same_one_twice_running(make_ctx: MakeCtx) -> None:
    person = FakePerson()
    person.win("phoned the college", NOW - timedelta(days=2))
    person.win("went for a walk", NOW - timedelta(days=1))
    last = None
    for seed in range(10):
        result = await recall_win(make_ctx(vars={"recalled_win_id": last}, person=person,
                                           seed=seed))
        assert result.outcome == "found"
        assert result.vars["recalled_win_id"] != last
        assert result.vars["recalled_win"] in ("phoned the college", "went for a walk")
        last = result.vars["recalled_win_id"]


async def test_recent_days_comes_from_args(make_ctx: MakeCtx) -> None:
    person = FakePerson()
    person.win("fixed the bike", NOW - timedelta(days=10))
    result = await recall_win(make_ctx({"recent_days": 7}, person=person))
    assert result.outcome == "none"


async def test_confidence_change_outcomes(make_ctx: MakeCtx) -> None:
    cases: list[tuple[object, object, str]] = [
        (None, 5, "first"), (4, 6, "up"), (6, 6, "same"), (8, 6, "down"), (8, 3, "drop"),
        ("7", "9", "up")]
    for before, today, outcome in cases:
        result = await confidence_change(make_ctx(vars={"last_confidence": before,
                                                        "checkin_confidence": today}))
        assert result.outcome == outcome
        assert result.vars["last_confidence"] == int(str(today))
        assert result.vars["last_confidence_at"] == NOW.isoformat()
        if before is not None:
            assert result.vars["previous_confidence"] == int(str(before))


async def test_confidence_change_without_a_number(make_ctx: MakeCtx) -> None:
    result = await confidence_change(make_ctx(vars={"checkin_confidence": "skip"}))
    assert result.outcome == "none" and not result.vars


async def test_a_win_rating_counts_as_the_last_one_whatever_flow_took_it(
        make_ctx: MakeCtx) -> None:
    """Before: a win rated 7 then a check-in rated 2 got "I've noted 2 out of 10", as if first."""
    person = FakePerson()
    person.rate(7, NOW - timedelta(hours=2))  # from /win: no last_confidence var was set
    result = await confidence_change(make_ctx(vars={"checkin_confidence": 2}, person=person))
    assert result.outcome == "drop"
    assert result.vars["previous_confidence"] == 7 and result.vars["confidence_drop"] == 5


async def test_seven_then_one_is_a_drop_and_a_slow_slide_is_seen_against_the_last_few(
        make_ctx: MakeCtx) -> None:
    person = FakePerson()
    person.rate(7, NOW - timedelta(days=1))
    result = await confidence_change(make_ctx({"value": "win_confidence"},
                                              vars={"win_confidence": "1"}, person=person))
    assert result.outcome == "drop"
    slide = FakePerson()
    for days, value in ((3, 8), (2, 7), (1, 5)):
        slide.rate(value, NOW - timedelta(days=days))
    result = await confidence_change(make_ctx(vars={"checkin_confidence": 3}, person=slide))
    assert result.outcome == "drop"  # two below the last, but 3.7 below the mean of three
    result = await confidence_change(make_ctx(vars={"checkin_confidence": 6}, person=slide))
    assert result.outcome == "up"

