"""The in-memory backend: the same behaviour as SQLite without durability, for fast
tests. Its own row types; it imports nothing of the SQLite folder."""

from bot.storage.memory.storage import MemoryStorage

__all__ = ["MemoryStorage"]
