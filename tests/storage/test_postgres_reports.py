"""PostgreSQL's report source agrees with the memory one (itself checked against SQLite in
test_reports_source.py) on random people, for every figure, scope and cohort."""

from __future__ import annotations

import random
from datetime import timedelta

from bot.core.keys import PersonKey
from bot.storage.memory import MemoryStorage
from bot.storage.memory.reports import MemoryReportSource
from bot.storage.postgres import PostgresStorage
from bot.storage.reports import ReportScope
from bot.storage.roles import role_store_for
from tests.storage.test_reports_source import SCOPE, T0, comparable, seed_random

FIGURES = ("weekly", "cohorts", "steps", "tenure", "content", "confidence", "variants")


def _same(name: str, a: object, b: object) -> bool:
    if name == "confidence":
        a = (sorted(a.pairs), a.rated, a.rated_twice)  # type: ignore[attr-defined]
        b = (sorted(b.pairs), b.rated, b.rated_twice)  # type: ignore[attr-defined]
    return bool(comparable(a) == comparable(b))


async def test_postgres_and_memory_agree_on_random_people(pg_migrated_url: str) -> None:
    memory, postgres = MemoryStorage(), PostgresStorage(pg_migrated_url)
    await memory.open()
    await postgres.open()
    try:
        for storage in (memory, postgres):
            await seed_random(storage, random.Random(7), 80)
        cohorts = {key: "north" if int(key.external_id) % 2 else "south"
                   for key in memory._people}
        roles = role_store_for(postgres)
        for key, cohort in cohorts.items():
            await roles.grant(PersonKey(key.channel, key.external_id), "person", T0, cohort)
        mine, theirs = MemoryReportSource(memory, cohorts), postgres.report_source()
        await theirs.open()
        scopes = [SCOPE, ReportScope(T0 + timedelta(weeks=3), T0 + timedelta(weeks=9)),
                  ReportScope(SCOPE.start, SCOPE.end, demo=True),
                  ReportScope(SCOPE.start, SCOPE.end, cohort="north")]
        for scope in scopes:
            for name in FIGURES:
                a = await getattr(mine, name)(scope)
                b = await getattr(theirs, name)(scope)
                assert _same(name, a, b), (scope, name, a, b)
                assert a or scope.demo, f"{name}: nothing to compare"
        assert await mine.people_counts() == await theirs.people_counts()
        assert await theirs.cohort_names() == ["north", "south"]
        await theirs.close()
    finally:
        await postgres.close()
        await memory.close()
