"""Crisis patterns with slots, written as data (flows/safety/patterns.yaml).

A pattern is words separated by spaces. Each word also matches its lemmas (English
and Welsh), so "take" matches "took", "taken" and "taking"; ``{name}`` is any phrase
listed under ``slots: name``; ``*`` is up to three words of anything, ``**`` up to six;
``!word`` or ``!{name}`` means the next word may NOT be that (so "{end} {it} !{with}"
leaves "I want to end it with him" alone); ``=word`` matches exactly that word, with no lemma (so
``=kms`` does not turn into "km" and catch "5 km"); ``$`` is the end of the message.

All patterns are compiled into one regular expression and tried on each reading of the
message (bot/safety/text.py), so the cost hardly grows with the number of patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.engine.matching import normalise
from bot.engine.yamlsource import LineDict, LineList, Problem, YamlError, load_yaml
from bot.safety.respell import Respeller
from bot.safety.text import LANGUAGES, lemma, lemmatise, views

GAP = r"(?:\S+ ){0,3}"
LONG_GAP = r"(?:\S+ ){0,6}"
_SLOT = re.compile(r"^\{([a-z_]+)\}$")
KEYS = ("slots", "textspeak", "vocabulary", "patterns")


class PatternError(Exception):
    """The patterns file has problems; ``problems`` lists each with its file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class PatternMatch:
    """Which kind of pattern matched (the key under ``patterns:``)."""

    kind: str


class PatternSet:
    """Every pattern of every kind, compiled once into one expression."""

    def __init__(self, patterns: dict[str, list[str]], slots: dict[str, list[str]],
                 respeller: Respeller | None = None) -> None:
        self.kinds = list(patterns)
        self.respeller = respeller
        alternatives = []
        for index, (_, written) in enumerate(patterns.items()):
            body = "|".join(_compile(p, slots) for p in written)
            alternatives.append(f"(?P<k{index}>{body})")
        self._regex = re.compile("|".join(alternatives)) if alternatives else None

    def match(self, text: str) -> PatternMatch | None:
        """The first kind that matches any reading of ``text``, or None."""
        if self._regex is None:
            return None
        for reading in self.readings(text):
            found = self._regex.search(f" {reading} ")
            if found is not None:
                assert found.lastgroup is not None
                return PatternMatch(self.kinds[int(found.lastgroup[1:])])
        return None


    def readings(self, text: str) -> tuple[str, ...]:
        """The views of ``text``, and its respelt views where respelling changed it."""
        readings = views(text)
        respelt = self.respeller.respell(text) if self.respeller is not None else ""
        if respelt:
            extra = (respelt, *(lemmatise(respelt, lang) for lang in LANGUAGES))
            readings = tuple(dict.fromkeys((*readings, *extra)))
        return readings


def _forms(word: str) -> str:
    """A regex alternation of the word and its lemmas (or just the word, for ``=word``)."""
    if word.startswith("="):
        return re.escape(normalise(word[1:]))
    base = normalise(word)
    forms = {base} | {lemma(base, lang) for lang in LANGUAGES}
    return "|".join(sorted(map(re.escape, forms), key=len, reverse=True))


def _phrase(phrase: str) -> str:
    """A slot alternative: each word with its forms, each followed by a space."""
    return "".join(f"(?:{_forms(w)}) " for w in phrase.split())


def _token(token: str, slots: dict[str, list[str]]) -> str:
    if token == "*":
        return GAP
    if token == "**":
        return LONG_GAP
    if token == "$":
        return "$"
    negate = token.startswith("!")
    token = token.removeprefix("!")
    slot = _SLOT.match(token)
    inner = ("|".join(_phrase(p) for p in slots[slot.group(1)]) if slot
             else _phrase(token))
    return f"(?!{inner})" if negate else f"(?:{inner})"


def _compile(pattern: str, slots: dict[str, list[str]]) -> str:
    return " " + "".join(_token(t, slots) for t in pattern.split())


def load_patterns(path: Path) -> PatternSet:
    """Read and check a patterns file; raises :class:`PatternError` naming file and line."""
    problems: list[Problem] = []
    name = str(path)
    try:
        raw = load_yaml(path)
    except YamlError as exc:
        raise PatternError([exc.problem]) from None
    if not isinstance(raw, LineDict):
        raise PatternError([Problem(name, 1, "expected a mapping with slots: and patterns:")])
    for key in raw:
        if key not in KEYS:
            problems.append(Problem(name, raw.line_of(key),
                                    f"unknown key '{key}'; allowed: {', '.join(KEYS)}"))
    slots = _lists(raw.get("slots", LineDict()), name, "slots", problems)
    patterns = _lists(raw.get("patterns"), name, "patterns", problems)
    for kind, written in patterns.items():
        line = raw["patterns"].line_of(kind)
        for pattern in written:
            problems.extend(_check(pattern, slots, name, line, kind))
    textspeak = _mapping(raw.get("textspeak", LineDict()), name, problems)
    vocabulary = raw.get("vocabulary", [])
    if not isinstance(vocabulary, list) or not all(isinstance(w, str) for w in vocabulary):
        problems.append(Problem(name, raw.line_of("vocabulary"),
                                "vocabulary must be a list of words"))
    if problems:
        raise PatternError(problems)
    respeller = Respeller(textspeak, vocabulary) if textspeak or vocabulary else None
    return PatternSet(patterns, slots, respeller)


def _mapping(value: Any, name: str, problems: list[Problem]) -> dict[str, str]:
    if not isinstance(value, LineDict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        problems.append(Problem(name, getattr(value, "line", 1),
                                "textspeak must be a mapping of a word to its plain spelling"))
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _lists(value: Any, name: str, where: str, problems: list[Problem]) -> dict[str, list[str]]:
    if not isinstance(value, LineDict):
        problems.append(Problem(name, getattr(value, "line", 1),
                                f"{where} must be a mapping of names to lists of text"))
        return {}
    result: dict[str, list[str]] = {}
    for key, items in value.items():
        if not isinstance(items, LineList) or not items or not all(
                isinstance(i, str) and i.strip() for i in items):
            problems.append(Problem(name, value.line_of(key),
                                    f"{where}.{key} must be a non-empty list of text"))
            continue
        result[key] = [str(i) for i in items]
    return result


def _check(pattern: str, slots: dict[str, list[str]], name: str, line: int,
           kind: str) -> list[Problem]:
    problems = []
    tokens = pattern.split()
    if not tokens or all(t in ("*", "**", "$") or t.startswith("!") for t in tokens):
        problems.append(Problem(name, line, f"pattern '{pattern}' in {kind} has no word to match"))
    for token in tokens:
        slot = _SLOT.match(token.removeprefix("!"))
        if slot and slot.group(1) not in slots:
            known = ", ".join(sorted(slots)) or "none"
            problems.append(Problem(name, line, f"pattern '{pattern}' in {kind} uses unknown "
                                    f"slot '{slot.group(1)}'; slots: {known}"))
        elif "{" in token and not slot:
            problems.append(Problem(name, line, f"pattern '{pattern}' in {kind}: write a slot "
                                    "as {name}, on its own between spaces"))
    return problems
