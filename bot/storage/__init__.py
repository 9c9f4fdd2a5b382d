"""Storage: a small async interface, its SQLite implementation and an in-memory one."""

import logging

from bot.storage.base import (
    Storage,
    StorageCorrupt,
    StorageError,
    StorageLocked,
    StorageReadOnly,
    TurnWrite,
)

# aiosqlite logs every statement with its parameters at DEBUG, and the parameters are
# what people typed. Keep it quiet whatever level the rest of the logging runs at.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

__all__ = [
    "Storage",
    "StorageCorrupt",
    "StorageError",
    "StorageLocked",
    "StorageReadOnly",
    "TurnWrite",
]
