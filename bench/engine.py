"""Benchmark: many simulated people talking at once, with real SQLite persistence.

Each person runs the shipped onboarding, names a purpose and logs wins (31 turns with
the default four wins); all people are interleaved
on one event loop, as the Telegram channel runs them. The same script also runs against
the in-memory store in the same process, as a baseline, and the ratio is printed:
machines here are noisy, so compare the ratio, not the absolute figure.

    .venv/bin/python -m bench.engine --people 1000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import open_app
from bot.core.keys import PersonKey
from bot.engine.events import Command, Event, Text
from bot.storage.base import Storage
from bot.storage.memory import MemoryStorage
from bot.storage.sqlite import SQLiteStorage

FLOWS = Path(__file__).resolve().parent.parent / "flows"


def script(person: int, wins: int) -> list[Event]:
    """The shipped onboarding, a purpose, then wins each linked to it with a confidence."""
    events: list[Event] = [
        Command("start"), Text("1"),  # English
        Text("1"), Text(f"Person {person}"),  # consent, a name
        Text("1"), Text("1"),  # time zone, time of day
        Text("1"), Text("Get back into work"), Text("For my family"), Text("Update my CV"),
        Text("skip"), Text("skip"), Text("1"), Text("1"),  # purpose: theme Work, confirmed
        Text("2"),  # opportunities: not now
    ]
    for n in range(wins):
        events += [Command("win"), Text(f"Win number {n} for person {person}"),
                   Text("1"), Text(str(1 + n % 10))]  # part of the purpose; confidence
    return events


async def run(storage: Storage, people: int, wins: int) -> tuple[int, float, list[float]]:
    app = await open_app(FLOWS, storage, rng=random.Random(1))
    error = app.flows.messages["error"].for_language("en", "en")[0]
    latencies: list[float] = []

    async def person(number: int) -> None:
        key = PersonKey("bench", str(number))
        for event in script(number, wins):
            started = time.perf_counter()
            replies = await app.conversations.handle(key, event)
            latencies.append(time.perf_counter() - started)
            assert replies and replies[0].text != error, f"no proper reply to {event}"

    started = time.perf_counter()
    try:
        await asyncio.gather(*(person(n) for n in range(people)))
    finally:
        elapsed = time.perf_counter() - started
        await app.close()
    return len(latencies), elapsed, latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def row(name: str, turns: int, elapsed: float, latencies: list[float]) -> tuple[str, ...]:
    return (name, f"{turns}", f"{elapsed:.2f}", f"{turns / elapsed:,.0f}",
            f"{percentile(latencies, 0.5) * 1000:.1f}", f"{percentile(latencies, 0.99) * 1000:.1f}",
            f"{statistics.mean(latencies) * 1000:.1f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--wins", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await run(SQLiteStorage(Path(folder) / "bench.db"), args.people, args.wins)
    memory = await run(MemoryStorage(), args.people, args.wins)
    header = ("store", "turns", "seconds", "turns/s", "p50 ms", "p99 ms", "mean ms")
    rows = [header, row("sqlite", *sqlite), row("memory (baseline)", *memory)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)))
    ratio = (sqlite[0] / sqlite[1]) / (memory[0] / memory[1])
    print(f"\n{args.people} people interleaved; sqlite throughput is {ratio:.2f}x the in-memory "
          "baseline in the same run")


if __name__ == "__main__":
    asyncio.run(main())
