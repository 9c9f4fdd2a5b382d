"""The PostgreSQL backend (asyncpg), chosen by GOODHELP_DB=postgresql://..."""

from bot.storage.postgres.storage import PostgresStorage

__all__ = ["PostgresStorage"]
