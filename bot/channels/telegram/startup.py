"""Starting python-telegram-bot's Application, shared by one process and shared mode."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.app import App
from bot.channels.telegram.options import TelegramSetupError
from bot.logsafe import describe

log = logging.getLogger(__name__)


async def initialize(application: Application[Any, Any, Any, Any, Any, Any], server: str
                     ) -> None:
    """Check the token (getMe); a rejected token or an unreachable server raises
    TelegramSetupError with one line fit to print (never the token)."""
    try:
        await application.initialize()
    except InvalidToken:
        raise TelegramSetupError(
            "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the token "
            "from @BotFather into .env again") from None
    except NetworkError as exc:
        raise TelegramSetupError(
            f"could not reach the Telegram Bot API at {server}: "
            f"{type(exc).__name__}") from None


async def set_commands(application: Application[Any, Any, Any, Any, Any, Any], app: App
                       ) -> None:
    """The menu from the flows' commands; a failure is logged and the bot carries on."""
    language = app.flows.default_language
    commands = [BotCommand(command, text.for_language(language, language)[0][:256])
                for command, text in app.flows.menu_commands()]
    try:
        await application.bot.set_my_commands(commands)
    except TelegramError as exc:
        log.warning("setMyCommands failed, carrying on without a menu: %s", describe(exc))
