"""Evaluate branch conditions against a person's variables, counts and dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.engine.model import Condition


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _days_since(value: Any, now: datetime) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        then = datetime.fromisoformat(value)
    except ValueError:
        return None
    if then.tzinfo is None and now.tzinfo is not None:
        then = then.replace(tzinfo=now.tzinfo)
    return (now - then).total_seconds() / 86400


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "equals":
        if _number(left) is not None and _number(right) is not None:
            return _number(left) == _number(right)
        return str(left).casefold() == str(right).casefold() if left is not None else False
    if op == "not_equals":
        return not _compare("equals", left, right)
    if op == "in":
        items = right if isinstance(right, list) else [right]
        return any(_compare("equals", left, item) for item in items)
    if op == "contains":
        return left is not None and str(right).casefold() in str(left).casefold()
    if op == "set":
        is_set = left is not None and left != ""
        return is_set == bool(right)
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return False
    return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]


def evaluate(cond: Condition, variables: Mapping[str, Any], counts: Mapping[str, int],
             now: datetime) -> bool:
    """True when the condition holds. Unset variables and dates never satisfy a comparison,
    except ``days_since`` of a date never set, which counts as long ago (infinitely)."""
    if cond.op == "all":
        return all(evaluate(c, variables, counts, now) for c in cond.children)
    if cond.op == "any":
        return any(evaluate(c, variables, counts, now) for c in cond.children)
    if cond.op == "not":
        return not evaluate(cond.children[0], variables, counts, now)
    subject, name, value = cond.args["subject"], cond.args["name"], cond.args["value"]
    if subject == "count":
        return _compare(cond.op, counts.get(name, 0), value)
    if subject == "days_since":
        days = _days_since(variables.get(name), now)
        return _compare(cond.op, float("inf") if days is None else days, value)
    return _compare(cond.op, variables.get(name), value)
