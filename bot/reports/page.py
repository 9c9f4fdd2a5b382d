"""The report as one self-contained HTML page, and the same tables as CSV files.

The page has no scripts and fetches nothing: styles are inline, charts are inline SVG,
fonts are the reader's own. It prints on A4 with each section kept together.
"""

from __future__ import annotations

import csv
from html import escape
from pathlib import Path

from bot.reports import svg
from bot.reports.model import Report, Section, Table

STYLE = """
@page { size: A4; margin: 16mm 14mm; }
:root { --ink: #24303a; --muted: #5b6b7a; --line: #dfe4e8; --accent: #2f6f73;
        --soft: #f4f7f7; }
* { box-sizing: border-box; }
body { margin: 0; background: #fbfcfc; color: var(--ink);
       font: 15px/1.5 "Segoe UI", "Helvetica Neue", Helvetica, Arial, sans-serif; }
main { max-width: 760px; margin: 0 auto; padding: 32px 24px 48px; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 12px; margin-bottom: 20px; }
h1 { font-size: 24px; margin: 0 0 4px; font-weight: 600; }
h2 { font-size: 18px; margin: 28px 0 6px; color: var(--accent); font-weight: 600; }
h3 { font-size: 15px; margin: 16px 0 6px; font-weight: 600; }
p.meta, p.note, p.intro { color: var(--muted); margin: 4px 0 10px; }
p.note { font-size: 13px; }
.demo { display: inline-block; background: #fff4d6; border: 1px solid #e6cf85;
        padding: 2px 10px; border-radius: 12px; font-size: 13px; margin-top: 6px; }
.summary { background: var(--soft); border-left: 4px solid var(--accent);
           padding: 10px 18px; margin: 0 0 8px; }
.summary li { margin: 4px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 4px; font-size: 13.5px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right;
         vertical-align: top; }
th.w, td.w { text-align: left; }
th { font-weight: 600; color: var(--muted); border-bottom: 2px solid var(--line); }
tr:last-child td { font-weight: 600; }
table.plain tr:last-child td { font-weight: normal; }
svg.chart { width: 100%; height: auto; display: block; margin: 8px 0 2px;
            background: #fff; border: 1px solid var(--line); border-radius: 4px; }
svg .tick { font: 11px "Segoe UI", Helvetica, Arial, sans-serif; fill: #5b6b7a; }
svg .legend { font: 12px "Segoe UI", Helvetica, Arial, sans-serif; fill: #3b4650; }
section { break-inside: avoid-page; }
footer { margin-top: 32px; color: var(--muted); font-size: 12.5px;
         border-top: 1px solid var(--line); padding-top: 10px; }
@media print { body { background: #fff; font-size: 12.5px; } main { padding: 0; }
               h2 { break-after: avoid; } svg.chart { border: none; } }
"""

RULES = ("How to read these figures: counts from 1 to 7 are shown as \"fewer than 8\"; "
         "other counts are rounded to the nearest 5, so totals may not add up exactly; "
         "where a small count could be worked out from a total, another cell is hidden too. "
         "Dates are shown by week only. No names, ids or words people typed are in this "
         "report. docs/reports.md explains every figure and its limits.")


def html_page(report: Report) -> str:
    """The whole page as one string."""
    demo = ('<p class="demo">Demo data: synthetic people, not a real programme</p>'
            if report.demo else "")
    summary = "".join(f"<li>{escape(line)}</li>" for line in report.summary)
    body = "".join(_section(s) for s in report.sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(report.title)}</title><style>{STYLE}</style></head><body><main>"
        f"<header><h1>{escape(report.title)}</h1>"
        f"<p class=\"meta\">Weeks from {report.start:%d %B %Y} to {report.end:%d %B %Y}"
        f" ({report.weeks} weeks)</p>{demo}</header>"
        f"<section id=\"summary\"><h2>In one minute</h2><ul class=\"summary\">{summary}</ul>"
        f"<p class=\"note\">{escape(report.scope_note)}</p></section>"
        f"{body}<footer>{escape(RULES)}</footer></main></body></html>\n"
    )


def _section(section: Section) -> str:
    charts = "".join(svg.render(c) + (f'<p class="note">{escape(c.note)}</p>' if c.note else "")
                     for c in section.charts)
    tables = "".join(_table(t) for t in section.tables)
    return (f'<section id="{escape(section.slug)}"><h2>{escape(section.title)}</h2>'
            f'<p class="intro">{escape(section.intro)}</p>{charts}{tables}</section>')


def _table(table: Table) -> str:
    if not table.rows:
        return (f"<h3>{escape(table.title)}</h3><p class=\"note\">Nothing recorded in this "
                "period.</p>")
    def cell(tag: str, i: int, text: str) -> str:
        words = ' class="w"' if i < table.labels else ""
        return f"<{tag}{words}>{escape(text)}</{tag}>"

    head = "".join(cell("th", i, c) for i, c in enumerate(table.columns))
    rows = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>"
                   for row in table.rows)
    plain = "" if table.rows[-1][0].startswith("All ") else ' class="plain"'
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (f"<h3>{escape(table.title)}</h3><table{plain}><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>{note}")


def write_html(report: Report, path: Path) -> None:
    """Save the report as one self-contained HTML file at ``path``."""
    path.write_text(html_page(report), encoding="utf-8")


def write_csv(report: Report, folder: Path) -> list[Path]:
    """One CSV per table (same protected text as the page), plus summary.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in [Table("summary", "Summary", ("Summary",),
                        tuple((line,) for line in report.summary)), *report.tables()]:
        path = folder / f"{table.slug}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
        written.append(path)
    return written
