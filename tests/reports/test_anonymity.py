"""Small counts never shown, directly or by subtraction from a total."""

from __future__ import annotations

import asyncio
import random
import re
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.reports.anonymity import (
    FEWER,
    HIDDEN,
    Protected,
    Shown,
    share,
    show,
    suppress_grid,
    suppress_series,
)
from bot.reports.build import build_report
from bot.storage.memory import MemoryStorage
from bot.storage.memory.reports import MemoryReportSource
from bot.storage.reports import ReportScope
from tests.storage.test_reports_source import T0, seed_random

NUMBER = re.compile(r"^[\d,]+$")


def test_counts_as_shown() -> None:
    assert [show(n).text for n in (0, 1, 7, 8, 9, 12, 13, 1234)] == [
        "0", FEWER, FEWER, "10", "10", "10", "15", "1,235"]
    assert show(3).value is None and show(22).value == 20


def test_a_share_never_gives_a_small_count_away() -> None:
    assert share(10, 40) == "25%"
    assert share(3, 40) is None  # the part is small
    assert share(36, 40) is None  # the rest is small
    assert share(10, 15) is None  # too few to give a share
    assert share(0, 40) == "0%" and share(40, 40) == "100%"


def test_one_small_cell_beside_a_total_takes_another_with_it() -> None:
    cells, total = suppress_series([3, 40, 25])
    assert [c.text for c in cells] == [FEWER, "40", HIDDEN]
    assert total.text == "70"


def lines_of(grid: list[list[int]], protected: Protected
             ) -> list[tuple[Shown, list[tuple[int, int]]]]:
    rows = [(protected.row_totals[r], [(r, c) for c in range(len(grid[0]))])
            for r in range(len(grid))]
    columns = [(protected.column_totals[c], [(r, c) for r in range(len(grid))])
               for c in range(len(grid[0]))]
    return rows + columns


grids = st.integers(1, 6).flatmap(lambda w: st.lists(
    st.lists(st.integers(0, 30), min_size=w, max_size=w), min_size=1, max_size=8))


@given(grids)
def test_no_small_count_is_shown_or_can_be_worked_out(grid: list[list[int]]) -> None:
    protected = suppress_grid(grid)
    cells = protected.cells
    for row in cells:
        for cell in row:
            assert cell.value is None or cell.value == 0 or cell.value >= 10
            assert not (NUMBER.match(cell.text) and 0 < int(cell.text.replace(",", "")) < 8)
    for total, line in lines_of(grid, protected):
        hidden = [(r, c) for r, c in line if cells[r][c].hidden and grid[r][c] > 0]
        # One hidden cell beside a shown total could be worked out by subtraction; it is
        # safe only when the total itself is hidden.
        assert len(hidden) != 1 or total.hidden
        assert total.value is None or total.value == 0 or total.value >= 10


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 25), st.integers(0, 10_000))
def test_random_small_cohorts_never_show_a_small_count(people: int, seed: int) -> None:
    report = asyncio.run(_report(people, seed))
    for table in report.tables():
        for row in table.rows:
            for cell in row[1:]:
                if NUMBER.match(cell):
                    n = int(cell.replace(",", ""))
                    assert n == 0 or (n >= 10 and n % 5 == 0), (table.slug, row)
    for table in report.tables():
        if table.rows and table.rows[-1][0].startswith("All "):
            for column in range(1, len(table.columns)):
                total = table.rows[-1][column]
                if not NUMBER.match(total) or total == "0":
                    continue
                shown = [row[column] for row in table.rows[:-1]]
                assert sum(1 for c in shown if c in (FEWER, HIDDEN)) != 1, (table.slug, column)
    for chart in report.charts():
        for series in chart.series:
            for value in series.values:
                if value is not None and chart.unit != "%" and chart.slug in ("people",
                                                                             "checkins"):
                    assert value == 0 or value >= 10


async def _report(people: int, seed: int) -> object:
    memory = MemoryStorage()
    await memory.open()
    await seed_random(memory, random.Random(seed), people)
    return await build_report(MemoryReportSource(memory),
                              ReportScope(T0, T0 + timedelta(weeks=20)))
