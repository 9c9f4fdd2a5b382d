"""Neutral events that reach the engine and replies that leave it.

Channels turn their own updates into these events and draw these replies
(options become an inline keyboard in Telegram, numbered choices in a terminal).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    """Something the person typed."""

    text: str


@dataclass(frozen=True)
class Command:
    """A slash command such as ``/start`` with an optional payload (deep link).

    ``locale`` is the language the person's app is set to, as a tag ("cy", "en-GB"), when
    the channel knows it: a hint for onboarding (bot/engine/hints.py), never a choice."""

    name: str
    payload: str = ""
    locale: str = ""


@dataclass(frozen=True)
class Choice:
    """A pressed button: the prompt it belongs to and the option's index."""

    prompt: int
    index: int


@dataclass(frozen=True)
class Unsupported:
    """Input the engine cannot read: a sticker, photo, voice note and so on."""

    kind: str


@dataclass(frozen=True)
class Start:
    """Start a flow on the system's initiative (a scheduled check-in)."""

    flow: str
    reason: str = ""


@dataclass(frozen=True)
class Reshow:
    """Show the question the person is on again (a terminal chat that was restarted).

    Replies with nothing when the person is not in the middle of a question."""


@dataclass(frozen=True)
class Close:
    """Close the flow the person left open, saying nothing (a scheduled check-in is due
    and the last conversation was left unanswered or days ago). Counted as abandoned."""

    reason: str = ""


Event = Text | Command | Choice | Unsupported | Start | Reshow | Close


@dataclass(frozen=True)
class Option:
    """One choice in a reply; ``index`` and the reply's ``prompt`` make a button's data."""

    label: str
    index: int


@dataclass(frozen=True)
class Attachment:
    """A file to send with a reply: a chart (``image``) or an export (``document``)."""

    kind: str  # "image" or "document"
    filename: str
    data: bytes
    caption: str = ""


@dataclass(frozen=True)
class Reply:
    """One message to the person."""

    text: str
    options: tuple[Option, ...] = ()
    prompt: int = 0
    attachment: Attachment | None = None
    extras: dict[str, str] = field(default_factory=dict, compare=False)
