"""Named text classifiers, defined as data, that a question can branch on.

A config file (``flows/config/*.yaml``) with a ``classifiers:`` mapping defines them;
``flows/config/lowmood.yaml`` defines ``low_mood``. A question then says, for example,
``on: {low_mood: care}``: an answer the classifier recognises goes to ``care`` and is
never put into the question's variable, so it is never stored as a win or a purpose.

Every entry is matched with the keywords' own normalising (``bot.engine.matching``):

- ``phrases``: whole words anywhere in the message (``feel worthless``);
- ``patterns``: regular expressions over the normalised text (lower case, apostrophes
  removed, single spaces), matched as whole words; they carry word forms, e.g.
  ``(feel|feeling|felt) (worthless|useless)``;
- ``whole``: the entire message is this and nothing else (``nothing``, ``hard``), for
  words that are ordinary inside a longer answer;
- ``unless``: phrases that cancel a match (``not that bad``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.engine.matching import PhraseMatcher, normalise
from bot.engine.yamlsource import LineDict, Problem

CLASSIFIER_KEYS = frozenset({"description", "phrases", "patterns", "whole", "unless"})


@dataclass(frozen=True)
class TextClassifier:
    """Recognises one kind of message (such as low mood) from phrases and patterns."""

    name: str
    phrases: PhraseMatcher
    patterns: tuple[re.Pattern[str], ...] = ()
    whole: frozenset[str] = frozenset()
    unless: PhraseMatcher | None = None

    def matches(self, text: str) -> bool:
        """Whether the message is of this kind; any ``unless`` phrase in it cancels the match."""
        normalised = normalise(text)
        if not normalised or (self.unless is not None and self.unless.matches(normalised)):
            return False
        return (normalised in self.whole or self.phrases.matches(normalised)
                or any(p.search(normalised) for p in self.patterns))


def _words(raw: LineDict, key: str, file: str, problems: list[Problem]) -> list[str]:
    items = raw.get(key, [])
    if isinstance(items, Mapping):  # by language: {en: [...], cy: [...]}
        items = [item for values in items.values() if isinstance(values, list) for item in values]
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        problems.append(Problem(file, raw.line_of(key), f"'{key}' must be a list of phrases "
                                "(or a mapping of language to such a list)"))
        return []
    return [str(i) for i in items]


def parse_classifier(name: str, raw: Any, file: str, line: int,
                     problems: list[Problem]) -> TextClassifier | None:
    """One classifier from its YAML mapping; problems name the file and line."""
    if not isinstance(raw, LineDict):
        problems.append(Problem(file, line, f"classifier '{name}' must be a mapping with: "
                                + ", ".join(sorted(CLASSIFIER_KEYS))))
        return None
    for key in raw:
        if key not in CLASSIFIER_KEYS:
            problems.append(Problem(file, raw.line_of(key), f"unknown key '{key}' in classifier "
                                    f"'{name}'; allowed: {', '.join(sorted(CLASSIFIER_KEYS))}"))
    patterns = []
    for pattern in _words(raw, "patterns", file, problems):
        try:
            patterns.append(re.compile(r"(?:^| )(?:" + pattern + r")(?: |$)"))
        except re.error as exc:
            problems.append(Problem(file, raw.line_of("patterns"),
                                    f"classifier '{name}': pattern {pattern!r} is not a valid "
                                    f"regular expression ({exc})"))
    return TextClassifier(
        name,
        PhraseMatcher(_words(raw, "phrases", file, problems)),
        tuple(patterns),
        frozenset(normalise(w) for w in _words(raw, "whole", file, problems)) - {""},
        PhraseMatcher(_words(raw, "unless", file, problems)),
    )


def load_classifiers(config: Mapping[str, Any], folder: str,
                     problems: list[Problem]) -> dict[str, TextClassifier]:
    """Every classifier defined in the config files (``{stem: parsed YAML}``)."""
    found: dict[str, TextClassifier] = {}
    for stem, raw in sorted(config.items()):
        if not isinstance(raw, LineDict) or "classifiers" not in raw:
            continue
        file = f"{folder}/{stem}.yaml"
        group = raw["classifiers"]
        if not isinstance(group, LineDict):
            problems.append(Problem(file, raw.line_of("classifiers"),
                                    "classifiers must map a name to its phrases and patterns"))
            continue
        for name, body in group.items():
            if name in found:
                problems.append(Problem(file, group.line_of(name),
                                        f"classifier '{name}' is defined twice"))
                continue
            classifier = parse_classifier(name, body, file, group.line_of(name), problems)
            if classifier is not None:
                found[name] = classifier
    return found
