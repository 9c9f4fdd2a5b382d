"""The faster report SQL gives exactly the figures, and so exactly the tables, that the SQL
before it gave (kept in tests/reports/reference_sql.py), on people who talked to the real
bot (the demo driver) and on the benchmark's year of synthetic history."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.report import START, build, migrate
from bot.reports.build import gather
from bot.storage.reports import ReportScope, ReportSource
from bot.storage.sqlite.reports import SQLiteReportSource
from tests.reports.reference_sql import ReferenceReportSource

METHODS = ("weekly", "cohorts", "steps", "tenure", "content", "confidence", "variants")
DEMO_SCOPES = (  # the canary database's 42 days end on 1 June 2026
    ReportScope(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 6, 8, tzinfo=UTC)),
    ReportScope(datetime(2026, 5, 4, tzinfo=UTC), datetime(2026, 5, 25, tzinfo=UTC)),
    ReportScope(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 6, 8, tzinfo=UTC), demo=True),
)
BENCH_SCOPES = (ReportScope(START, START + timedelta(weeks=30)),
                ReportScope(START + timedelta(weeks=6), START + timedelta(weeks=19)))


@pytest.fixture(scope="module")
def bench_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("bench") / "bench.db"
    asyncio.run(migrate(db))
    build(db, people=600, weeks=30)
    return db


async def figures(source: ReportSource, scope: ReportScope) -> dict[str, object]:
    await source.open()
    try:
        found: dict[str, object] = {m: await getattr(source, m)(scope) for m in METHODS}
        report, head = await gather(source, scope)
        found["tables"] = report.tables()
        found["charts"] = report.charts()
        found["summary"] = (report.summary, head)
        return found
    finally:
        await source.close()


async def same(db: Path, scope: ReportScope) -> None:
    faster = await figures(SQLiteReportSource(db), scope)
    before = await figures(ReferenceReportSource(db), scope)
    for name in before:
        assert faster[name] == before[name], name


@pytest.mark.parametrize("scope", DEMO_SCOPES, ids=("window", "three-weeks", "demo-people"))
async def test_the_same_figures_on_people_who_talked_to_the_bot(canary_db: Path,
                                                                 scope: ReportScope) -> None:
    await same(canary_db, scope)


@pytest.mark.parametrize("scope", BENCH_SCOPES, ids=("thirty-weeks", "middle"))
async def test_the_same_figures_on_the_benchmark_history(bench_db: Path,
                                                          scope: ReportScope) -> None:
    await same(bench_db, scope)
