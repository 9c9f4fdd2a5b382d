"""Placeholder contact details: text that must never reach a person as a real contact.

A contact in flows/config/contacts.yaml is what someone who asks for a person, or is in
crisis, is told to call or write to. A number from the ranges Ofcom keeps for drama
(01632 960xxx, 07700 900xxx, ...), an address at a domain reserved for examples, or a
"TODO" would send them nowhere; loading refuses them, so `goodhelp validate` fails and
the bot does not start until a deployment writes its own.
"""

from __future__ import annotations

import re

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
