"""The SQLite backend (aiosqlite): WAL, group commit, the numbered migrations in
bot/storage/migrations/. Everything SQLite-specific lives in this folder."""

from bot.storage.sqlite.storage import SQLiteStorage

__all__ = ["SQLiteStorage"]
