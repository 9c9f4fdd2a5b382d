"""Small numbers never shown: the rules every figure in a staff report goes through.

- a count of 1 to 7 is shown as "fewer than 8"; 0 is shown as 0;
- every other count is rounded to the nearest 5 (8 and 9 show as 10);
- complementary suppression: in any line of cells that has a total shown beside it, a
  single hidden cell could be worked out by subtraction, so a second cell is hidden too
  (the smallest one left), and that may cascade to the crossing lines;
- a share (a percentage) is shown only when its denominator is at least MIN_SHARE_BASE
  and neither its numerator nor the rest is a small count, so a percentage can never
  give a small count away either.

Only :class:`Shown` values leave this module; charts and CSV use their ``value`` (the
rounded figure, or None when hidden), never the true count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SMALL = 8  # counts below this (and above 0) are never shown
ROUND_TO = 5
MIN_SHARE_BASE = 20
FEWER = "fewer than 8"
HIDDEN = "hidden"  # hidden so that a small count cannot be worked out from the totals


@dataclass(frozen=True)
class Shown:
    """A count as the report shows it: ``text`` for people, ``value`` for charts (None
    when hidden)."""

    text: str
    value: int | None

    @property
    def hidden(self) -> bool:
        """Whether the true count is withheld, so a chart draws a gap instead."""
        return self.value is None


def is_small(n: int) -> bool:
    """Whether a count is too small to show (1 to 7); zero gives nothing away."""
    return 0 < n < SMALL


def rounded(n: int) -> int:
    """To the nearest ROUND_TO, halves up (a count is never negative)."""
    return (n + ROUND_TO // 2) // ROUND_TO * ROUND_TO


def show(n: int) -> Shown:
    """One count on its own."""
    if n == 0:
        return Shown("0", 0)
    if is_small(n):
        return Shown(FEWER, None)
    value = rounded(n)
    return Shown(f"{value:,}", value)


def share(part: int, whole: int, digits: int = 0) -> str | None:
    """``part`` of ``whole`` as a percentage, or None when it could reveal a small count."""
    if whole < MIN_SHARE_BASE or is_small(part) or is_small(whole - part):
        return None
    return f"{100 * part / whole:.{digits}f}%"


@dataclass(frozen=True)
class Protected:
    """A table of counts as shown, with the totals of its rows and columns as shown."""

    cells: list[list[Shown]]
    row_totals: list[Shown]
    column_totals: list[Shown]


def suppress_grid(grid: Sequence[Sequence[int]], row_totals: bool = True,
                  column_totals: bool = True,
                  also_hide: Sequence[Sequence[bool]] | None = None) -> Protected:
    """Show a table of counts whose rows and/or columns have their totals shown.

    Small cells are hidden; then, while any totalled line has exactly one hidden non-zero
    cell, the smallest other non-zero visible cell in that line is hidden as well (which
    may cascade to the crossing lines). A line left with one hidden cell and nothing to
    hide beside it has its total hidden instead. Cells that are 0 are never hidden: a
    known zero gives nothing away. ``also_hide`` marks cells to hide for a reason of the
    caller's (a part whose remainder is small). Only the totals asked for are protected;
    the others are still returned, unprotected, and must not be shown.
    """
    height = len(grid)
    width = max((len(row) for row in grid), default=0)
    hidden = [[is_small(n) or bool(also_hide and also_hide[r][c]) for c, n in enumerate(row)]
              for r, row in enumerate(grid)]
    lines: list[tuple[str, int, list[tuple[int, int]]]] = []
    if row_totals:
        lines += [("row", r, [(r, c) for c in range(len(row))]) for r, row in enumerate(grid)]
    if column_totals:
        lines += [("column", c, [(r, c) for r in range(height) if c < len(grid[r])])
                  for c in range(width)]
    changed = True
    while changed:
        changed = False
        for _, _, line in lines:
            secret = [(r, c) for r, c in line if hidden[r][c] and grid[r][c] > 0]
            if len(secret) != 1:
                continue
            partners = [(grid[r][c], r, c) for r, c in line
                        if not hidden[r][c] and grid[r][c] > 0]
            if partners:
                _, r, c = min(partners)
                hidden[r][c] = True
                changed = True
    hide_total = {(kind, i) for kind, i, line in lines
                  if sum(1 for r, c in line if hidden[r][c] and grid[r][c] > 0) == 1}
    rows = [_total(sum(row), ("row", r) in hide_total) for r, row in enumerate(grid)]
    columns = [_total(sum(grid[r][c] for r in range(height) if c < len(grid[r])),
                      ("column", c) in hide_total) for c in range(width)]
    cells = [[_cell(n, hide) for n, hide in zip(row, flags, strict=True)]
             for row, flags in zip(grid, hidden, strict=True)]
    return Protected(cells, rows, columns)


def _total(n: int, hide: bool) -> Shown:
    shown = show(n)
    return Shown(HIDDEN, None) if hide and not shown.hidden else shown


def _cell(n: int, hide: bool) -> Shown:
    if not hide:
        return show(n)
    return Shown(FEWER if is_small(n) else HIDDEN, None)


def suppress_series(counts: Sequence[int]) -> tuple[list[Shown], Shown]:
    """A column of counts (weeks, say) and its total, protected together."""
    protected = suppress_grid([[n] for n in counts], row_totals=False)
    return [row[0] for row in protected.cells], protected.column_totals[0] if counts else show(0)
