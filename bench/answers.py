"""How often a typed answer picks the option the person meant: the old matcher against
bot/engine/answers.py, over the table in tests/engine/answer_table.yaml.

    .venv/bin/python -m bench.answers

The old matcher is the rule the engine used before issue 11: the option's number, its
label in the person's language or its value, ignoring case, spaces and punctuation. A row
is right when the matcher picks the expected option, or picks nothing where nothing is
expected (so a matcher that guesses wildly is not rewarded).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.app import load_checked_flows
from bot.engine.answerbook import AnswerBook
from bot.engine.answers import OptionText, choose_option, typed_time, typed_zone
from bot.engine.matching import normalise
from bot.engine.model import Choose, FlowSet
from bot.engine.yamlsource import load_yaml

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "tests" / "engine" / "answer_table.yaml"
FLOWS = ROOT / "flows"


@dataclass(frozen=True)
class Row:
    """One typed answer at one real question, and the value it should choose."""

    flow: str
    step: str
    language: str
    typed: str
    expected: str | None

    @property
    def id(self) -> str:
        return f"{self.flow}.{self.step}[{self.language}]:{self.typed}"


def load_table(path: Path = TABLE) -> list[Row]:
    """The rows of the answer table."""
    return [Row(str(f), str(s), str(lang), str(t), None if v is None else str(v))
            for f, s, lang, t, v in load_yaml(path)["answers"]]


def question(flows: FlowSet, row: Row) -> Choose:
    step = flows.flows[row.flow].steps[row.step]
    assert isinstance(step, Choose), f"{row.flow}.{row.step} is not a choose step"
    return step


def options(step: Choose, language: str) -> list[OptionText]:
    """The options as the engine gives them to the matcher: the shown label first."""
    return [OptionText((*o.label.for_language(language, "en"),
                        *(v for vs in o.label.variants.values() for v in vs)), o.value)
            for o in step.options]


def old_match(flows: FlowSet, book: AnswerBook, row: Row) -> str | None:
    """The matcher before issue 11: number, label in the person's language, or value."""
    step = question(flows, row)
    typed = row.typed.strip().rstrip(".)")
    for index, option in enumerate(step.options):
        label = option.label.for_language(row.language, "en")[0]
        if typed == str(index + 1) or normalise(row.typed) in (normalise(label),
                                                              normalise(option.value)):
            return option.value
    return None


def new_match(flows: FlowSet, book: AnswerBook, row: Row) -> str | None:
    """The engine's reading now: an option, or at a choice of times (or time zones) any
    time (or zone) typed."""
    step = question(flows, row)
    shown = options(step, row.language)
    words = book.for_language(row.language)
    index = choose_option(row.typed, shown, words)
    if index is not None:
        return step.options[index].value
    if not (step.into and step.next):
        return None
    return typed_time(row.typed, shown, words) or typed_zone(row.typed, shown)


Matcher = Callable[[FlowSet, AnswerBook, Row], "str | None"]


def rate(matcher: Matcher, rows: list[Row], flows: FlowSet, book: AnswerBook
         ) -> tuple[int, int, int, int]:
    """(right, total, right among answers that mean an option, how many of those)."""
    right = meant_right = meant = 0
    for row in rows:
        ok = matcher(flows, book, row) == row.expected
        right += ok
        if row.expected is not None:
            meant += 1
            meant_right += ok
    return right, len(rows), meant_right, meant


def main() -> int:
    flows = load_checked_flows(FLOWS)
    book = AnswerBook(flows.config.get("answers"), flows.default_language)
    rows = load_table()
    print(f"{'matcher':<22}{'all rows right':>18}{'answers that mean an option':>32}")
    for name, matcher in (("old (before issue 11)", old_match), ("new (answers.py)", new_match)):
        right, total, meant_right, meant = rate(matcher, rows, flows, book)
        print(f"{name:<22}{f'{right}/{total} {100 * right / total:.0f}%':>18}"
              f"{f'{meant_right}/{meant} {100 * meant_right / meant:.0f}%':>32}")
    for language in sorted({row.language for row in rows}):
        subset = [row for row in rows if row.language == language]
        old = rate(old_match, subset, flows, book)
        new = rate(new_match, subset, flows, book)
        print(f"  {language}: {len(subset)} rows, old {100 * old[0] / old[1]:.0f}%, "
              f"new {100 * new[0] / new[1]:.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
