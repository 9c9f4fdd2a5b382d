"""The YAML format of conversation tests, parsed into cases.

A test file holds ``tests:``, a list of cases. Each case has a ``name``, optional
``vars`` the person starts with, an optional ``locale`` (the app language their
commands carry, as Telegram's ``language_code``: ``cy``, ``ur``), optional ``roles``
they hold (``[mentor]``), optional ``invites`` made before the script (``[{role:
mentor, cohort: NAME, uses: N, expired: true, revoked: true}]``, the Nth one's code
typed as ``{invite1}``...), and a ``script`` of lines:

- ``say: TEXT`` the person types (``/cmd payload`` is a command)
- ``press: LABEL`` presses a button of the latest question
- ``send: sticker`` sends something that is not text
- ``start: FLOW`` the bot starts a flow itself (a scheduled check-in)
- ``wait: 3d`` moves the test clock (``m``, ``h``, ``d``)
- ``expect:`` checks the replies to the line above: ``contains``, ``not_contains``,
  ``matches`` (regular expression), ``buttons``, ``no_buttons``, ``replies``,
  ``attachment``
- ``stored:`` checks what is stored: ``var`` with ``equals``/``set``/``contains``,
  ``count``, ``flow``, ``step``, ``achievements``, ``ratings``, ``purposes``, ``alerts``,
  ``roles`` (a list the person holds), ``cohort``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.engine.yamlsource import LineDict, LineList, Problem, YamlError, load_yaml

ACTIONS = ("say", "press", "send", "start", "wait", "stored")
EXPECT_KEYS = {"contains", "not_contains", "matches", "buttons", "no_buttons", "replies",
               "attachment"}


@dataclass(frozen=True)
class Line:
    """One line of a conversation script: what the person does and what to expect."""

    action: str
    value: Any
    expect: dict[str, Any]
    file: str
    line: int


@dataclass(frozen=True)
class Case:
    """One named conversation test: its lines, from a file of flows/tests/."""

    name: str
    file: str
    line: int
    lines: tuple[Line, ...]
    vars: dict[str, Any] = field(default_factory=dict)
    roles: tuple[str, ...] = ()
    invites: tuple[dict[str, Any], ...] = ()
    # People matched with this one as their mentor: {first_name, theme, purpose, signals};
    # a script types the n-th one's code as {mentee1}, {mentee2}, ...
    mentees: tuple[dict[str, Any], ...] = ()
    locale: str = ""

    @property
    def id(self) -> str:
        """The test's name as ``file::case``, for reports and -k."""
        return f"{Path(self.file).stem}::{self.name}"


class ScriptError(Exception):
    """Conversation scripts that could not be read, with every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def load_cases(path: Path) -> list[Case]:
    """Every conversation test in a file or folder; ScriptError listing all problems."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    cases: list[Case] = []
    problems: list[Problem] = []
    for file in files:
        try:
            raw = load_yaml(file)
        except YamlError as exc:
            problems.append(exc.problem)
            continue
        name = str(file)
        if not isinstance(raw, LineDict) or not isinstance(raw.get("tests"), LineList):
            problems.append(Problem(name, 1, "a conversation test file needs 'tests:', a list"))
            continue
        for item in raw["tests"]:
            case = _case(item, name, problems)
            if case is not None:
                cases.append(case)
    if problems:
        raise ScriptError(problems)
    return cases


def _case(item: Any, file: str, problems: list[Problem]) -> Case | None:
    if not isinstance(item, LineDict) or "name" not in item or not isinstance(
        item.get("script"), LineList
    ):
        problems.append(Problem(file, getattr(item, "line", 1), "each test needs 'name' and "
                                "'script' (a list)"))
        return None
    lines: list[Line] = []
    for raw in item["script"]:
        if not isinstance(raw, LineDict):
            problems.append(Problem(file, item.line, "each script line is a mapping"))
            continue
        actions = [a for a in raw if a in ACTIONS]
        unknown = [k for k in raw if k not in ACTIONS and k != "expect"]
        if len(actions) != 1 or unknown:
            problems.append(Problem(file, raw.line, "a script line has one of "
                                    f"{', '.join(ACTIONS)} and optionally 'expect'"))
            continue
        expect = raw.get("expect", {})
        if not isinstance(expect, dict) or set(expect) - EXPECT_KEYS:
            problems.append(Problem(file, raw.line, "expect takes: " + ", ".join(
                sorted(EXPECT_KEYS))))
            continue
        lines.append(Line(actions[0], raw[actions[0]], dict(expect), file, raw.line))
    start_vars = item.get("vars", {})
    roles = item.get("roles", [])
    invites = item.get("invites", [])
    mentees = item.get("mentees", [])
    if not isinstance(roles, list) or not isinstance(invites, list) or not all(
            isinstance(i, dict) and "role" in i for i in invites):
        problems.append(Problem(file, item.line, "roles is a list of role names; invites a "
                                "list of mappings, each with 'role'"))
        return None
    if not isinstance(mentees, list) or not all(isinstance(m, dict) for m in mentees):
        problems.append(Problem(file, item.line, "mentees is a list of mappings (first_name, "
                                "theme, purpose, signals), and the test needs roles: [mentor]"))
        return None
    return Case(str(item["name"]), file, item.line, tuple(lines), dict(start_vars),
                tuple(map(str, roles)), tuple(dict(i) for i in invites),
                tuple(dict(m) for m in mentees), str(item.get("locale") or ""))
