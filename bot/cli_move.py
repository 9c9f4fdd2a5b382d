"""The ``goodhelp migrate-db`` subcommand: move an SQLite deployment to PostgreSQL.

``bot/cli.py`` adds this parser and calls :func:`run`; the copying is in
bot/storage/move.py, and exiting stays in the CLI.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

COMMAND = "migrate-db"


def add_parser(sub: Any) -> None:
    """Add ``migrate-db`` to the CLI's subparsers."""
    move = sub.add_parser(COMMAND, help="copy a stopped SQLite deployment into an empty "
                          "PostgreSQL database, in one transaction")
    move.add_argument("--to", required=True, metavar="URL",
                      help="the PostgreSQL database: postgresql://USER:PASSWORD@HOST/DB")
    move.add_argument("--db", type=Path, metavar="FILE",
                      help="the SQLite file to copy (default: GOODHELP_DB or ./goodhelp.db)")


def run(args: argparse.Namespace, database: Path | str) -> str:
    """Copy; the table of rows copied (a StorageError says why nothing was)."""
    from bot.storage.move import move

    # A URL here (GOODHELP_DB already set to PostgreSQL) is refused by move(), by name.
    source = Path(str(args.db if args.db is not None else database))
    result = asyncio.run(move(source, args.to.strip(), datetime.now(UTC)))
    return result.describe()
