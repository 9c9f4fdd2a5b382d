"""Telegram settings, read from the merged environment (process environment and .env).

Every name here is listed in .env.example with a comment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import Settings

DEFAULT_SERVER = "https://api.telegram.org"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramSetupError(Exception):
    """Telegram cannot start; the message is one line for the operator, without the token."""


def _number(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = str(environ.get(name, "")).strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise TelegramSetupError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class TelegramOptions:
    """The checked Telegram settings the channel starts with: token, server, limits, webhook."""

    token: str
    server: str = DEFAULT_SERVER  # the Bot API server's root, without /bot<token>
    per_second: int = 30  # overall sends per second
    per_chat_burst: int = 3  # sends at once in a chat, then one a second (a token bucket)
    poll_timeout: int = 25
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443

    @property
    def base_url(self) -> str:
        """The Bot API root in the form PTB's ApplicationBuilder wants (it adds the token)."""
        return f"{self.server}/bot"

    @property
    def base_file_url(self) -> str:
        """The file download root in the form PTB's ApplicationBuilder wants."""
        return f"{self.server}/file/bot"

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramOptions:
        """Check the settings; TelegramSetupError says, in one line, what to fix."""
        token = settings.telegram_token
        if not token:
            raise TelegramSetupError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its "
                "token in .env as TELEGRAM_BOT_TOKEN=... (see .env.example)")
        server = (settings.telegram_api_base_url or DEFAULT_SERVER).rstrip("/")
        if server.endswith("/bot"):  # accept PTB's own form of the setting too
            server = server[: -len("/bot")]
        if settings.webhook_url:
            if not settings.webhook_secret or not _SECRET.fullmatch(settings.webhook_secret):
                raise TelegramSetupError(
                    "GOODHELP_WEBHOOK_SECRET must be set with GOODHELP_WEBHOOK_URL: 1-256 "
                    "characters from A-Z, a-z, 0-9, _ and -")
        env = settings.environ
        return cls(
            token=token,
            server=server,
            per_second=_number(env, "TELEGRAM_MAX_PER_SECOND", 30),
            per_chat_burst=_number(env, "TELEGRAM_PER_CHAT_BURST", 3),
            poll_timeout=_number(env, "TELEGRAM_POLL_TIMEOUT", 25),
            webhook_url=settings.webhook_url,
            webhook_secret=settings.webhook_secret,
            webhook_listen=settings.webhook_listen,
            webhook_port=settings.webhook_port,
        )
