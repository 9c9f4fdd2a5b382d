"""``goodhelp demo-data`` on PostgreSQL: the same seed gives the same people, the same
conversations and so the same staff report as on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.demo import make_demo_data
from bot.reports.build import gather
from bot.storage.reports import ReportScope
from bot.storage.target import storage_for
from tests.conftest import FLOWS
from tests.test_cli import goodhelp

TODAY = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PEOPLE, DAYS = 12, 35


async def report_of(db: Path | str) -> object:
    storage = storage_for(db)
    await storage.open()
    source = storage.report_source()  # type: ignore[attr-defined]
    await source.open()
    try:
        assert await source.people_counts() == (0, PEOPLE)
        scope = ReportScope(TODAY - timedelta(days=DAYS + 7), TODAY + timedelta(days=1),
                            demo=True)
        return await gather(source, scope)
    finally:
        await source.close()
        await storage.close()


async def test_the_same_seed_gives_the_same_report_on_postgresql_as_on_sqlite(
        tmp_path: Path, pg_url: str) -> None:
    said = []
    for db in (tmp_path / "demo.db", pg_url):
        said.append(await make_demo_data(db, PEOPLE, DAYS, FLOWS, seed=4, today=TODAY))
    assert said[1].endswith("try: goodhelp report with the same --db")
    assert said[0].split(" written to ")[0] == said[1].split(" written to ")[0]
    sqlite_report, postgres_report = await report_of(tmp_path / "demo.db"), \
        await report_of(pg_url)
    assert sqlite_report == postgres_report


def test_demo_data_and_the_report_through_the_command(tmp_path: Path, pg_url: str) -> None:
    url = pg_url.replace("goodhelp@", "goodhelp:s3cret-pw@")
    made = goodhelp("demo-data", "--db", url, "--people", "4", "--days", "14", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "4 demo people over 14 days written to postgresql://goodhelp@" in made.stdout
    assert "s3cret-pw" not in made.stdout + made.stderr
    out = tmp_path / "report.html"
    shown = goodhelp("report", "--db", url, "--out", str(out), cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "demo people" in shown.stdout and out.stat().st_size > 1000
