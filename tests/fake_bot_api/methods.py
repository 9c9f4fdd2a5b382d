"""The Bot API methods the fake serves, each answering what the real server answers.

Handlers take the parsed parameters and uploaded files and return the `result` value, or
raise ApiError with Telegram's own wording, so a bot under test meets the same errors it
would in production (e.g. "message is not modified", which bots must tolerate).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from . import objects
from .faults import ApiError
from .state import BotMessage, World

Files = dict[str, tuple[str, bytes, str]]
Handler = Callable[[dict[str, Any], Files], Awaitable[Any]]
WebhookChanged = Callable[[dict[str, Any]], Awaitable[None]]

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def require(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise ApiError(400, f"Bad Request: {name} is empty")
    return value


class Methods:
    """One instance per server; `table` maps lower-case method names to handlers."""

    def __init__(self, world: World, bot: dict[str, Any],
                 on_webhook: WebhookChanged | None = None) -> None:
        self.world = world
        self.bot = bot
        self.closing = False
        self.on_webhook = on_webhook  # starts or stops webhook delivery
        self.table: dict[str, Handler] = {
            name.lower(): getattr(self, "_" + re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower())
            for name in (
                "getMe",
                "getUpdates",
                "sendMessage",
                "editMessageText",
                "editMessageReplyMarkup",
                "editMessageCaption",
                "deleteMessage",
                "answerCallbackQuery",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
                "sendChatAction",
                "leaveChat",
                "sendPhoto",
                "sendDocument",
                "setWebhook",
                "deleteWebhook",
                "getWebhookInfo",
                "close",
                "logOut",
            )
        }

    # Identity and updates.
    async def _get_me(self, params: dict[str, Any], files: Files) -> Any:
        return self.bot

    async def _get_updates(self, params: dict[str, Any], files: Files) -> Any:
        if self.world.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is "
                "active; use deleteWebhook to delete the webhook first",
            )
        if params.get("offset") is not None:
            self.world.confirm_updates(int(params["offset"]))
        if params.get("allowed_updates") is not None:
            self.world.allowed_updates = list(params["allowed_updates"]) or None
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        await self.world.updates_signal.wait_until(
            lambda: self.closing or bool(self.world.pending_updates(limit)), timeout
        )
        return self.world.pending_updates(limit)

    # Messages.
    def _new_message(
        self, chat_id: int | str, kind: str, params: dict[str, Any], **content: Any
    ) -> dict[str, Any]:
        markup = params.get("reply_markup")
        _check_markup(markup)
        chat = self.world.chat(chat_id)
        payload: dict[str, Any] = {
            "message_id": self.world.next_message_id(chat_id),
            "from": self.bot,
            "chat": chat,
            "date": objects.now(),
            **{key: value for key, value in content.items() if value is not None},
        }
        if markup and "inline_keyboard" in markup:
            payload["reply_markup"] = markup
        self.world.add_bot_message(
            BotMessage(
                chat_id=chat_id,
                message_id=payload["message_id"],
                kind=kind,
                text=content.get("text"),
                caption=content.get("caption"),
                reply_markup=markup,
                parse_mode=params.get("parse_mode"),
                payload=payload,
            )
        )
        return payload

    async def _send_message(self, params: dict[str, Any], files: Files) -> Any:
        chat_id = require(params, "chat_id")
        text = params.get("text")
        if not text or not str(text).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(str(text)) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._new_message(
            chat_id, "text", params, text=str(text), entities=params.get("entities")
        )

    def _find(self, params: dict[str, Any], verb: str) -> BotMessage:
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        message = self.world.bot_messages.get((chat_id, message_id))  # type: ignore[arg-type]
        if message is None or message.deleted:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        return message

    def _edited(self, message: BotMessage) -> dict[str, Any]:
        message.edits += 1
        payload = {**message.payload, "edit_date": objects.now()}
        payload.pop("reply_markup", None)
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            payload["reply_markup"] = message.reply_markup
        for key in ("text", "caption"):
            if getattr(message, key) is not None:
                payload[key] = getattr(message, key)
        message.payload = payload
        return payload

    async def _edit_message_text(self, params: dict[str, Any], files: Files) -> Any:
        if params.get("inline_message_id"):
            return True
        message = self._find(params, "edit")
        text = require(params, "text")
        if message.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = params.get("reply_markup")
        _check_markup(markup)
        if message.text == text and message.reply_markup == markup:
            raise ApiError(400, _NOT_MODIFIED)
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        message.text, message.reply_markup = str(text), markup
        message.parse_mode = params.get("parse_mode")
        return self._edited(message)

    async def _edit_message_caption(self, params: dict[str, Any], files: Files) -> Any:
        if params.get("inline_message_id"):
            return True
        message = self._find(params, "edit")
        if message.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        markup = params.get("reply_markup")
        if message.caption == params.get("caption") and message.reply_markup == markup:
            raise ApiError(400, _NOT_MODIFIED)
        message.caption, message.reply_markup = params.get("caption"), markup
        return self._edited(message)

    async def _edit_message_reply_markup(self, params: dict[str, Any], files: Files) -> Any:
        if params.get("inline_message_id"):
            return True
        message = self._find(params, "edit")
        markup = params.get("reply_markup")
        _check_markup(markup)
        if message.reply_markup == markup:
            raise ApiError(400, _NOT_MODIFIED)
        message.reply_markup = markup
        return self._edited(message)

    async def _delete_message(self, params: dict[str, Any], files: Files) -> Any:
        self._find(params, "delete").deleted = True
        return True

    async def _send_photo(self, params: dict[str, Any], files: Files) -> Any:
        chat_id = require(params, "chat_id")
        name, data, _ = _upload(params, files, "photo")
        payload = self._new_message(
            chat_id,
            "photo",
            params,
            caption=params.get("caption"),
            photo=objects.photo_sizes(f"{chat_id}:{name}:{len(data)}", len(data)),
        )
        self._attach(chat_id, payload, name, data)
        return payload

    async def _send_document(self, params: dict[str, Any], files: Files) -> Any:
        chat_id = require(params, "chat_id")
        name, data, mime = _upload(params, files, "document")
        doc = objects.document(f"{chat_id}:{name}:{len(data)}", name, mime, len(data))
        payload = self._new_message(
            chat_id, "document", params, caption=params.get("caption"), document=doc
        )
        self._attach(chat_id, payload, name, data)
        return payload

    def _attach(self, chat_id: int | str, payload: dict[str, Any], name: str, data: bytes) -> None:
        message = self.world.bot_messages[(chat_id, payload["message_id"])]
        message.filename, message.data = name, data

    async def _send_chat_action(self, params: dict[str, Any], files: Files) -> Any:
        require(params, "chat_id")
        require(params, "action")
        return True

    async def _leave_chat(self, params: dict[str, Any], files: Files) -> Any:
        chat_id = require(params, "chat_id")
        if self.world.chat(chat_id).get("type") == "private":
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        self.world.left_chats.add(chat_id)
        return True

    # Callback queries.
    async def _answer_callback_query(self, params: dict[str, Any], files: Files) -> Any:
        query_id = str(require(params, "callback_query_id"))
        query = self.world.callback_queries.pop(query_id, None)
        if query is None:  # unknown, or answered already
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        message = query.get("message") or {}
        self.world.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": params.get("text"),
                "show_alert": bool(params.get("show_alert", False)),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
                "chat_id": message.get("chat", {}).get("id"),
                "message_id": message.get("message_id"),
                "data": query.get("data"),
            }
        )
        return True

    # Commands, keyed by scope and language as Telegram keeps them.
    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    async def _set_my_commands(self, params: dict[str, Any], files: Files) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: commands is empty")
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))) or not (
                1 <= len(str(command.get("description", ""))) <= 256
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.world.commands_by_scope[self._scope_key(params)] = commands
        self.world.last_commands = commands
        return True

    async def _get_my_commands(self, params: dict[str, Any], files: Files) -> Any:
        return self.world.commands_by_scope.get(self._scope_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any], files: Files) -> Any:
        self.world.commands_by_scope.pop(self._scope_key(params), None)
        return True

    # Webhooks and session.
    async def _set_webhook(self, params: dict[str, Any], files: Files) -> Any:
        if params.get("drop_pending_updates"):
            self.world.updates.clear()
        url = params.get("url") or ""
        self.world.webhook = {key: value for key, value in params.items() if key != "url"}
        self.world.webhook["url"] = url
        if self.on_webhook is not None:
            await self.on_webhook(self.world.webhook)
        return True

    async def _delete_webhook(self, params: dict[str, Any], files: Files) -> Any:
        if params.get("drop_pending_updates"):
            self.world.updates.clear()
        self.world.webhook = {}
        if self.on_webhook is not None:
            await self.on_webhook(self.world.webhook)
        return True

    async def _get_webhook_info(self, params: dict[str, Any], files: Files) -> Any:
        hook = self.world.webhook
        info: dict[str, Any] = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        for key in ("max_connections", "allowed_updates", "ip_address", "last_error_date",
                    "last_error_message"):
            if hook.get(key) is not None:
                info[key] = hook[key]
        return info

    async def _close(self, params: dict[str, Any], files: Files) -> Any:
        return True

    async def _log_out(self, params: dict[str, Any], files: Files) -> Any:
        return True


def _check_markup(markup: Any) -> None:
    """Reject what Telegram rejects: callback_data must be 1-64 bytes."""
    if not markup:
        return
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def _upload(params: dict[str, Any], files: Files, field: str) -> tuple[str, bytes, str]:
    """The uploaded file for `field`; a file_id or URL string stands in as empty bytes."""
    if field in files:
        return files[field]
    value = require(params, field)
    return str(value).rsplit("/", 1)[-1] or field, b"", "application/octet-stream"
