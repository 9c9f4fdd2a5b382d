"""The ``goodhelp invite`` and ``goodhelp invites`` subcommands (parsers and bodies).

``goodhelp invite staff`` is how the first staff member is made: from the command line of
the computer that runs the bot, which only its operator can reach. ``bot/cli.py`` adds
these parsers and calls :func:`run`; exiting stays there.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.roles import ROLES, Invite
from bot.storage.target import db_target, is_url

COMMANDS = ("invite", "invites")
DB_HELP = "SQLite file or postgresql:// URL (default: GOODHELP_DB)"


def add_parsers(sub: Any) -> None:
    """Add ``invite`` and ``invites`` to the CLI's subparsers."""
    invite = sub.add_parser("invite", help="make an invitation link that gives a role "
                            "(mentor, staff or person)")
    invite.add_argument("role", choices=ROLES, help="the role the link gives")
    invite.add_argument("--cohort", metavar="NAME", help="the cohort people join with it")
    invite.add_argument("--uses", type=int, default=1, help="how many people may use it "
                        "(default: 1)")
    invite.add_argument("--expires", type=int, default=7, metavar="DAYS",
                        help="days until it stops working (default: 7)")
    invite.add_argument("--db", type=db_target, help=DB_HELP)
    invite.add_argument("--bot", metavar="USERNAME", help="the bot's Telegram username, for "
                        "the link (default: GOODHELP_BOT_USERNAME)")

    invites = sub.add_parser("invites", help="list invitation links, or withdraw one")
    invites.add_argument("--db", type=db_target, help=DB_HELP)
    invites.add_argument("--revoke", type=int, metavar="ID", help="withdraw invitation ID")


def run(args: argparse.Namespace, db_path: Path | str, environ: Mapping[str, str]) -> int:
    """Run one of COMMANDS; the exit code for the CLI."""
    if args.command == "invite":
        return asyncio.run(_invite(args, args.db or db_path, environ))
    return asyncio.run(_invites(args, args.db or db_path))


@asynccontextmanager
async def _opened(db: Path | str) -> AsyncIterator[Any]:
    """The role store for the database, for one command: PostgreSQL's pool is closed after."""
    if not is_url(db):
        yield await _store(Path(db))
        return
    from bot.storage.postgres import PostgresStorage

    storage = PostgresStorage(str(db), pool_size=1)
    await storage.open()  # migrates a new database, as SQLite's open does
    try:
        yield storage.role_store()
    finally:
        await storage.close()


async def _store(db: Path) -> Any:
    from bot.storage.roles_sqlite import SQLiteRoleStore

    if not await asyncio.to_thread(db.is_file):
        # A new deployment: make the database, so the first staff link can be made
        # before the bot has ever run.
        from bot.storage.sqlite import SQLiteStorage

        storage = SQLiteStorage(db)
        await storage.open()
        await storage.close()
    return SQLiteRoleStore(db)


async def _invite(args: argparse.Namespace, db: Path | str, environ: Mapping[str, str]) -> int:
    if args.uses < 1 or args.expires < 1:
        print("goodhelp: --uses and --expires need to be 1 or more", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    async with _opened(db) as store:
        invite, code = await store.create_invite(args.role, now,
                                                 now + timedelta(days=args.expires),
                                                 args.uses, args.cohort)
    username = (args.bot or environ.get("GOODHELP_BOT_USERNAME", "")).strip().lstrip("@")
    print(f"invitation #{invite.id}: {describe(invite, now)}")
    print(f"Telegram:  https://t.me/{username or '<your_bot_username>'}?start={code}")
    print(f"terminal:  /start {code}")
    print("The code is shown only now; goodhelp keeps only a hash of it.")
    return 0


async def _invites(args: argparse.Namespace, db: Path | str) -> int:
    async with _opened(db) as store:
        return await _list_or_revoke(args, store)


async def _list_or_revoke(args: argparse.Namespace, store: Any) -> int:
    now = datetime.now(UTC)
    if args.revoke is not None:
        if not await store.revoke_invite(args.revoke, now):
            print(f"goodhelp: no invitation {args.revoke} to withdraw", file=sys.stderr)
            return 1
        print(f"invitation #{args.revoke} withdrawn; it no longer works")
        return 0
    found = await store.invites()
    for invite in found:
        print(f"#{invite.id}  {describe(invite, now)}")
    print(f"{len(found)} invitation{'s' if len(found) != 1 else ''}"
          + ("; withdraw one with: goodhelp invites --revoke ID" if found else ""))
    return 0


def describe(invite: Invite, now: datetime) -> str:
    """One line about an invitation, for staff: never the code."""
    cohort = f", cohort {invite.cohort}" if invite.cohort else ""
    return (f"{invite.role}{cohort}, {invite.status(now)}, {invite.uses_left} "
            f"use{'s' if invite.uses_left != 1 else ''} left, "
            f"until {invite.expires_at.strftime('%Y-%m-%d %H:%M')} UTC")
