"""The content libraries load cleanly: every story and opportunity has the keys it needs,
known themes and English text, and any problem is named as file:line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.actions.library import (
    OPPORTUNITY_KEYS,
    OPPORTUNITY_TEXTS,
    STORY_KEYS,
    STORY_TEXTS,
    check_entries,
    check_themes,
)
from bot.engine.yamlsource import load_yaml
from tests.conftest import FLOWS

CONTENT = FLOWS / "content"
# National numbers that are public and safe to list; any other number is a mistake.
PUBLIC_NUMBERS = {"116 123", "0808 164 0123"}
DIRECTIVE = re.compile(r"\byou (must|should|need to|failed|missed)\b", re.IGNORECASE)


def load(name: str) -> Any:
    return load_yaml(CONTENT / f"{name}.yaml")


def known_themes() -> set[str]:
    return set(load("themes")["themes"])


def problems_in(name: str) -> list[str]:
    file = str(CONTENT / f"{name}.yaml")
    if name == "stories":
        found = check_entries(load(name), file, "stories", STORY_KEYS, STORY_TEXTS,
                              known_themes())
    else:
        found = check_entries(load(name), file, "opportunities", OPPORTUNITY_KEYS,
                              OPPORTUNITY_TEXTS, known_themes())
    return [str(p) for p in found]


def test_themes_file_is_well_formed() -> None:
    file = str(CONTENT / "themes.yaml")
    assert [str(p) for p in check_themes(load("themes"), file)] == []
    assert known_themes() == {"work", "health", "housing", "learning", "family", "money",
                              "community", "other"}


@pytest.mark.parametrize("name", ["stories", "opportunities"])
def test_entries_have_required_keys_and_known_themes(name: str) -> None:
    problems = problems_in(name)
    assert not problems, "\n" + "\n".join(problems)


def test_enough_stories_for_every_theme() -> None:
    stories = load("stories")["stories"]
    assert len(stories) >= 12
    for theme in known_themes():
        for language in ("en", "cy"):  # issue 11: six per theme, in each language
            told = [s for s in stories if theme in s["themes"]
                    and s["text"].get(language) and s["who"].get(language)]
            assert len(told) >= 6, f"{len(told)} stories about {theme} in {language}"


def test_enough_opportunities_for_every_theme() -> None:
    entries = load("opportunities")["opportunities"]
    assert len(entries) >= 15
    for theme in known_themes():
        assert sum(theme in e["themes"] for e in entries) >= 2, f"too few for {theme}"


@pytest.mark.parametrize("name,key,texts", [("stories", "stories", STORY_TEXTS),
                                            ("opportunities", "opportunities",
                                             OPPORTUNITY_TEXTS)])
def test_every_text_is_in_english_and_welsh_and_asks_rather_than_orders(
        name: str, key: str, texts: tuple[str, ...]) -> None:
    raw = load(name)[key]
    problems = []
    for item, line in zip(raw, raw.item_lines, strict=True):
        for field in texts:
            value = item[field]
            if not isinstance(value, dict) or set(value) != {"en", "cy"}:
                problems.append(f"{CONTENT / name}.yaml:{line}: {item['id']} {field} needs "
                                "en and cy")
                continue
            for text in value.values():
                directive = DIRECTIVE.search(text)
                if directive:
                    problems.append(f"{CONTENT / name}.yaml:{line}: {item['id']} {field}: "
                                    f"directive phrase {directive.group(0)!r}")
                if "{" in text or "}" in text:
                    problems.append(f"{CONTENT / name}.yaml:{line}: braces in {field}")
    assert not problems, "\n" + "\n".join(problems)


def test_no_phone_numbers_but_public_national_ones() -> None:
    text = (CONTENT / "opportunities.yaml").read_text(encoding="utf-8")
    numbers = {m.group(0).strip() for m in re.finditer(r"(?<![\d£])\d[\d ]{5,}\d", text)}
    assert numbers <= PUBLIC_NUMBERS, numbers - PUBLIC_NUMBERS


def test_a_broken_entry_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "stories.yaml"
    broken.write_text(
        "stories:\n"
        "  - id: fine\n"
        "    themes: [work]\n"
        "    who: {en: A person}\n"
        "    text: {en: A story.}\n"
        "  - id: fine\n"                    # line 6: a second 'fine'
        "    themes: [work, gardening]\n"   # line 7: unknown theme
        "    who: {cy: Rhywun}\n"           # line 8: no English
        "    txt: misspelt\n",              # no text, unknown key
        encoding="utf-8")
    problems = [str(p) for p in check_entries(load_yaml(broken), str(broken), "stories",
                                              STORY_KEYS, STORY_TEXTS, known_themes())]
    where = str(broken)
    assert f"{where}:6: entry 'fine' has no 'text'; entries need: id, themes, who, text" \
        in problems
    assert f"{where}:6: entry 'fine': unknown key(s) txt; allowed: id, themes, who, text" \
        in problems
    assert f"{where}:6: id 'fine' is used twice (first on line 2)" in problems
    assert any(p.startswith(f"{where}:7: entry 'fine': unknown theme 'gardening'")
               for p in problems)
    assert f"{where}:8: entry 'fine' who has no English ('en') text" in problems


def test_an_empty_or_missing_list_is_a_problem(tmp_path: Path) -> None:
    empty = tmp_path / "opportunities.yaml"
    empty.write_text("opportunities: []\n", encoding="utf-8")
    problems = check_entries(load_yaml(empty), str(empty), "opportunities",
                             OPPORTUNITY_KEYS, OPPORTUNITY_TEXTS, known_themes())
    assert [str(p) for p in problems] == [f"{empty}:1: needs 'opportunities:', a non-empty list"]
