"""The direction of imports between the parts of bot/, checked by reading the source.

Every module under bot/ is parsed with ``ast``; each import of another part of the
package is an edge between two parts (a folder such as ``engine``, or a top-level module
such as ``service``). A forbidden edge fails with the file, the line and the rule.

``python -m tests.test_layers`` prints the graph between the parts, one line per part.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"


@dataclass(frozen=True)
class Rule:
    """``source`` may not import any part in ``forbidden`` (or, if ``only`` is given, any
    part outside it)."""

    source: str
    text: str
    forbidden: frozenset[str] = frozenset()
    only: frozenset[str] | None = None

    def breaks(self, target: str) -> bool:
        if self.only is not None:
            return target not in self.only
        return target in self.forbidden


RULES = (
    Rule("engine", "the engine imports nothing of bot outside engine and core",
         only=frozenset({"engine", "core"})),
    Rule("core", "core imports nothing of bot outside core", only=frozenset({"core"})),
    Rule("storage", "storage imports neither the engine nor the channels",
         forbidden=frozenset({"engine", "channels"})),
    Rule("channels", "channels do not import storage (they use core and the service)",
         forbidden=frozenset({"storage"})),
    Rule("service", "the service does not import scheduling (scheduling uses the service)",
         forbidden=frozenset({"scheduling"})),
    Rule("service", "the service does not import reports (the app passes it the figures)",
         forbidden=frozenset({"reports"})),
    Rule("scheduling", "scheduling imports neither the app nor the channels (it uses the "
         "service like a channel)", forbidden=frozenset({"app", "channels"})),
    Rule("reports", "reports read storage only; nothing that assembles or runs the bot",
         forbidden=frozenset({"app", "service", "scheduling", "channels", "demo", "cli"})),
)

# Edges that break a rule but cannot be fixed yet, each with its reason. Keep it empty.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Edge:
    """One import of another part of bot/: where it is and what it names."""

    source: str
    target: str
    path: Path
    line: int
    module: str


def part_of(module: str) -> str | None:
    """``bot.engine.steps`` -> ``engine``; ``bot.service`` -> ``service``; others None."""
    parts = module.split(".")
    if parts[0] != "bot":
        return None
    return parts[1] if len(parts) > 1 else "bot"


def _module_name(path: Path, root: Path) -> list[str]:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def edges(root: Path = BOT) -> list[Edge]:
    """Every import, anywhere in a module (functions and TYPE_CHECKING blocks included),
    from one part of the package to another."""
    found = []
    for path in sorted(root.rglob("*.py")):
        name = _module_name(path, root)
        source = part_of(".".join(name)) or "bot"
        package = name if path.name == "__init__.py" else name[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: resolve against the importing package
                    base = ".".join([*package[: len(package) - node.level + 1], base]).strip(".")
                # ``from bot import service`` names the part in the imported name
                modules = [f"{base}.{a.name}" for a in node.names] if base == "bot" else [base]
            else:
                continue
            for module in modules:
                target = part_of(module)
                if target is not None and target != source:
                    found.append(Edge(source, target, path, node.lineno, module))
    return found


def violations(root: Path = BOT) -> list[str]:
    """One line per forbidden import: file:line, what it imports, the rule it breaks."""
    out = []
    for edge in edges(root):
        for rule in RULES:
            if rule.source == edge.source and rule.breaks(edge.target) \
                    and (edge.source, edge.target) not in ALLOWED:
                where = edge.path.relative_to(root.parent)
                out.append(f"{where}:{edge.line}: imports {edge.module}: {rule.text}")
    return out


def graph(root: Path = BOT) -> dict[str, set[str]]:
    """Which parts each part imports."""
    result: dict[str, set[str]] = defaultdict(set)
    for edge in edges(root):
        result[edge.source].add(edge.target)
    return dict(result)


def test_no_part_of_bot_imports_against_the_layers() -> None:
    found = violations()
    assert not found, "forbidden imports:\n" + "\n".join(found)


def cycles(root: Path = BOT) -> list[list[str]]:
    """Every cycle between parts, each as the parts in import order (first repeated last)."""
    parts = graph(root)
    found: list[list[str]] = []

    def walk(path: list[str]) -> None:
        for target in sorted(parts.get(path[-1], ())):
            if target == path[0]:
                found.append([*path, target])
            elif target not in path and target > path[0]:  # each cycle once, from its least
                walk([*path, target])

    for start in sorted(parts):
        walk([start])
    return found


def test_no_cycles_between_the_parts() -> None:
    found = cycles()
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_a_cycle_is_named(tmp_path: Path) -> None:
    root = tmp_path / "bot"
    for folder in ("app", "actions", "scheduling"):
        (root / folder).mkdir(parents=True)
    (root / "app" / "m.py").write_text("from bot.actions import x\n")
    (root / "actions" / "m.py").write_text("from bot.scheduling import y\n")
    (root / "scheduling" / "m.py").write_text("def f():\n    from bot.app import App\n")
    assert cycles(root) == [["actions", "scheduling", "app", "actions"]]


BACKENDS = ("sqlite", "memory", "postgres")  # bot/storage/<name>/: one folder per backend


def backend_imports(root: Path = BOT) -> list[str]:
    """Imports of one storage backend from another, as file:line: module."""
    out = []
    for backend in BACKENDS:
        for path in sorted((root / "storage" / backend).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    parts = name.split(".")
                    if parts[:2] == ["bot", "storage"] and len(parts) > 2 \
                            and parts[2] in BACKENDS and parts[2] != backend:
                        out.append(f"{path.relative_to(root.parent)}:{node.lineno}: {name}")
    return out


def test_storage_backends_do_not_import_each_other() -> None:
    """A backend is one folder: what two share is in bot/storage/ (base.py, rows.py)."""
    found = backend_imports()
    assert not found, "a backend imports another:\n" + "\n".join(found)


def test_every_allowed_exception_still_happens_and_gives_a_reason() -> None:
    present = {(e.source, e.target) for e in edges()}
    for edge, reason in ALLOWED.items():
        assert edge in present, f"{edge} no longer happens: remove it from ALLOWED"
        assert reason.strip(), f"{edge} needs a reason"


def test_a_forbidden_import_is_named_with_file_line_and_rule(tmp_path: Path) -> None:
    root = tmp_path / "bot"
    for folder in ("engine", "storage", "channels", "core", "scheduling"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "engine" / "steps.py").write_text("import json\n\nfrom bot.storage import base\n")
    (root / "storage" / "base.py").write_text("from ..engine.steps import x\n")
    (root / "channels" / "terminal.py").write_text("def f():\n    import bot.storage.sqlite\n")
    (root / "core" / "keys.py").write_text("from bot import service\n")
    (root / "service.py").write_text("from bot.scheduling.clock import Clock\n")
    (root / "scheduling" / "runner.py").write_text("from bot.service import Conversations\n")

    assert violations(root) == [
        "bot/channels/terminal.py:2: imports bot.storage.sqlite: channels do not import "
        "storage (they use core and the service)",
        "bot/core/keys.py:1: imports bot.service: core imports nothing of bot outside core",
        "bot/engine/steps.py:3: imports bot.storage: the engine imports nothing of bot "
        "outside engine and core",
        "bot/service.py:1: imports bot.scheduling.clock: the service does not import "
        "scheduling (scheduling uses the service)",
        "bot/storage/base.py:1: imports bot.engine.steps: storage imports neither the "
        "engine nor the channels",
    ]


def main() -> None:
    """Print the graph between the parts of bot/ (or of the tree given as argument)."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else BOT
    for source, targets in sorted(graph(root).items()):
        print(f"{source} -> {', '.join(sorted(targets))}")


if __name__ == "__main__":
    main()
