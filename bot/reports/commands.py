"""The ``goodhelp report`` and ``goodhelp demo-data`` subcommands (parsers and bodies).

``bot/cli.py`` adds these to its parser and calls :func:`run`; exiting stays there.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.reports.build import NoCohorts, gather, scope_for
from bot.reports.page import write_csv, write_html
from bot.reports.weeks import window
from bot.storage.target import db_target, is_url

COMMANDS = ("report", "demo-data")


def add_parsers(sub: Any) -> None:
    """Add ``report`` and ``demo-data`` to the CLI's subparsers."""
    report = sub.add_parser("report", help="write the anonymous staff report: one "
                            "self-contained HTML page (and CSV files with --csv)")
    report.add_argument("--db", type=db_target,
                        help="SQLite file or postgresql:// URL (default: GOODHELP_DB)")
    report.add_argument("--out", type=Path, default=Path("report.html"),
                        help="HTML page to write (default: report.html)")
    report.add_argument("--csv", type=Path, metavar="DIR",
                        help="also write every table as CSV into this folder")
    report.add_argument("--from", dest="start", type=date.fromisoformat, metavar="DATE",
                        help="first day (YYYY-MM-DD; its whole week is included; "
                        "default: 26 weeks before --to)")
    report.add_argument("--to", dest="end", type=date.fromisoformat, metavar="DATE",
                        help="last day (YYYY-MM-DD; its whole week is included; "
                        "default: today)")
    report.add_argument("--cohort", metavar="NAME",
                        help="only the people who joined with this cohort (from their invitation); "
                        "'demo': the people made by demo-data")

    demo = sub.add_parser("demo-data", help="fill a database with synthetic people who talk "
                          "to the real bot on a virtual clock, to try the report")
    demo.add_argument("--db", type=db_target, required=True,
                      help="SQLite file or postgresql:// URL to fill")
    demo.add_argument("--people", type=int, default=60, help="how many (default: 60)")
    demo.add_argument("--days", type=int, default=120, help="days of history (default: 120)")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    demo.add_argument("--flows", type=Path, help="flows folder (default: the shipped flows)")
    demo.add_argument("--mix", action="store_true",
                      help="allow adding demo people to a database that has real people")


def run(args: argparse.Namespace, db_path: Path | str, flows_path: Path) -> int:
    """Run ``report``; the exit code for the CLI. ``demo-data`` runs the real bot, so its
    body is in bot/demo.py (reports import nothing that assembles the bot)."""
    return asyncio.run(_report(args, args.db or db_path))


async def _report(args: argparse.Namespace, db: Path | str) -> int:
    if is_url(db):
        from bot.storage.postgres import PostgresStorage

        storage = PostgresStorage(str(db), pool_size=2)
        await storage.open()
        try:
            return await _write_report(args, storage.report_source())
        finally:
            await storage.close()
    from bot.storage.sqlite.reports import SQLiteReportSource

    return await _write_report(args, SQLiteReportSource(Path(db)))


async def _write_report(args: argparse.Namespace, source: Any) -> int:
    try:
        start, end = window(args.start, args.end, datetime.now(UTC).date())
    except ValueError as exc:
        print(f"goodhelp: {exc}", file=sys.stderr)
        return 2
    await source.open()
    try:
        try:
            scope = scope_for(start, end, args.cohort, await source.people_counts(),
                              await source.cohort_names())
        except NoCohorts as exc:
            print(f"goodhelp: {exc}", file=sys.stderr)
            return 2
        report, _ = await gather(source, scope)
    finally:
        await source.close()
    write_html(report, args.out)
    print(f"report written to {args.out} ({report.weeks} weeks"
          f"{', demo people' if scope.demo else ''})")
    if args.csv:
        written = write_csv(report, args.csv)
        print(f"{len(written)} CSV files written to {args.csv}")
    return 0
