"""Describe failures for logs without personal text or secrets.

An exception's message can carry what a person typed (a ValueError quoting its input)
or a token (a URL with the bot token in it). Logs get the exception's type and where
in our code it was raised, never its message.
"""

from __future__ import annotations

import logging
import re
import traceback
from pathlib import Path

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


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


class RedactTokens(logging.Filter):
    """Last line of defence: blank anything shaped like a bot token in any log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg = _TOKEN.sub("[token]", message)
            record.args = None
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, and the URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
