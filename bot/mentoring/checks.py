"""The checks every message between a mentor and a person passes, in both directions.

Contact details never pass: phone numbers, email addresses, @handles, links and t.me
links (whatever the spacing or "dot" spelled out). Directive phrasing ("you should")
gets a gentle suggestion to ask instead, from ``flows/config/style.yaml``'s list. Crisis
words hold the message for staff (the caller passes the bot's own crisis check).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from bot.core.mentoring import PeerCheck

_CONTACT = [
    # A phone number: 7 or more digits, allowing spaces, dots, dashes and brackets.
    re.compile(r"(?:\+|\b00)?\d(?:[\s\-.()]*\d){6,}"),
    # An email address, including "name at example dot com".
    re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\]|\bat\b)\s*[\w-]+\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)"
               r"\s*[a-z]{2,}", re.IGNORECASE),
    # An @handle (Telegram, Instagram, ...).
    re.compile(r"(?<![\w.])@[A-Za-z0-9_]{3,}"),
    # Links: a scheme, www., t.me / telegram.me, or a bare domain with a common ending.
    re.compile(r"\b(?:https?://|www\.|t\s*\.\s*me\s*/|telegram\s*\.\s*me\b|wa\s*\.\s*me\b)",
               re.IGNORECASE),
    re.compile(r"\b[a-z0-9-]+\s*\.\s*(?:com|co\.uk|uk|org|net|io|me|ly|app|info|cymru|wales)"
               r"\b", re.IGNORECASE),
]


def has_contact(text: str) -> bool:
    """Whether ``text`` holds a phone number, email, @handle or link."""
    return any(pattern.search(text) for pattern in _CONTACT)


def directive_phrases(text: str, phrases: Iterable[str]) -> tuple[str, ...]:
    """The directive phrases in ``text`` (case and apostrophes ignored, whole words)."""
    flat = _flatten(text)
    return tuple(p for p in phrases if re.search(rf"\b{re.escape(_flatten(p))}\b", flat))


def check(text: str, phrases: Iterable[str], crisis: Callable[[str], bool]) -> PeerCheck:
    """Every check on one message."""
    return PeerCheck(has_contact(text), directive_phrases(text, phrases), crisis(text))


def _flatten(text: str) -> str:
    text = text.casefold().replace("\u2019", "'").replace("'", "")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())
