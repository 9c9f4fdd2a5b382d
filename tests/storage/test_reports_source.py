"""The report reader contract: SQLite (SQL aggregates) and memory (loops) agree, and the
figures mean what docs/reports.md says."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.keys import PersonKey
from bot.core.records import Achievement, FlowEvent, Rating, Record
from bot.core.state import ConversationState
from bot.storage.base import Storage, TurnWrite
from bot.storage.memory import MemoryStorage
from bot.storage.memory.reports import MemoryReportSource
from bot.storage.reports import MEASURES, ReportScope, ReportSource
from bot.storage.sqlite import SQLiteStorage
from bot.storage.sqlite.reports import SQLiteReportSource
from tests.pg_cluster import postgres_storage

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
SCOPE = ReportScope(T0, T0 + timedelta(weeks=20))


@dataclass
class Backend:
    storage: Storage
    source: ReportSource


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "postgres":
        postgres = postgres_storage(request, None)
        await postgres.open()
        yield Backend(postgres, postgres.report_source())
        await postgres.close()
        return
    if request.param == "memory":
        memory = MemoryStorage()
        await memory.open()
        yield Backend(memory, MemoryReportSource(memory))
        await memory.close()
        return
    storage = SQLiteStorage(tmp_path / "r.db", lock_timeout=0.2)
    await storage.open()
    source = SQLiteReportSource(tmp_path / "r.db")
    await source.open()
    try:
        yield Backend(storage, source)
    finally:
        await source.close()
        await storage.close()


async def turn(storage: Storage, key: PersonKey, at: datetime, records: list[Record],
               consent: str = "yes") -> None:
    state = ConversationState(vars={"consent": consent})
    await storage.commit_turn(TurnWrite(key, state, tuple(records), at))


def ev(name: str, flow: str, step: str, at: datetime) -> FlowEvent:
    return FlowEvent(name, flow, step, at)


async def test_the_figures_mean_what_the_docs_say(backend: Backend) -> None:
    s, key = backend.storage, PersonKey("telegram", "1")
    await turn(s, key, T0, [ev("step_reached", "start", "privacy", T0),
                            ev("step_answered", "start", "privacy", T0)])
    day = timedelta(days=1)
    for week in range(6):  # a scheduled check-in every week, answered, a rating each time
        at = T0 + timedelta(weeks=week) + day
        await turn(s, key, at, [ev("flow_started", "nudge", "open", at),
                                ev("variant_shown", "nudge", f"offer#{week % 2}", at),
                                ev("step_reached", "nudge", "offer", at),
                                ev("step_answered", "nudge", "offer", at + timedelta(hours=1)),
                                ev("variant_answered", "nudge", f"offer#{week % 2}",
                                   at + timedelta(hours=1)),
                                Rating(3 + week, at + timedelta(hours=1), "checkin")])
    await turn(s, key, T0 + 3 * day, [Achievement("a win", T0 + 3 * day)])
    await turn(s, key, T0 + 4 * day, [ev("flow_finished", "pause", "paused", T0 + 4 * day),
                                      ev("flow_started", "safety", "signpost", T0 + 4 * day),
                                      ev("story_shown", "story", "work", T0 + 4 * day)])
    declined = PersonKey("telegram", "2")
    await turn(s, declined, T0 + day, [], consent="declined")
    gone = PersonKey("telegram", "3")
    await turn(s, gone, T0 + 9 * day, [ev("step_answered", "win", "what", T0 + 9 * day)])
    assert await s.delete_person(gone)
    await turn(s, PersonKey("demo", "d1"), T0, [ev("step_answered", "win", "what", T0)])

    weekly = await backend.source.weekly(SCOPE)
    assert weekly["new"] == {"2026-01-05": 1}  # not the refusal, the deleted one or demo
    assert weekly["checkins_sent"] == {f"2026-{d}": 1 for d in
                                       ("01-05", "01-12", "01-19", "01-26", "02-02", "02-09")}
    assert weekly["checkins_answered"] == weekly["checkins_sent"]
    assert weekly["wins"] == {"2026-01-05": 1}
    assert weekly["pauses"] == weekly["signposts"] == {"2026-01-05": 1}
    assert weekly["optouts"] == {"2026-01-05": 1}
    assert weekly["deletions"] == {"2026-01-12": 1}  # survives the deletion itself
    cohorts = await backend.source.cohorts(SCOPE)
    assert [(c.week, c.joined, c.retained) for c in cohorts] == [
        ("2026-01-05", 1, {4: 1, 8: 0, 12: 0})]
    steps = {(x.flow, x.step): (x.views, x.answers) for x in await backend.source.steps(SCOPE)}
    assert steps == {("start", "privacy"): (1, 1), ("nudge", "offer"): (6, 6)}
    confidence = await backend.source.confidence(SCOPE)
    assert (confidence.pairs, confidence.rated, confidence.rated_twice) == ([(3, 8)], 1, 1)
    variants = await backend.source.variants(SCOPE)
    assert [(v.step, v.variant, v.shown, v.replied, v.won) for v in variants] == [
        ("offer", 0, 3, 3, 1), ("offer", 1, 3, 3, 0)]
    content = await backend.source.content(SCOPE)
    assert [(c.kind, c.theme, c.shown) for c in content] == [("story", "work", 1)]
    tenure = await backend.source.tenure(SCOPE)
    assert [(t.weeks, t.messages, t.people) for t in tenure] == [
        (k, 1, 1) for k in range(6)]
    assert await backend.source.people_counts() == (2, 1)
    demo = await backend.source.weekly(ReportScope(SCOPE.start, SCOPE.end, demo=True))
    assert demo["new"] == {"2026-01-05": 1} and demo["active"] == {"2026-01-05": 1}


async def seed_random(storage: Storage, rng: random.Random, people: int) -> None:
    flows = {"nudge": ["offer", "offer_changed"], "win": ["what", "how"], "start": ["privacy"],
             "relayed": ["matched", "to_person"]}
    for i in range(people):
        key = PersonKey("demo" if i % 9 == 0 else "telegram", str(i))
        joined = T0 + timedelta(hours=rng.randrange(24 * 7 * 14))
        consent = "declined" if rng.random() < 0.1 else "yes"
        await turn(storage, key, joined, [], consent)
        at = joined
        for _ in range(rng.randrange(12)):
            at += timedelta(hours=rng.randrange(1, 24 * 20))
            flow = rng.choice(list(flows))
            step = rng.choice(flows[flow])
            records: list[Record] = [ev("flow_started", flow, "x", at),
                                     ev("step_reached", flow, step, at),
                                     ev("flow_finished", flow, step, at),
                                     ev("variant_shown", flow, f"{step}#{rng.randrange(2)}", at)]
            if rng.random() < 0.6:
                records.append(ev("step_answered", flow, step, at + timedelta(minutes=5)))
                records.append(ev("variant_answered", flow, records[2].step,
                                  at + timedelta(minutes=5)))
            if rng.random() < 0.5:
                records.append(Rating(rng.randrange(1, 11), at, "checkin"))
            if rng.random() < 0.3:
                records.append(Achievement("w", at + timedelta(days=rng.randrange(9))))
            if rng.random() < 0.2:
                records.append(ev("opportunities_shown", "opportunities",
                                  rng.choice(["work", "health"]), at))
            await turn(storage, key, at, records, consent)
        if rng.random() < 0.1:
            await storage.delete_person(key)


def comparable(value: Any) -> Any:
    return sorted(value, key=repr) if isinstance(value, list) else value


async def test_sqlite_and_memory_agree_on_random_people(tmp_path: Path) -> None:
    memory = MemoryStorage()
    sqlite = SQLiteStorage(tmp_path / "a.db", lock_timeout=0.2)
    await memory.open()
    await sqlite.open()
    source = SQLiteReportSource(tmp_path / "a.db")
    await source.open()
    try:
        for storage in (memory, sqlite):
            await seed_random(storage, random.Random(7), 80)
        mine = MemoryReportSource(memory)
        for scope in (SCOPE, ReportScope(T0 + timedelta(weeks=3), T0 + timedelta(weeks=9)),
                      ReportScope(SCOPE.start, SCOPE.end, demo=True)):
            for name in ("weekly", "cohorts", "steps", "tenure", "content", "confidence",
                         "variants"):
                a = await getattr(mine, name)(scope)
                b = await getattr(source, name)(scope)
                if name == "confidence":
                    a, b = (sorted(a.pairs), a.rated, a.rated_twice), (
                        sorted(b.pairs), b.rated, b.rated_twice)
                assert comparable(a) == comparable(b), name
                assert a or scope.demo, f"{name}: nothing to compare"
                if name == "weekly" and not scope.demo:  # the seeded measures were compared
                    seeded = set(MEASURES) - {"pauses", "signposts"}
                    assert all(a[m] for m in seeded), [m for m in seeded if not a[m]]
        assert await mine.people_counts() == await source.people_counts()
    finally:
        await source.close()
        await sqlite.close()
        await memory.close()


async def test_the_report_reader_is_read_only_and_needs_no_lock(tmp_path: Path) -> None:
    storage = SQLiteStorage(tmp_path / "b.db", lock_timeout=0.2)
    await storage.open()  # the bot holds the file
    try:
        source = SQLiteReportSource(tmp_path / "b.db")
        await source.open()
        try:
            assert await source.people_counts() == (0, 0)
            await source.weekly(SCOPE)
        finally:
            await source.close()
    finally:
        await storage.close()


async def test_a_cohort_counts_only_its_own_people_in_both_backends(tmp_path: Path) -> None:
    memory = MemoryStorage()
    sqlite = SQLiteStorage(tmp_path / "c.db", lock_timeout=0.2)
    await memory.open()
    await sqlite.open()
    try:
        for storage in (memory, sqlite):
            await seed_random(storage, random.Random(11), 60)
    finally:
        await sqlite.close()
    # Who joined with which cohort, as the roles table (migration 0009) keeps it.
    conn = sqlite3.connect(tmp_path / "c.db")
    rows = conn.execute("SELECT id, external_id FROM people").fetchall()
    named = {int(ext): ("north" if int(ext) % 2 else "south") for _, ext in rows}
    conn.execute("CREATE TABLE IF NOT EXISTS roles (person_id INTEGER NOT NULL, role TEXT "
                 "NOT NULL, cohort TEXT, invite_id INTEGER, granted_at TEXT NOT NULL, "
                 "PRIMARY KEY (person_id, role))")
    conn.executemany("INSERT INTO roles VALUES (?, 'person', ?, NULL, '2026-01-01')",
                     [(pid, named[int(ext)]) for pid, ext in rows])
    conn.commit()
    conn.close()
    cohorts = {key: named[int(key.external_id)] for key in memory._people}
    source, mine = SQLiteReportSource(tmp_path / "c.db"), MemoryReportSource(memory, cohorts)
    await source.open()
    try:
        new = {}
        for cohort in (None, "north", "south"):
            scope = ReportScope(SCOPE.start, SCOPE.end, cohort=cohort)
            for name in ("weekly", "cohorts", "steps", "tenure", "variants"):
                assert comparable(await getattr(mine, name)(scope)) == comparable(
                    await getattr(source, name)(scope)), (cohort, name)
            new[cohort] = sum((await source.weekly(scope))["new"].values())
        assert new["north"] and new["south"]
        assert new["north"] + new["south"] == new[None]
        assert await source.cohort_names() == await mine.cohort_names() == ["north", "south"]
    finally:
        await source.close()
        await memory.close()


async def test_a_new_database_has_no_cohorts_yet(tmp_path: Path) -> None:
    storage = SQLiteStorage(tmp_path / "d.db", lock_timeout=0.2)
    await storage.open()
    await storage.close()
    source = SQLiteReportSource(tmp_path / "d.db")
    await source.open()
    try:
        assert await source.cohort_names() == []
    finally:
        await source.close()
