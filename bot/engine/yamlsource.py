"""Parse YAML keeping each value's line, with our own SafeLoader subclass.

The global loader is never patched. YAML 1.1 turns ``yes``, ``no``, ``on`` and ``off``
into booleans; flow authors write those as answers, so here only ``true`` and ``false``
are booleans and everything else stays the text that was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a flow, printed as ``file:line: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class LineDict(dict[str, Any]):
    """A mapping that remembers its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line to name in a problem about ``key``: its own, or the mapping's if absent."""
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence that remembers its line and each item's line."""

    line: int = 0
    item_lines: list[int]


class FlowLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-style booleans and line-aware containers."""


# Drop the YAML 1.1 bool resolver and add a strict true/false one.
FlowLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
FlowLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: FlowLoader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.MarkedYAMLError(
                problem=f"'{key}' appears twice in the same mapping",
                problem_mark=key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: FlowLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


FlowLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
FlowLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlError(Exception):
    """A file that is not readable YAML, carrying a :class:`Problem`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Load one YAML file, raising :class:`YamlError` with its ``file:line``."""
    name = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise YamlError(Problem(name, 1, f"cannot be read ({exc.strerror})")) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise YamlError(Problem(name, line, "is not UTF-8 text; save the file as UTF-8")) from None
    try:
        return yaml.load(text, Loader=FlowLoader)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(_yaml_problem(name, exc)) from None
    except yaml.YAMLError as exc:
        raise YamlError(Problem(name, 1, f"not valid YAML: {exc}")) from None


# Errors inside these are usually an opening bracket or quote that is never closed:
# YAML notices on a later line, but the author has to look where it was opened.
_UNCLOSED = ("while parsing a flow", "while scanning a quoted", "while scanning a double-quoted",
             "while scanning a single-quoted")


def _yaml_problem(name: str, exc: yaml.MarkedYAMLError) -> Problem:
    what = exc.problem or "is not valid YAML"
    mark, start = exc.problem_mark, exc.context_mark
    line = mark.line + 1 if mark else start.line + 1 if start else 1
    if (mark is not None and start is not None and start.line != mark.line
            and (exc.context or "").startswith(_UNCLOSED)):
        buffer = start.buffer or ""
        opener = buffer[start.pointer] if start.pointer < len(buffer) else "bracket or quote"
        return Problem(name, start.line + 1, f"not valid YAML: the {opener} opened on this line "
                       f"is never closed ({what} on line {line})")
    return Problem(name, line, f"not valid YAML: {what}")


def line_of(value: Any, default: int = 1) -> int:
    """The line to name in a problem about any parsed value; ``default`` for plain scalars."""
    return int(getattr(value, "line", default) or default)
