"""Reflect a person's words back so the sentence reads naturally (issue 11).

Before, the purpose was played back as ``because "because I'm exhausted"`` and
``because "so my kids can come and stay"``. ``reflect_purpose`` makes two pieces for
the flow's sentence: ``purpose_words`` (what matters, with a capital letter taken off
where the sentence goes on) and ``purpose_why_words`` (", because I'm exhausted", or
", so my kids can come and stay": the person's own joining word is kept, never doubled).
What matters that starts with a verb ("Get my own flat") reads "what matters to you is to
get my own flat", not "is get my own flat". The words are the flow's args, per language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.engine.actions import ActionContext, ActionRegistry, ActionResult

_EDGES = " \t\n\"'“”‘’.!,;:"


def _words(args: Mapping[str, Any], name: str, language: str) -> list[str]:
    value = args.get(name) or {}
    found = value.get(language) or value.get("en") or [] if isinstance(value, Mapping) else value
    return [str(w).lower() for w in found] if isinstance(found, Sequence) else [str(found)]


def _starts_with(text: str, words: list[str]) -> str | None:
    lower = text.lower()
    for word in sorted(words, key=len, reverse=True):  # "so that" before "so"
        if re.match(rf"{re.escape(word)}\b", lower):
            return word
    return None


def in_sentence(text: str) -> str:
    """The words as they read inside a sentence: no quotes or full stop round them, and
    no capital letter at the start unless it is "I" or a name-like word (ACAS, NHS)."""
    text = text.strip(_EDGES)
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and not re.match(
            r"I\b|I'", text):
        text = text[0].lower() + text[1:]
    return text


def why_clause(why: str, *, because: str, reasons: list[str], aims: list[str]) -> str:
    """", because ..." or ", so ...": the person's own joining word, never two."""
    why = in_sentence(why)
    if not why:
        return ""
    reason = _starts_with(why, reasons)
    if reason is not None:
        rest = why[len(reason):].strip(_EDGES)
        return f", {because} {rest}" if rest else ""
    if _starts_with(why, aims) is not None:
        return f", {why}"
    return f", {because} {why}"


def as_aim(text: str, *, verbs: list[str], to: str) -> str:
    """What matters, as it reads after "what matters to you is": "get my own flat" reads
    "to get my own flat" when it starts with one of ``verbs`` (and ``to`` is given)."""
    first = text.split(" ", 1)[0].lower()
    return f"{to} {text}" if to and first in verbs else text


async def reflect_purpose(ctx: ActionContext) -> ActionResult:
    """Set ``purpose_words`` and ``purpose_why_words`` from ``purpose_answer`` and
    ``purpose_why``. Args, per language: ``because`` (the joining word to add),
    ``reasons`` (joining words the person may have used, replaced by ``because``),
    ``aims`` (joining words kept as they are: "so", "to"), ``verbs`` and ``to`` (what
    matters starting with one of ``verbs`` reads "to get my own flat")."""
    language = ctx.render.language
    vars = ctx.state.vars
    because = (_words(ctx.args, "because", language) or ["because"])[0]
    clause = why_clause(str(vars.get("purpose_why") or ""), because=because,
                        reasons=_words(ctx.args, "reasons", language),
                        aims=_words(ctx.args, "aims", language))
    to = (_words(ctx.args, "to", language) or [""])[0]
    words = as_aim(in_sentence(str(vars.get("purpose_answer") or "")),
                   verbs=_words(ctx.args, "verbs", language), to=to)
    return ActionResult(vars={"purpose_words": words, "purpose_why_words": clause})


def register(registry: ActionRegistry) -> None:
    """Add ``reflect_purpose`` (the person's purpose in their own words) to ``registry``."""
    registry.register("reflect_purpose", provides=("purpose_words", "purpose_why_words"),
                      outcomes=())(reflect_purpose)
