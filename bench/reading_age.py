"""Reading age of every English text a person can read in flows/ and flows/content/.

    .venv/bin/python -m bench.reading_age            # the distribution
    .venv/bin/python -m bench.reading_age --worst 20 # and the hardest texts

Formula: Flesch-Kincaid grade level + 5 = reading age in years, where grade =
0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59. Syllables are counted
by the rule in :func:`syllables` (vowel groups, a silent final e, a few endings), in code,
so nothing is downloaded. UK public-service writing aims at a reading age of about 9.

What counts as a text: every `en` text of a mapping with `en` and another language
(step texts, button labels, action arguments, system messages, content). Placeholders
such as `{name}` read as one short word; commands such as `/purpose` as the word.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.engine.yamlsource import LineDict, LineList, load_yaml

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
SHORTEST_SCORED = 8  # words; shorter texts (labels, "Skip") say too little to score
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n+|:\s*\n")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Syllables in one English word, by rule (good to about one in ten words)."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return 0
    if len(word) <= 3:
        return 1
    count = len(_VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # silent e: "make", "time"
    if word.endswith(("ed",)) and not word.endswith(("ted", "ded")) and count > 1:
        count -= 1  # "asked", "named"
    if word.endswith("es") and not word.endswith(("ses", "zes", "ches", "shes", "ges", "ces")
                                                  ) and count > 1:
        count -= 1  # "times", "makes"
    return max(1, count)


@dataclass(frozen=True)
class Scored:
    """One text with its place and its reading age (None when too short to score)."""

    file: str
    line: int
    text: str
    words: int
    age: float | None


def reading_age(text: str) -> tuple[int, float | None]:
    """(words, reading age in years) of one text; age None under SHORTEST_SCORED words."""
    plain = _PLACEHOLDER.sub("it", text).replace("/", " ")
    words = _WORD.findall(plain)
    if len(words) < SHORTEST_SCORED:
        return len(words), None
    sentences = max(1, len([s for s in _SENTENCE_END.split(plain) if _WORD.search(s)]))
    count = sum(syllables(w) for w in words)
    grade = 0.39 * len(words) / sentences + 11.8 * count / len(words) - 15.59
    return len(words), round(grade + 5, 1)


def english_texts(value: Any, line: int) -> Iterator[tuple[int, str]]:
    """Every English text in a loaded YAML value, with its line."""
    if isinstance(value, LineDict):
        if "en" in value and len(value) > 1:
            english = value["en"]
            for item in english if isinstance(english, list) else [english]:
                if isinstance(item, str):
                    yield value.line_of("en"), item
            return
        for key, item in value.items():
            yield from english_texts(item, value.line_of(key))
    elif isinstance(value, LineList):
        for item, item_line in zip(value, value.item_lines, strict=True):
            yield from english_texts(item, item_line)


def files(root: Path = FLOWS) -> list[Path]:
    return sorted([*root.glob("*.yaml"), *(root / "content").glob("*.yaml"),
                   *(root / "config" / "system.yaml",)])


def score_all(root: Path = FLOWS) -> list[Scored]:
    """Every English text under ``root``, scored."""
    found = []
    for path in files(root):
        name = path.relative_to(root.parent).as_posix()
        for line, text in english_texts(load_yaml(path), 1):
            words, age = reading_age(text)
            found.append(Scored(name, line, text, words, age))
    return found


def distribution(scored: list[Scored]) -> str:
    ages = sorted(s.age for s in scored if s.age is not None)
    bands = [(0, 7), (7, 9), (9, 11), (11, 13), (13, 15), (15, 99)]
    rows = [f"texts: {len(scored)}, scored (8+ words): {len(ages)}",
            f"median {statistics.median(ages):.1f}, mean {statistics.mean(ages):.1f}, "
            f"90th percentile {ages[int(0.9 * (len(ages) - 1))]:.1f}, max {ages[-1]:.1f}",
            "reading age   texts"]
    for low, high in bands:
        count = sum(low <= a < high for a in ages)
        label = f"{low}-{high}" if high < 99 else f"{low}+"
        rows.append(f"{label:<13} {count:>5}  {'#' * (count // 4)}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worst", type=int, default=0, help="also list the N hardest texts")
    args = parser.parse_args(argv)
    scored = score_all()
    print(distribution(scored))
    for item in sorted((s for s in scored if s.age is not None), key=lambda s: -(s.age or 0)
                       )[:args.worst]:
        print(f"{item.age:5.1f} {item.file}:{item.line} {item.text[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
