"""Replies as Telegram messages: plain text, inline keyboards, photos and documents.

Everything is sent without ``parse_mode``, so what a person typed and what flow authors
wrote shows exactly as written: ``<b>``, ``_*[`` and ``&amp;`` are not markup here.

Buttons carry ``v1:<prompt>:<index>`` as callback data: small (well under Telegram's 64
bytes), versioned so the format can change while old buttons are still out there, and
validated on the way back in. The engine decides whether a pressed button still counts;
this module only refuses data it could not have produced.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, replace
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine.events import Attachment, Choice, Reply

MAX_TEXT = 4096  # Telegram's limit for one message
MAX_CAPTION = 1024
MAX_LABEL = 64  # longer labels are cut on screen anyway; keep the markup small
_DATA = re.compile(r"v1:(\d{1,9}):(\d{1,3})")


def encode_choice(prompt: int, index: int) -> str:
    """The callback data for a button, in the form ``decode_choice`` accepts back."""
    return f"v1:{prompt}:{index}"


def decode_choice(data: str | None) -> Choice | None:
    """The Choice a button's data stands for, or None if we could not have made it."""
    if not data:
        return None
    match = _DATA.fullmatch(data)
    if match is None:
        return None
    return Choice(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class Outgoing:
    """One Bot API send: ``kind`` is "text", "image" or "document". ``instead``: words
    to send if Telegram refuses the file for good."""

    kind: str
    text: str = ""
    keyboard: InlineKeyboardMarkup | None = None
    attachment: Attachment | None = None
    instead: str = ""

    @property
    def has_keyboard(self) -> bool:
        """Whether this send carries buttons, so it becomes the chat's current question."""
        return self.keyboard is not None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One button per row: labels are sentences, and rows of two would cut them."""
    if not reply.options:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(option.label[:MAX_LABEL] or "…",
                                  callback_data=encode_choice(reply.prompt, option.index))]
            for option in reply.options
        ]
    )


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut text that is too long for one message at line breaks where possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text.strip():
        parts.append(text)
    return parts


def render(reply: Reply) -> list[Outgoing]:
    """The sends for one reply, in order; the keyboard rides on the last text part."""
    sends = [Outgoing("text", part) for part in split_text(reply.text)]
    markup = keyboard(reply)
    if markup is not None:
        if not sends:  # options need a message to hang on; an empty one is refused
            sends.append(Outgoing("text", "…"))
        sends[-1] = Outgoing("text", sends[-1].text, markup)
    if reply.attachment is not None:
        attachment = reply.attachment
        caption = attachment.caption
        if len(caption) > MAX_CAPTION:  # too long for a caption: send it as its own message
            sends.extend(Outgoing("text", part) for part in split_text(caption))
            caption = ""
        kind = "image" if attachment.kind == "image" else "document"
        sends.append(Outgoing(kind, caption, attachment=attachment))
    return sends


def sends_for(replies: list[Reply]) -> list[Outgoing]:
    """Every send for a turn's replies, in order."""
    return [out for reply in replies for out in render(reply)]


def encode(out: Outgoing) -> str:
    """One send as JSON for the outbox: what is needed to send it again after a restart."""
    data: dict[str, Any] = {"kind": out.kind, "text": out.text}
    if out.instead:
        data["instead"] = out.instead
    if out.keyboard is not None:
        data["keyboard"] = out.keyboard.to_dict()
    if out.attachment is not None:
        att = out.attachment
        data["attachment"] = {"kind": att.kind, "filename": att.filename,
                              "caption": att.caption,
                              "data": base64.b64encode(att.data).decode("ascii")}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


REMOVE_KEYBOARD = "remove_keyboard"


def encode_remove_keyboard(message_id: int) -> str:
    """An outbox row that takes the buttons off a pressed question (shared mode: only the
    sender changes messages, after the replies before it)."""
    return json.dumps({"kind": REMOVE_KEYBOARD, "text": str(message_id)})


def encode_all(replies: list[Reply], instead: str = "") -> list[str]:
    """The outbox payloads for a turn's replies, one per send; a file carries ``instead``."""
    return [encode(replace(out, instead=instead) if out.attachment is not None else out)
            for out in sends_for(replies)]


def decode(payload: str) -> Outgoing:
    """The send ``encode`` stored."""
    data = json.loads(payload)
    markup = data.get("keyboard")
    att = data.get("attachment")
    attachment = None if att is None else Attachment(
        att["kind"], att["filename"], base64.b64decode(att["data"]), att.get("caption", ""))
    return Outgoing(data["kind"], data.get("text", ""),
                    InlineKeyboardMarkup.de_json(markup, None) if markup else None, attachment,
                    data.get("instead", ""))
