"""Style lint: no flow, content or config text gives orders or lays guilt.

Every string in flows/*.yaml, flows/content/*.yaml and flows/config/*.yaml (all
languages, variants, button labels, action arguments, content entries) is checked
against the directive phrases in flows/config/style.yaml, with the engine's own
whole-phrase matching. A failure names file:line and the phrase.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.engine.matching import matches_phrase, normalise
from bot.engine.yamlsource import LineDict, LineList, load_yaml
from tests.conftest import FLOWS

STYLE = FLOWS / "config" / "style.yaml"


def directive_phrases(path: Path = STYLE) -> list[str]:
    raw = load_yaml(path)["directive_phrases"]
    return [str(p) for phrases in raw.values() for p in phrases]


def strings(value: Any, line: int) -> Iterator[tuple[int, str]]:
    """Every string in a loaded YAML value, with the closest line known."""
    if isinstance(value, str):
        yield line, value
    elif isinstance(value, LineDict):
        for key, item in value.items():
            yield from strings(item, value.line_of(key))
    elif isinstance(value, LineList):
        for item, item_line in zip(value, value.item_lines, strict=True):
            yield from strings(item, item_line)
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from strings(item, line)


def linted_files(root: Path = FLOWS) -> list[Path]:
    files = [*root.glob("*.yaml"), *(root / "content").glob("*.yaml"),
             *(root / "config").glob("*.yaml")]
    return sorted(p for p in files if p.resolve() != STYLE.resolve())


def shown(path: Path) -> str:
    try:
        return path.relative_to(FLOWS.parent).as_posix()
    except ValueError:
        return str(path)


def violations(files: list[Path], phrases: list[str]) -> list[str]:
    found = []
    for path in files:
        for line, text in strings(load_yaml(path), 1):
            normalised = normalise(text)
            for phrase in phrases:
                if matches_phrase(normalised, phrase):
                    found.append(f"{shown(path)}:{line}: says '{phrase}': "
                                 f"{text[:80]!r}")
    return found


def test_no_text_gives_orders_or_lays_guilt() -> None:
    problems = violations(linted_files(), directive_phrases())
    assert not problems, "directive phrases (see flows/config/style.yaml):\n" + "\n".join(
        problems)


def test_the_lint_covers_flows_content_and_config() -> None:
    names = {p.relative_to(FLOWS).as_posix() for p in linted_files()}
    assert {"win.yaml", "config/system.yaml"} <= names
    assert any(n.startswith("content/") for n in names)
    assert "config/style.yaml" not in names


@pytest.mark.parametrize("text", [
    "You MUST log a win today.", "Don’t forget to check in!",
    "dont   forget", "You missed yesterday.", "Why didn't you reply?",
    "Mae'n rhaid i chi ateb.", "Dylech chi wneud hyn.",
])
def test_the_lint_catches_directives_in_any_case_or_spacing(tmp_path: Path, text: str) -> None:
    flow = tmp_path / "bad.yaml"
    flow.write_text(f"flow: bad\nsteps:\n  hi:\n    say:\n      en: ok\n      cy: {text!r}\n",
                    encoding="utf-8")
    assert violations([flow], directive_phrases()) != []


@pytest.mark.parametrize("text", [
    "Would you like to log a win?", "You don't need to rush.", "What would help?",
    "Mustard and chips count too.", "Does dim brys o gwbl.",
])
def test_the_lint_lets_questions_and_kindness_through(tmp_path: Path, text: str) -> None:
    flow = tmp_path / "fine.yaml"
    flow.write_text(f"flow: fine\nsteps:\n  hi:\n    say: {text!r}\n", encoding="utf-8")
    assert violations([flow], directive_phrases()) == []


def test_a_violation_names_file_and_line(tmp_path: Path) -> None:
    flow = tmp_path / "bad.yaml"
    flow.write_text("flow: bad\nsteps:\n  hi:\n    choose: Which?\n    options:\n"
                    "      - label: {en: 'You have to', cy: 'Iawn'}\n", encoding="utf-8")
    [problem] = violations([flow], directive_phrases())
    assert problem.startswith(f"{flow}:6: says 'you have to'")
