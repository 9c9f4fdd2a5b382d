"""Which backend a ``GOODHELP_DB`` or ``--db`` value names, and the storage for it.

A value starting with ``postgresql://`` or ``postgres://`` is a PostgreSQL server;
anything else is the path of a SQLite file. PostgreSQL needs the ``postgres`` extra
(asyncpg); without it the URL is refused with the command that installs it.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import Clock
from bot.storage.base import Storage, StorageError

Target = Path | str
URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(value: object) -> bool:
    """Whether ``value`` names a PostgreSQL server rather than a SQLite file."""
    return isinstance(value, str) and value.startswith(URL_SCHEMES)


def db_target(value: str) -> Target:
    """A ``--db`` or GOODHELP_DB value: the URL as given, or a path."""
    value = value.strip()
    return value if is_url(value) else Path(value)


def storage_for(target: Target, *, clock: Clock | None = None, migrate: bool = True,
                pool_size: int = 10) -> Storage:
    """The (unopened) storage ``target`` names. ``migrate`` False: PostgreSQL refuses a
    schema older than the code instead of migrating it at start. ``pool_size``: PostgreSQL
    connections (a worker's claim loops each hold one)."""
    if is_url(target):
        try:
            from bot.storage.postgres import PostgresStorage
        except ImportError as exc:
            raise StorageError("PostgreSQL needs the asyncpg driver; install it with: "
                               "pip install 'goodhelp[postgres]'") from exc
        return PostgresStorage(str(target), clock=clock, migrate=migrate,
                               pool_size=pool_size)
    from bot.storage.sqlite import SQLiteStorage

    return SQLiteStorage(Path(target), clock=clock)
