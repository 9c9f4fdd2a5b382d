"""Benchmark: the engine benchmark's people on PostgreSQL, beside SQLite and memory.

A throwaway PostgreSQL 15 cluster (tests/pg_cluster.py: as the postgres user, loopback
only, fsync ON like a real server) is started for the run and removed after. The same
people talk to the shipped flows through each backend in turn, in one process; compare
the ratios, not the absolute figures (these machines are shared and noisy).

    .venv/bin/python -m bench.postgres --people 300
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bench.engine import row, run
from bot.storage.memory import MemoryStorage
from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SQLiteStorage
from tests.pg_cluster import start_cluster, stop_cluster


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--wins", type=int, default=4)
    parser.add_argument("--pool", type=int, default=10, help="PostgreSQL connections")
    args = parser.parse_args()
    cluster = await asyncio.to_thread(start_cluster, True)
    try:
        url = await asyncio.to_thread(cluster.new_database)
        postgres = await run(PostgresStorage(url, pool_size=args.pool), args.people, args.wins)
    finally:
        await asyncio.to_thread(stop_cluster, cluster)
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await run(SQLiteStorage(Path(folder) / "bench.db"), args.people, args.wins)
    memory = await run(MemoryStorage(), args.people, args.wins)
    header = ("store", "turns", "seconds", "turns/s", "p50 ms", "p99 ms", "mean ms")
    rows = [header, row("postgresql", *postgres), row("sqlite", *sqlite),
            row("memory (baseline)", *memory)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)))
    speed = {name: turns / seconds for name, (turns, seconds, _) in
             (("postgres", postgres), ("sqlite", sqlite), ("memory", memory))}
    print(f"\n{args.people} people interleaved; PostgreSQL throughput is "
          f"{speed['postgres'] / speed['sqlite']:.2f}x SQLite's and "
          f"{speed['postgres'] / speed['memory']:.2f}x the in-memory baseline in the same run "
          f"(pool of {args.pool} connections)")


if __name__ == "__main__":
    asyncio.run(main())
