"""Every action declares the outcomes it can return, so ``goodhelp validate`` can name an
outcome under ``on:`` that would never be taken. Here the declarations are held to the
code: each outcome a module's actions return is declared by an action of that module."""

from __future__ import annotations

import ast
import inspect
import sys
from collections import defaultdict

from bot.actions import default_registry
from bot.engine.actions import ActionSpec


def specs() -> list[ActionSpec]:
    registry = default_registry()
    return [spec for name in registry.known() if (spec := registry.get(name)) is not None]


def _strings(node: ast.AST) -> set[str]:
    """The string literals a value expression can evaluate to (``"a" if x else "b"``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def returned_outcomes(source: str) -> set[str]:
    """Outcomes written in a module: ``outcome="x"`` keywords and ``outcome = ...``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "outcome":
            found |= _strings(node.value)
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "outcome" for t in node.targets):
            found |= _strings(node.value)
    return found


def test_every_action_declares_its_outcomes() -> None:
    undeclared = [spec.name for spec in specs() if spec.outcomes is None]
    assert undeclared == []


def test_each_outcome_an_action_module_returns_is_declared_there() -> None:
    declared: dict[str, set[str]] = defaultdict(set)
    for spec in specs():
        declared[spec.func.__module__] |= spec.outcomes or set()
    for module, outcomes in declared.items():
        returned = returned_outcomes(inspect.getsource(sys.modules[module]))
        assert returned <= outcomes, f"{module} returns undeclared {returned - outcomes}"
        assert outcomes <= returned, f"{module} declares {outcomes - returned}, never returned"


def test_the_reading_sees_conditional_outcomes() -> None:
    source = 'r = ActionResult(outcome="a" if x else "b")\noutcome = "c"\n'
    assert returned_outcomes(source) == {"a", "b", "c"}
