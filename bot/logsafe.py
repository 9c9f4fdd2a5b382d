"""Keep personal text, Telegram ids and secrets out of logs.

* ``describe``: an exception's message can carry what a person typed (a ValueError
  quoting its input) or a token (a URL with the bot token in it). Logs get the
  exception's type and where in our code it was raised, never its message.
* ``quiet_libraries``: at DEBUG, python-telegram-bot logs whole updates and Bot API
  payloads (texts, names, usernames, ids) and httpx logs URLs holding the token. Those
  loggers are held at WARNING whatever the root level.
* ``add_secret``: the configured token is blanked literally, whatever its shape, in every
  log record (a record factory, so handlers added by anyone else get clean records too),
  and anything token-shaped is blanked by the handler filter as well.
* ``chat_ref``: chats appear in logs as a keyed hash (HMAC) of the chat id. An unkeyed
  hash of a number is reversed by hashing every possible id; see ``load_log_key``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import traceback
from pathlib import Path

from bot.files import FILE_MODE, private_folder

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# Libraries whose DEBUG and INFO records carry payloads, URLs with the token, or both.
CHATTY_LOGGERS = ("telegram", "httpx", "httpcore", "hpack", "tornado", "aiohttp")
_secrets: set[str] = set()
_log_key: list[bytes] = [secrets.token_bytes(32)]  # until load_log_key: this process only


def describe(exc: BaseException) -> str:
    """``ValueError at bot/engine/steps.py:120 (answer_ask)`` and the chain of causes."""
    parts: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(parts) < 4:
        frames = traceback.extract_tb(current.__traceback__)
        ours = [f for f in frames if "/bot/" in f.filename.replace("\\", "/")] or frames
        where = ""
        if ours:
            frame = ours[-1]
            path = Path(frame.filename)
            short = "/".join(path.parts[-3:])
            where = f" at {short}:{frame.lineno} ({frame.name})"
        parts.append(f"{type(current).__name__}{where}")
        current = current.__cause__ or current.__context__
    return " <- ".join(parts)


def redact(text: str) -> str:
    """``text`` with every configured secret and anything token-shaped blanked."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "[token]")
    return _TOKEN.sub("[token]", text)


def add_secret(secret: str) -> None:
    """Blank ``secret`` literally in every log record from now on."""
    if secret and secret not in _secrets:
        _secrets.add(secret)
        _install_factory()


def _install_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "goodhelp_redacts", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact_record(record)
        return record

    factory.goodhelp_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep the record as it is
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None


class RedactTokens(logging.Filter):
    """Last line of defence on our handler: blank secrets and token shapes, tracebacks too."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Blank secrets in the message and traceback; never drops a record."""
        _redact_record(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def quiet_libraries() -> None:
    """Hold the payload-printing library loggers at WARNING, whatever the root level."""
    for name in CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.WARNING:
            logger.setLevel(logging.WARNING)


def chat_ref(chat_id: int | str | None) -> str:
    """A stable, short reference for logs that does not reveal the Telegram id."""
    return hmac.new(_log_key[0], str(chat_id).encode(), hashlib.sha256).hexdigest()[:10]


def load_log_key(configured: str | None, db_path: Path) -> bytes:
    """The key for ``chat_ref``: GOODHELP_LOG_KEY if set, else a random key kept beside
    the database (``<db>.logkey``, mode 0600), made on first run. Installed at once."""
    if configured:
        key = configured.encode()
    else:
        path = db_path.with_name(db_path.name + ".logkey")
        try:
            key = path.read_bytes().strip()
        except FileNotFoundError:
            key = secrets.token_hex(32).encode()
            private_folder(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         FILE_MODE)
            with os.fdopen(fd, "wb") as file:
                os.fchmod(fd, FILE_MODE)  # os.open's mode is filtered by the umask
                file.write(key + b"\n")
        # A secret, unlike the database: tightened even if it was copied in wider.
        os.chmod(path, FILE_MODE)
    _log_key[0] = key
    return key


def configure_logging(level: str = "INFO") -> None:
    """Set up logging once for the process: one handler that redacts, chatty libraries quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet_libraries()
