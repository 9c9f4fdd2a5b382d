"""Acting as people: each helper queues the update a real Telegram client would cause.

The helpers are synchronous on purpose: queueing is instant and wakes any waiting
getUpdates at once, so a test writes `api.send_text(42, "hi")` with no await. Each returns
the update dict it queued. In a private chat the chat id is the person's user id.
"""

from __future__ import annotations

from typing import Any

from . import objects
from .state import World


class PersonActions:
    """Mixin for FakeBotAPI; needs `self.world`."""

    world: World

    def _person_message(
        self,
        chat_id: int,
        *,
        first_name: str = "Alex",
        username: str | None = None,
        user_id: int | None = None,
        language_code: str | None = None,
        chat: dict[str, Any] | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        user = objects.person(user_id or chat_id, first_name, username)
        if language_code is not None:  # the app's language, as Telegram sends it
            user = {**user, "language_code": language_code}
        if chat is None:
            chat = objects.private_chat(user)
        self.world.chats[chat_id] = chat
        message = {
            "message_id": self.world.next_message_id(chat_id),
            "from": user,
            "chat": chat,
            "date": objects.now(),
            **content,
        }
        self.world.person_messages[(chat_id, message["message_id"])] = message
        return message

    def send_text(self, chat_id: int, text: str, **who: Any) -> dict[str, Any]:
        """A person types `text`. `who`: first_name, username, user_id, language_code."""
        message = self._person_message(chat_id, text=text, **who)
        entities = objects.command_entities(text)
        if entities:
            message["entities"] = entities
        return self.world.queue_update("message", message)

    def send_command(
        self, chat_id: int, command: str, payload: str | None = None, **who: Any
    ) -> dict[str, Any]:
        """A person sends `/command [payload]`, e.g. a `/start CODE` deep link."""
        if not command.startswith("/"):
            command = "/" + command
        text = f"{command} {payload}" if payload else command
        return self.send_text(chat_id, text, **who)

    def press_button(
        self, chat_id: int, message_id: int, callback_data: str, *, strict: bool = True, **who: Any
    ) -> dict[str, Any]:
        """A person presses an inline button on the bot's message `message_id`.

        With `strict`, `callback_data` must be on that message's current keyboard (a real
        client can only press what it shows); pass strict=False to forge stale data.
        """
        sent = self.world.bot_messages.get((chat_id, message_id))
        if sent is None:
            raise KeyError(f"the bot sent no message {message_id} to chat {chat_id}")
        if strict and callback_data not in sent.callback_data:
            raise ValueError(f"{callback_data!r} is not on message {message_id}: {sent.buttons}")
        user_id = who.get("user_id") or (chat_id if chat_id > 0 else 1001)
        user = objects.person(user_id, who.get("first_name", "Alex"), who.get("username"))
        query_id = self.world.next_query_id()
        query: dict[str, Any] = {
            "id": query_id,
            "from": user,
            "message": sent.payload,
            "chat_instance": f"-{7919 * abs(chat_id) + 4242}",  # stable per chat, like Telegram
            "data": callback_data,
        }
        self.world.callback_queries[query_id] = query
        return self.world.queue_update("callback_query", query)

    def send_sticker(self, chat_id: int, emoji: str = "👍", **who: Any) -> dict[str, Any]:
        seed = f"sticker:{chat_id}:{emoji}"
        message = self._person_message(chat_id, sticker=objects.sticker(seed, emoji), **who)
        return self.world.queue_update("message", message)

    def send_photo_from_person(
        self, chat_id: int, caption: str | None = None, **who: Any
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"photo": objects.photo_sizes(f"photo:{chat_id}")}
        if caption is not None:
            content["caption"] = caption
        return self.world.queue_update("message", self._person_message(chat_id, **content, **who))

    def send_voice(self, chat_id: int, duration: int = 3, **who: Any) -> dict[str, Any]:
        voice = objects.voice(f"voice:{chat_id}", duration)
        return self.world.queue_update("message", self._person_message(chat_id, voice=voice, **who))

    def send_location(
        self, chat_id: int, latitude: float = 51.5072, longitude: float = -0.1276, **who: Any
    ) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        message = self._person_message(chat_id, location=location, **who)
        return self.world.queue_update("message", message)

    def send_document_from_person(
        self,
        chat_id: int,
        file_name: str = "notes.pdf",
        mime_type: str = "application/pdf",
        **who: Any,
    ) -> dict[str, Any]:
        doc = objects.document(f"doc:{chat_id}:{file_name}", file_name, mime_type, 12_345)
        message = self._person_message(chat_id, document=doc, **who)
        return self.world.queue_update("message", message)

    def edit_text(self, chat_id: int, message_id: int, text: str, **who: Any) -> dict[str, Any]:
        """A person edits their earlier message (an `edited_message` update)."""
        original = self.world.person_messages.get((chat_id, message_id))
        if original is None:
            raise KeyError(f"the person sent no message {message_id} in chat {chat_id}")
        edited = {**original, "text": text, "edit_date": objects.now()}
        edited.pop("entities", None)
        if objects.command_entities(text):
            edited["entities"] = objects.command_entities(text)
        self.world.person_messages[(chat_id, message_id)] = edited
        return self.world.queue_update("edited_message", edited)

    def send_in_group(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int = 1001,
        title: str = "Test group",
        chat_type: str = "group",
        **who: Any,
    ) -> dict[str, Any]:
        """A person writes in a group (chat ids of groups are negative)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = {"id": chat_id, "type": chat_type, "title": title}
        message = self._person_message(chat_id, text=text, user_id=user_id, chat=chat, **who)
        if objects.command_entities(text):
            message["entities"] = objects.command_entities(text)
        return self.world.queue_update("message", message)

    def send_channel_post(
        self, chat_id: int, text: str, *, title: str = "Test channel"
    ) -> dict[str, Any]:
        """A post in a channel the bot is in: no `from`, the channel is the sender."""
        chat = {"id": chat_id, "type": "channel", "title": title}
        self.world.chats[chat_id] = chat
        post = {
            "message_id": self.world.next_message_id(chat_id),
            "sender_chat": chat,
            "chat": chat,
            "date": objects.now(),
            "text": text,
        }
        return self.world.queue_update("channel_post", post)

    channel_post = send_channel_post
