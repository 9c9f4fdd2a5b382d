"""Every public class, function and method in bot/ says in one line what it is for.

Public: a name without a leading underscore, at module level or in a public class
(functions nested in functions are private by nature). The failure lists each one
missing as file:line name, so the fix is a walk down the list.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"


def _undocumented(body: list[ast.stmt], prefix: str) -> Iterator[tuple[int, str]]:
    for node in body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if node.name.startswith("_"):
            continue
        if ast.get_docstring(node) is None:
            yield node.lineno, prefix + node.name
        if isinstance(node, ast.ClassDef):
            yield from _undocumented(node.body, f"{prefix}{node.name}.")


def missing_docstrings(root: Path = BOT) -> list[str]:
    """``file:line name`` for every public definition under ``root`` without a docstring."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(root.parent)
        found += [f"{where}:{line} {name}" for line, name in _undocumented(tree.body, "")]
    return found


def test_every_public_definition_has_a_docstring() -> None:
    missing = missing_docstrings()
    assert not missing, (f"{len(missing)} public definitions have no docstring (one line "
                         "saying what each is for):\n" + "\n".join(missing))


def test_the_check_sees_a_missing_one(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "thing.py").write_text(
        '"""A module."""\n\n\nclass Kept:\n    """Said."""\n\n    def shown(self) -> None:\n'
        '        pass\n\n    def _hidden(self) -> None:\n        pass\n\n\n'
        'def bare() -> None:\n    def inner() -> None:\n        pass\n')
    assert missing_docstrings(tmp_path / "bot") == ["bot/thing.py:7 Kept.shown",
                                                    "bot/thing.py:14 bare"]
