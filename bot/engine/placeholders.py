"""Placeholder text that must never reach a person.

Two checks. ``placeholder_reason`` is strict, for contacts:
A contact in flows/config/contacts.yaml is what someone who asks for a person, or is in
crisis, is told to call or write to. A number from the ranges Ofcom keeps for drama
(01632 960xxx, 07700 900xxx, ...), an address at a domain reserved for examples, or a
"TODO" would send them nowhere; loading refuses them, so `goodhelp validate` fails and
the bot does not start until a deployment writes its own.

``find_placeholders`` is for every other text a person could read (flows, content,
system messages): sample content ships with stand-ins for what a programme fills in
("Example entry: your programme can add ..."); ``goodhelp validate`` refuses any left,
with the file and line (issue 11).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bot.engine.yamlsource import LineDict, LineList, Problem

# Ofcom's numbers for drama and examples (never in service), and reserved domains
# (RFC 2606 / 6761). Spaces and dashes are ignored in numbers.
_DRAMA = re.compile(
    r"(?:\+44|0)(?:1632960|7700900|2079460|1134960|1144960|1154960|1164960|1174960"
    r"|1184960|1214960|1314960|1414960|1514960|1614960|2890180|2920180|8081570|9098790"
    r"|3069990)\d{3}")
_DOMAIN = re.compile(r"[@.]example\.(?:org|com|net)\b|\.(?:invalid|example|test)\b"
                     r"|@example\b", re.IGNORECASE)
_WORDS = re.compile(r"\b(?:todo|tbc|tbd|fixme|placeholder|change me|lorem ipsum|xxx+"
                    r"|your (?:own )?(?:number|phone|email|address|hours|name))\b"
                    r"|<[^<>]+>|\[[^\[\]]+\]", re.IGNORECASE)


def placeholder_reason(text: str) -> str | None:
    """Why ``text`` looks like a placeholder rather than a real contact, or None."""
    digits = re.sub(r"[\s().-]", "", text)
    if _DRAMA.search(digits):
        return "a number from the range kept for drama and examples"
    if _DOMAIN.search(text):
        return "an address at a domain reserved for examples"
    found = _WORDS.search(text)
    if found:
        return f"placeholder text '{found.group(0)}'"
    return None


# Stand-in wording, English and Welsh; matched case-insensitively anywhere in a text.
PLACEHOLDER = re.compile(
    r"\bexample entry\b|\byour programme can (?:add|put)\b|\blorem ipsum\b|\bTODO\b"
    r"|\benghraifft: gall eich rhaglen\b",
    re.IGNORECASE)


def _strings(value: Any, line: int) -> Iterator[tuple[str, int]]:
    if isinstance(value, str):
        yield value, line
    elif isinstance(value, LineDict):
        for key, item in value.items():
            yield from _strings(item, value.line_of(key))
    elif isinstance(value, LineList):
        for index, item in enumerate(value):
            lines = getattr(value, "item_lines", None)
            yield from _strings(item, lines[index] if lines else value.line or line)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, line)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, line)


def find_placeholders(document: Any, file: str) -> list[Problem]:
    """A problem for every string in a loaded YAML document that is placeholder text."""
    return [Problem(file, line, f"placeholder text a person could see: \"{text[:60]}\"; "
                    "write the real text, or take the entry out")
            for text, line in _strings(document, getattr(document, "line", 1) or 1)
            if PLACEHOLDER.search(text)]
