"""Storage: a small async interface, its SQLite implementation and an in-memory one."""

from bot.storage.base import (
    PersonKey,
    Storage,
    StorageCorrupt,
    StorageError,
    StorageLocked,
    StorageReadOnly,
    TurnWrite,
)

__all__ = [
    "PersonKey",
    "Storage",
    "StorageCorrupt",
    "StorageError",
    "StorageLocked",
    "StorageReadOnly",
    "TurnWrite",
]
