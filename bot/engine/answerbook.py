"""The answer words of every language, read once from flows/config/answers.yaml.

A person writing in Welsh may still type "yes" or "ok", so the words for a language are
that language's own merged with the default language's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.engine.answers import AnswerWords, Intent
from bot.engine.matching import normalise
from bot.engine.timewords import TimeWords

TIME_KEYS = ("morning", "evening", "noon", "midnight", "half_past", "quarter_past",
             "quarter_to", "oclock")


class AnswerBookError(ValueError):
    """answers.yaml is not shaped as documented at its top."""


def _phrases(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise AnswerBookError(f"{where} must be a list of words")
    return tuple(p for p in (normalise(str(item)) for item in raw) if p)


def _mapping(raw: Any, where: str) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise AnswerBookError(f"{where} must be a mapping")
    return raw


def _words(raw: Any, language: str) -> AnswerWords:
    raw = _mapping(raw, language)
    intents = {}
    for name, spec in _mapping(raw.get("intents"), f"{language}.intents").items():
        where = f"{language}.intents.{name}"
        spec = _mapping(spec, where)
        intents[str(name)] = Intent(frozenset(_phrases(spec.get("typed"), f"{where}.typed")),
                                    frozenset(_phrases(spec.get("values"), f"{where}.values")),
                                    _phrases(spec.get("labels"), f"{where}.labels"))
    try:
        numbers = {normalise(str(k)): int(v)
                   for k, v in _mapping(raw.get("numbers"), f"{language}.numbers").items()}
    except (TypeError, ValueError) as exc:
        raise AnswerBookError(f"{language}.numbers must map words to whole numbers") from exc
    times = _mapping(raw.get("times"), f"{language}.times")
    ordinals = raw.get("ordinals") or []
    if not isinstance(ordinals, list):
        raise AnswerBookError(f"{language}.ordinals must be a list of lists of words")
    return AnswerWords(
        intents=intents,
        ordinals=tuple(frozenset(_phrases(names, f"{language}.ordinals"))
                       for names in ordinals),
        last=frozenset(_phrases(raw.get("last"), f"{language}.last")),
        numbers=numbers,
        ignore=frozenset(_phrases(raw.get("ignore"), f"{language}.ignore")),
        negations=frozenset(_phrases(raw.get("negations"), f"{language}.negations")),
        out_of=_phrases(raw.get("out_of"), f"{language}.out_of"),
        times=TimeWords(**{key: _phrases(times.get(key), f"{language}.times.{key}")
                           for key in TIME_KEYS}),
    )


def merge(parts: Iterable[AnswerWords]) -> AnswerWords:
    """One set of words that understands every part (the first part wins on numbers)."""
    parts = list(parts)
    names = {name for part in parts for name in part.intents}
    intents = {
        name: Intent(
            frozenset().union(*(p.intents[name].typed for p in parts if name in p.intents)),
            frozenset().union(*(p.intents[name].values for p in parts if name in p.intents)),
            tuple(m for p in parts if name in p.intents for m in p.intents[name].labels))
        for name in names
    }
    width = max((len(p.ordinals) for p in parts), default=0)
    ordinals = tuple(frozenset().union(*(p.ordinals[i] for p in parts if i < len(p.ordinals)))
                     for i in range(width))
    numbers: dict[str, int] = {}
    for part in reversed(parts):
        numbers.update(part.numbers)
    times = TimeWords(**{key: tuple(w for p in parts for w in getattr(p.times, key))
                         for key in TIME_KEYS})
    return AnswerWords(
        intents=intents, ordinals=ordinals,
        last=frozenset().union(*(p.last for p in parts)), numbers=numbers,
        ignore=frozenset().union(*(p.ignore for p in parts)),
        negations=frozenset().union(*(p.negations for p in parts)),
        out_of=tuple(w for p in parts for w in p.out_of), times=times)


class AnswerBook:
    """Answer words by language; a language without its own gets the default's."""

    def __init__(self, raw: Any, default_language: str = "en") -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise AnswerBookError("answers.yaml must map each language to its words")
        own = {str(lang): _words(words, str(lang)) for lang, words in raw.items()}
        default = own.get(default_language, AnswerWords(intents={}))
        self._merged = {lang: merge([words, default]) if lang != default_language else words
                        for lang, words in own.items()}
        self._default = default

    def for_language(self, language: str) -> AnswerWords:
        """The words to read an answer in ``language`` with."""
        return self._merged.get(language, self._default)
