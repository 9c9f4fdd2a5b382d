"""Every text a person can read exists in Welsh ('cy'), with English as the fallback.

Texts are: step texts (say, ask, choose, end, resume), ``invalid``, option labels,
``menu``, person-facing action arguments, and system messages. A text is translated
when it is a mapping of language to text with a 'cy' entry.

Flows owned by others that are still being translated are listed in PENDING; once one
is complete, ``test_pending_flows_are_still_pending`` asks for it to be taken off the
list, so the test becomes strict.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.engine.yamlsource import LineDict, LineList, load_yaml
from tests.conftest import FLOWS

LANGUAGE = "cy"
TEXT_KEYS = ("say", "ask", "choose", "end", "resume", "invalid")
PENDING: dict[str, str] = {}  # flow name: who is translating it


def is_text_mapping(value: Any) -> bool:
    return isinstance(value, dict) and "en" in value


def language_neutral(value: Any) -> bool:
    """Numbers and texts without letters ("7", "10", "-") read the same in every language."""
    return isinstance(value, int | float | str) and not any(c.isalpha() for c in str(value))


def untranslated_in(value: Any, line: int, where: str) -> Iterator[str]:
    """Problems for one value that a person reads."""
    if value is None or value is True or language_neutral(value):
        return
    if not is_text_mapping(value) or LANGUAGE not in value:
        yield f"{line}: {where} has no '{LANGUAGE}' text"


def arg_texts(value: Any, line: int, where: str) -> Iterator[str]:
    """Action arguments: language mappings are texts; so is any plain string with a space
    (identifiers and placeholders like "{answer}" have none); numbers are not."""
    if is_text_mapping(value):
        yield from untranslated_in(value, line, where)
    elif isinstance(value, LineDict):
        for key, item in value.items():
            yield from arg_texts(item, value.line_of(key), f"{where}.{key}")
    elif isinstance(value, LineList):
        for item, item_line in zip(value, value.item_lines, strict=True):
            yield from arg_texts(item, item_line, where)
    elif isinstance(value, str) and " " in value.strip():
        yield f"{line}: {where} has no '{LANGUAGE}' text"


def flow_problems(path: Path, root: Path = FLOWS) -> list[str]:
    raw = load_yaml(path)
    problems: list[str] = []
    if "menu" in raw:
        problems += untranslated_in(raw["menu"], raw.line_of("menu"), "menu")
    for step_id, step in raw.get("steps", {}).items():
        if not isinstance(step, LineDict):
            continue
        for key in TEXT_KEYS:
            if key in step:
                problems += untranslated_in(step[key], step.line_of(key), f"step '{step_id}'")
        for option, line in zip(step.get("options") or [], getattr(
                step.get("options"), "item_lines", []), strict=False):
            label = option.get("label") if isinstance(option, dict) else option
            problems += untranslated_in(label, line, f"step '{step_id}' option")
        if "args" in step:
            problems += arg_texts(step["args"], step.line_of("args"), f"step '{step_id}' args")
    return [f"{path.relative_to(root.parent)}:{p}" for p in problems]


def system_problems(path: Path = FLOWS / "config" / "system.yaml") -> list[str]:
    raw = load_yaml(path)
    assert LANGUAGE in raw["languages"], f"'{LANGUAGE}' is not in languages"
    messages = raw["messages"]
    return [f"{path.relative_to(FLOWS.parent)}:{p}" for key, value in messages.items()
            for p in untranslated_in(value, messages.line_of(key), f"message '{key}'")]


def test_every_text_has_welsh() -> None:
    problems = system_problems()
    for path in sorted(FLOWS.glob("*.yaml")):
        if path.stem not in PENDING:
            problems += flow_problems(path)
    assert not problems, f"texts without '{LANGUAGE}':\n" + "\n".join(problems)


def test_pending_flows_are_still_pending() -> None:
    finished = sorted(name for name in PENDING
                      if (FLOWS / f"{name}.yaml").exists()
                      and not flow_problems(FLOWS / f"{name}.yaml"))
    assert not finished, f"fully translated now; take them off PENDING: {finished}"


def test_the_check_finds_english_only_text(tmp_path: Path) -> None:
    flow = tmp_path / "flows" / "x.yaml"
    flow.parent.mkdir()
    flow.write_text(
        "flow: x\nmenu: Hello\nsteps:\n"
        "  a:\n    choose: {en: Pick, cy: Dewis}\n    options:\n"
        "      - label: Yes\n      - {label: {en: No, cy: Na}}\n"
        "  b:\n    action: thing\n    args: {answer: '{x}', note: 'two words', n: 3,\n"
        "           good: {en: 'a b', cy: 'c d'}}\n"
        "  c:\n    end: [One, Two]\n", encoding="utf-8")
    problems = flow_problems(flow, root=tmp_path / "flows")
    lines = sorted(int(p.split(":")[1]) for p in problems)
    assert lines == [2, 7, 11, 14], problems
