"""``goodhelp migrate-db``: move a stopped SQLite deployment into an empty PostgreSQL one.

What is copied is named here, table by table, in an order where every row comes after
the rows it refers to; what is not copied is named with the reason. A table in the file
that is in neither list is refused, never silently left behind (and a test fails when a
migration adds one: tests/storage/test_migrate_db.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.storage.base import StorageError
from bot.storage.sqlite.snapshot import NOTHING, Snapshot, open_snapshot
from bot.storage.target import is_url

# Every table that holds deployment data, parents first.
TABLES = (
    "people",              # who they are to the channel; unreachable since
    "conversation_state",  # where each person is in a flow, and their answers
    "schedules",           # their check-in rhythm, times, pause
    "purposes",
    "achievements",        # wins
    "ratings",             # confidence ratings
    "events",              # anonymous engagement, for staff reports
    "scheduled_messages",  # check-ins and other planned messages
    "outbox",              # replies owed, not yet confirmed by Telegram
    "alerts",              # to staff, after the person's yes
    "deletions",           # anonymous weekly count of people who deleted themselves
    "invites",             # before roles, which name the invitation used
    "roles",
    "mentor_links",        # before relay_messages, which name their link
    "relay_messages",
    "mentor_stories",
)
# Tables of the SQLite file that are deliberately not copied, and why.
SKIPPED = {
    "schema_version": "PostgreSQL keeps its own: its migrations are numbered on their own "
                      "and are applied to the target before the copy",
}
# Tables only PostgreSQL has: nothing in SQLite to copy; the target's must be empty too.
POSTGRES_ONLY = {
    "updates": "incoming updates shared by several workers (a SQLite bot keeps none)",
}


@dataclass(frozen=True)
class MoveResult:
    """What was copied: counts only, never what anyone typed."""

    source: Path
    target: str  # the URL without its password
    source_version: int
    target_version: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def describe(self) -> str:
        """The table ``goodhelp migrate-db`` prints."""
        width = max(len(t) for t in [*self.counts, "total"])
        lines = [f"copied {self.source} (SQLite schema {self.source_version}) to "
                 f"{self.target} (PostgreSQL schema {self.target_version}) "
                 f"in {self.seconds:.1f} s, in one transaction:",
                 f"  {'table':<{width}}  {'rows':>9}"]
        lines += [f"  {t:<{width}}  {n:>9,}" for t, n in self.counts.items()]
        lines.append(f"  {'total':<{width}}  {sum(self.counts.values()):>9,}")
        lines.append("not copied: " + "; ".join(f"{t} ({why})" for t, why in SKIPPED.items()))
        return "\n".join(lines)


def unknown_tables(tables: Iterable[str]) -> list[str]:
    """Tables of a SQLite file that migrate-db neither copies nor names as skipped."""
    return sorted(t for t in tables if t not in TABLES and t not in SKIPPED)


async def move(source: Path, url: str, now: datetime) -> MoveResult:
    """Copy the SQLite file ``source`` into the empty PostgreSQL database ``url``; a
    StorageError (one line, ending in "nothing was copied") if it cannot."""
    if is_url(str(source)) or str(source).startswith(("postgresql:", "postgres:")):
        raise StorageError(f"migrate-db copies FROM an SQLite file: --db (or GOODHELP_DB) "
                           f"must name it, and --to the PostgreSQL database; {NOTHING}")
    if not is_url(url):
        raise StorageError(f"--to must be a postgresql:// URL, e.g. postgresql://goodhelp:"
                           f"PASSWORD@localhost:5432/goodhelp; {NOTHING}")
    try:
        from bot.storage.postgres.connection import where
        from bot.storage.postgres.copy import copy_into
    except ImportError as exc:
        raise StorageError("PostgreSQL needs the asyncpg driver; install it with: "
                           "pip install 'goodhelp[postgres]'") from exc
    started = time.monotonic()
    snapshot = open_snapshot(source)
    try:
        _check_tables(snapshot)
        try:
            version, counts = await copy_into(url, snapshot, TABLES, now)
        except StorageError as exc:
            if NOTHING in str(exc):
                raise
            raise type(exc)(f"{exc}; {NOTHING}") from exc
    finally:
        snapshot.close()
    return MoveResult(snapshot.path, where(url), snapshot.version, version, counts,
                      time.monotonic() - started)


def _check_tables(snapshot: Snapshot) -> None:
    unknown = unknown_tables(snapshot.tables)
    if unknown:
        raise StorageError(f"{snapshot.path} holds table {', '.join(unknown)}, which this "
                           f"goodhelp does not know how to move; {NOTHING}")
    missing = [t for t in TABLES if t not in snapshot.tables]
    if missing:
        raise StorageError(f"{snapshot.path} has no table {', '.join(missing)}, which "
                           f"every goodhelp database has; {NOTHING}")
