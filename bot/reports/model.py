"""The report as data: tables of already-protected text, charts of already-protected
values, and the plain-language summary. HTML and CSV are two views of the same object,
so the page and the CSV can never disagree or leak differently."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Table:
    """One table: ``slug`` names its CSV file; every cell is display text already."""

    slug: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    labels: int = 1  # how many leading columns are words (left-aligned), not figures


@dataclass(frozen=True)
class Series:
    """One line or set of bars in a chart; a None value is drawn as a gap."""

    label: str
    values: tuple[float | None, ...]  # None: hidden or not yet known, drawn as a gap


@dataclass(frozen=True)
class Chart:
    """A chart drawn from protected values only (rounded counts, shares, ratios)."""

    slug: str
    title: str
    kind: str  # "bars" or "lines"
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    note: str = ""


@dataclass(frozen=True)
class Section:
    """One part of the report, with its own heading, introduction, tables and charts."""

    slug: str
    title: str
    intro: str
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Report:
    """The whole staff report, which the HTML page and the CSV files both render."""

    title: str
    start: date  # the first Monday
    end: date  # the last day covered
    weeks: int
    scope_note: str
    summary: tuple[str, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)
    demo: bool = False

    def tables(self) -> list[Table]:
        """Every table of every section, in page order, for the CSV files."""
        return [t for s in self.sections for t in s.tables]

    def charts(self) -> list[Chart]:
        """Every chart of every section, in page order, so their values can be checked at once."""
        return [c for s in self.sections for c in s.charts]
