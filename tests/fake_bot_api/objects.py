"""Builders for Bot API JSON objects (User, Chat, Message parts, files).

They return plain dicts shaped as https://core.telegram.org/bots/api documents them, with
the fields python-telegram-bot 22 requires, so `Update.de_json` accepts every one.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any


def now() -> int:
    """Telegram dates are Unix seconds."""
    return int(time.time())


def bot_user(token: str) -> dict[str, Any]:
    """The bot's own User, as getMe returns it; its id is the token's numeric prefix."""
    prefix = token.split(":", 1)[0]
    return {
        "id": int(prefix) if prefix.isdigit() else 1,
        "is_bot": True,
        "first_name": "goodhelp test bot",
        "username": "goodhelp_test_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def person(
    user_id: int,
    first_name: str = "Alex",
    username: str | None = None,
    last_name: str | None = None,
    language_code: str | None = "en",
) -> dict[str, Any]:
    """A human User; optional fields are left out when None, as Telegram omits them."""
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    optional = {"last_name": last_name, "username": username, "language_code": language_code}
    user.update({key: value for key, value in optional.items() if value is not None})
    return user


def private_chat(user: dict[str, Any]) -> dict[str, Any]:
    """A private chat's id is the person's user id."""
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    for key in ("last_name", "username"):
        if key in user:
            chat[key] = user[key]
    return chat


def file_ids(seed: str) -> tuple[str, str]:
    """A stable (file_id, file_unique_id) pair derived from `seed`."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return "AgAC" + digest[:40], "AQAD" + digest[40:52]


def photo_sizes(seed: str, size: int = 0) -> list[dict[str, Any]]:
    """Telegram returns a photo as several sizes, smallest first."""
    sizes = []
    for width, height in ((90, 60), (320, 213), (800, 533)):
        file_id, unique_id = file_ids(f"{seed}:{width}")
        sizes.append(
            {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "width": width,
                "height": height,
                "file_size": size or width * height // 10,
            }
        )
    return sizes


def document(seed: str, file_name: str, mime_type: str, size: int) -> dict[str, Any]:
    file_id, unique_id = file_ids(seed)
    return {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": size,
    }


def sticker(seed: str, emoji: str = "👍") -> dict[str, Any]:
    file_id, unique_id = file_ids(seed)
    return {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
    }


def voice(seed: str, duration: int = 3) -> dict[str, Any]:
    file_id, unique_id = file_ids(seed)
    return {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": 4000 * duration,
    }


def command_entities(text: str) -> list[dict[str, Any]]:
    """A bot_command entity for a leading /command (with or without @botname)."""
    command = text.split(maxsplit=1)[0] if text else ""
    if not command.startswith("/"):
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]
