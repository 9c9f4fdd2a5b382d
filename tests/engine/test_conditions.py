"""Branch conditions: variables, counts, dates, and all/any/not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.engine.conditions import evaluate
from bot.engine.model import Condition

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def var(op: str, name: str, value: Any) -> Condition:
    return Condition(op, {"subject": "var", "name": name, "value": value})


def count(op: str, name: str, value: Any) -> Condition:
    return Condition(op, {"subject": "count", "name": name, "value": value})


def days(op: str, name: str, value: Any) -> Condition:
    return Condition(op, {"subject": "days_since", "name": name, "value": value})


VARS = {"mood": "Low", "age": "42", "score": 7, "empty": "", "note": "I walked the dog",
        "last_win_at": (NOW - timedelta(days=3)).isoformat(), "naive": "2026-02-20T12:00:00",
        "garbage_date": "last tuesday"}
COUNTS = {"achievements": 3}


@pytest.mark.parametrize(("cond", "expected"), [
    (var("equals", "mood", "low"), True),  # case-insensitive
    (var("equals", "age", 42), True),  # numbers compare as numbers
    (var("equals", "score", "7.0"), True),
    (var("equals", "unset", "low"), False),
    (var("not_equals", "mood", "high"), True),
    (var("not_equals", "unset", "x"), True),
    (var("in", "mood", ["high", "LOW"]), True),
    (var("in", "mood", ["high"]), False),
    (var("contains", "note", "DOG"), True),
    (var("contains", "unset", "dog"), False),
    (var("set", "mood", True), True),
    (var("set", "empty", True), False),
    (var("set", "unset", False), True),
    (var("gt", "age", 40), True),
    (var("lte", "score", 7), True),
    (var("lt", "mood", 5), False),  # not a number never satisfies a comparison
    (var("gt", "unset", 0), False),
    (count("equals", "achievements", 3), True),
    (count("gte", "achievements", 4), False),
    (count("equals", "ratings", 0), True),  # a count never kept is zero
    (days("lt", "last_win_at", 7), True),
    (days("gt", "last_win_at", 2), True),
    (days("gt", "naive", 7), True),  # a date without a zone is read in now's zone
    (days("gt", "never_set", 10_000), True),  # never set counts as long ago
    (days("lt", "never_set", 10_000), False),
    (days("gt", "garbage_date", 1), True),  # unreadable is treated like never set
    (Condition("all", {}, (var("equals", "mood", "low"), count("gt", "achievements", 2))), True),
    (Condition("all", {}, (var("equals", "mood", "low"), count("gt", "achievements", 5))), False),
    (Condition("all", {}, ()), True),
    (Condition("any", {}, (var("equals", "mood", "high"), var("set", "note", True))), True),
    (Condition("any", {}, ()), False),
    (Condition("not", {}, (var("equals", "mood", "low"),)), False),
    (Condition("not", {}, (Condition("any", {}, (days("lt", "never_set", 1),)),)), True),
])
def test_condition(cond: Condition, expected: bool) -> None:
    assert evaluate(cond, VARS, COUNTS, NOW) is expected
