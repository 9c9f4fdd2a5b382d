"""Telegram updates as engine events.

`route` looks at one Update and says what to do with it, without doing it:

* a private message becomes Text, Command (``/start CODE`` keeps its payload, which
  carries invite codes from deep links, and the app's ``language_code`` as a hint) or
  Unsupported(kind) for stickers, photos, voice notes, documents, locations and the like;
* a pressed button becomes Choice when its data is ours, and is always answered;
* a message in a group or supergroup is declined politely (the bot then leaves);
  a channel post makes the bot leave without posting anything;
* an edited message is ignored: the conversation has moved on since the original,
  and re-running an old turn would put the person's answers out of order;
* the person blocking or unblocking the bot (my_chat_member) changes reachability;
* anything else (service messages, polls, reactions) is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Chat, ChatMember, Message, Update

from bot.channels.telegram.render import decode_choice
from bot.engine.events import Command, Event, Text, Unsupported

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)

# Message fields that carry something a person sent, checked in this order. The first one
# present names the kind the engine's "unsupported" reply is about.
UNSUPPORTED_KINDS = (
    "sticker", "photo", "voice", "video_note", "video", "animation", "audio", "document",
    "location", "venue", "contact", "poll", "dice", "story",
)


@dataclass(frozen=True)
class Inbound:
    """What one update asks of us.

    ``action``: "turn" (run ``event`` for the chat), "decline" (group: say private only,
    then leave), "leave" (channel), "blocked"/"unblocked" (my_chat_member), "ignore".
    ``callback_id`` is set for every button press: each must be answered, whatever else.
    """

    action: str
    chat_id: int | None = None
    event: Event | None = None
    callback_id: str | None = None
    pressed_message_id: int | None = None
    why: str = ""  # for debug logs; never personal text


def parse_text(text: str, locale: str = "") -> Event:
    """A typed message as the engine sees it: a command with its argument (and the
    language the person's app is set to, as a hint), or text."""
    match = _COMMAND.match(text.strip())
    if match:
        return Command(match.group(1).lower(), (match.group(2) or "").strip(), locale)
    return Text(text)


def message_event(message: Message) -> Event | None:
    """The event for a private message, or None for a service message with nothing to answer.

    Of the sender, only the app's language (``language_code``) is passed on, with
    commands: no name, username or anything else about them."""
    if message.text is not None:
        user = message.from_user
        return parse_text(message.text, (user.language_code or "") if user else "")
    for kind in UNSUPPORTED_KINDS:
        if getattr(message, kind, None):
            return Unsupported(kind)
    return None  # a service message: pinned, joined, and so on


def route(update: Update) -> Inbound:
    """Decide what one update asks of us, without acting on it."""
    query = update.callback_query
    if query is not None:
        message = query.message
        chat_id = message.chat.id if message is not None else None
        if message is None or message.chat.type != Chat.PRIVATE:
            return Inbound("ignore", chat_id, callback_id=query.id, why="button outside a chat")
        choice = decode_choice(query.data)
        if choice is None:
            return Inbound("ignore", chat_id, callback_id=query.id,
                           pressed_message_id=message.message_id, why="button data not ours")
        return Inbound("turn", chat_id, choice, callback_id=query.id,
                       pressed_message_id=message.message_id)

    if update.edited_message is not None or update.edited_channel_post is not None:
        return Inbound("ignore", why="edited message")
    if update.channel_post is not None:
        return Inbound("leave", update.channel_post.chat.id, why="channel post")

    member = update.my_chat_member
    if member is not None:
        if member.chat.type != Chat.PRIVATE:
            return Inbound("ignore", why="membership outside a private chat")
        status = member.new_chat_member.status
        if status == ChatMember.BANNED:
            return Inbound("blocked", member.chat.id)
        if status == ChatMember.MEMBER:
            return Inbound("unblocked", member.chat.id)
        return Inbound("ignore", why="membership change")

    message = update.message
    if message is None:
        return Inbound("ignore", why="update kind not used")
    if message.chat.type != Chat.PRIVATE:  # including the bot being added to a group
        return Inbound("decline", message.chat.id, why="group chat")
    event = message_event(message)
    if event is None:
        return Inbound("ignore", message.chat.id, why="service message")
    return Inbound("turn", message.chat.id, event)
