"""Benchmark: `goodhelp migrate-db` on a large SQLite file, against `goodhelp backup` of
the same file (the other whole-deployment copy an operator makes) as the baseline.

Builds the file as bench/backup.py does (N people, each with WINS wins and as many
events), starts a throwaway PostgreSQL 15 cluster with fsync on (tests/pg_cluster.py),
then times, in the same run: the backup to a new file, and the move into an empty
database (schema migrations, one transaction of binary COPY, counts checked, sequences
set). Prints the rows per second and the ratio.

    .venv/bin/python -m bench.migrate_db --people 20000 --wins 10
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from bench.backup import NOW, build, migrate
from bot.storage.move import move
from bot.storage.sqlite.backup import backup
from tests.pg_cluster import start_cluster, stop_cluster


def main() -> None:
    """Build, back up, move; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--wins", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="goodhelp-bench-move-"))
    db = folder / "goodhelp.db"
    asyncio.run(migrate(db))
    build(db, args.people, args.wins)
    cluster = start_cluster(durable=True)
    try:
        started = time.monotonic()
        backup(db, folder / "copy.db")
        backup_s = time.monotonic() - started
        result = asyncio.run(move(db, cluster.new_database(), NOW))
    finally:
        stop_cluster(cluster)
        shutil.rmtree(folder, ignore_errors=True)
    rows = sum(result.counts.values())
    size = db.stat().st_size / 1e6
    print(f"{args.people:,} people, {rows:,} rows, {size:.1f} MB SQLite file\n")
    print("| copy | seconds | rows/s |")
    print("|---|---|---|")
    print(f"| goodhelp backup (baseline) | {backup_s:.2f} | {rows / backup_s:,.0f} |")
    print(f"| goodhelp migrate-db | {result.seconds:.2f} | {rows / result.seconds:,.0f} |")
    print(f"\nmigrate-db took {result.seconds / backup_s:.1f}x as long as the backup")


if __name__ == "__main__":
    main()
