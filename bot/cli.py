"""The ``goodhelp`` command. The only place that exits the process."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings
from bot.engine.loader import InvalidFlows
from bot.logsafe import configure_logging
from bot.storage.base import StorageError
from bot.storage.target import db_target, is_url, storage_for

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
ROLES = ("all", "ingress", "worker")
DB_HELP = "SQLite file or postgresql:// URL (default: GOODHELP_DB or ./goodhelp.db)"


def build_parser() -> argparse.ArgumentParser:
    """The ``goodhelp`` command line: its subcommands and their options."""
    parser = argparse.ArgumentParser(
        prog="goodhelp",
        description="goodhelp: a peer-support bot that helps people name their purpose, "
        "log small wins and build confidence.",
    )
    parser.add_argument("--env-file", type=Path, default=Path(".env"),
                        help="settings file to read (default: .env)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    chat = sub.add_parser("chat", help="chat with the bot in this terminal (no token needed)")
    chat.add_argument("--db", type=db_target,
                      help=DB_HELP)
    chat.add_argument("--flows", type=Path, help="flows folder (default: the shipped flows)")
    chat.add_argument("--as", dest="person", default="me",
                      help="the person you are playing (default: me); :as NAME switches")
    chat.add_argument("--locale", default="",
                      help="the app language a Telegram person's /start carries, e.g. cy or ur")

    validate = sub.add_parser("validate", help="check flow files; print file:line: problem")
    validate.add_argument("path", nargs="?", type=Path, help="flows folder")

    test_flows = sub.add_parser("test-flows", help="run scripted conversation tests")
    test_flows.add_argument("path", nargs="?", type=Path,
                            help="a test file or folder (default: FLOWS/tests)")
    test_flows.add_argument("--flows", type=Path, help="flows folder")

    run = sub.add_parser("run", help="run the bot on Telegram (token from TELEGRAM_BOT_TOKEN)")
    run.add_argument("--db", type=db_target,
                     help=DB_HELP)
    run.add_argument("--flows", type=Path, help="flows folder (default: the shipped flows)")
    run.add_argument("--role", choices=ROLES, default=None,
                     help="PostgreSQL with several processes: ingress (takes the webhook), "
                     "worker (runs turns and check-ins; one of them sends) or all (both; "
                     "the default). Default: GOODHELP_ROLE or all")

    alerts = sub.add_parser("alerts", help="list open alerts to staff (people who asked for "
                            "someone from the programme to get in touch)")
    alerts.add_argument("--db", type=db_target,
                        help=DB_HELP)
    alerts.add_argument("--done", type=int, metavar="ID", help="mark alert ID as handled")

    backup = sub.add_parser("backup", help="copy the database to FILE while the bot runs, "
                            "and check the copy")
    backup.add_argument("file", type=Path, metavar="FILE", help="the backup file to write")
    backup.add_argument("--db", type=Path,
                        help="SQLite file to copy (default: GOODHELP_DB or ./goodhelp.db)")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.add_argument("--wait", type=float, default=10.0, metavar="SECONDS",
                        help="how long to wait for another process's lock (default: 10)")
    migrate = sub.add_parser("migrate", help="bring the database's schema up to date and "
                             "exit (for GOODHELP_DB_MIGRATE=manual)")
    migrate.add_argument("--db", type=db_target,
                         help=DB_HELP)

    simulate = sub.add_parser("simulate", help="run synthetic people through 90 days of the "
                              "step-down policy; write a chart and print a table")
    simulate.add_argument("--flows", type=Path, help="flows folder (for config/policy.yaml)")
    simulate.add_argument("--out", type=Path, default=Path("simulation.png"),
                          help="PNG chart to write (default: simulation.png)")
    simulate.add_argument("--days", type=int, default=90, help="days to simulate (default: 90)")
    from bot.reports import commands as report_commands

    report_commands.add_parsers(sub)
    from bot import cli_invites, cli_move

    cli_invites.add_parsers(sub)
    cli_move.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, environ: dict[str, str] | None = None) -> int:
    """Run one ``goodhelp`` subcommand; the exit code (the only place that exits)."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load(os.environ if environ is None else environ, args.env_file)
    except ConfigError as exc:
        print(f"goodhelp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level)
    try:
        if args.command == "validate":
            return cmd_validate(args.path or settings.flows_path)
        if args.command == "test-flows":
            return asyncio.run(cmd_test_flows(args, settings))
        if args.command == "chat":
            return asyncio.run(cmd_chat(args, settings))
        if args.command == "simulate":
            return cmd_simulate(args, settings)
        if args.command == "alerts":
            return asyncio.run(cmd_alerts(args, settings))
        if args.command == "run":
            return cmd_run(args, settings)
        if args.command == "backup":
            return cmd_backup(args, settings)
        if args.command == "migrate":
            return asyncio.run(cmd_migrate(args, settings))
        if args.command == "migrate-db":
            from bot import cli_move

            print(cli_move.run(args, settings.database))
            return EXIT_OK
        if args.command == "demo-data":
            from bot import demo

            return demo.run(args, settings.flows_path)
        from bot import cli_invites
        from bot.reports import commands as report_commands

        if args.command in cli_invites.COMMANDS:
            return cli_invites.run(args, settings.database, settings.environ)
        if args.command in report_commands.COMMANDS:
            return report_commands.run(args, settings.database, settings.flows_path)
    except InvalidFlows as exc:
        print_problems(exc)
        return EXIT_FAILED
    except StorageError as exc:
        print(f"goodhelp: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_USAGE


def print_problems(exc: InvalidFlows) -> None:
    """List every flow problem on stderr as file:line, then how many."""
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    count = len(exc.problems)
    print(f"goodhelp: {count} problem{'s' if count != 1 else ''} in the flows; "
          "nothing was started", file=sys.stderr)


def cmd_validate(path: Path) -> int:
    """``goodhelp validate``: check the flows and crisis data; 0 when all valid."""
    from bot.app import load_checked_detector, load_checked_flows

    flows = load_checked_flows(path)
    crisis = load_checked_detector(path, flows)
    detection = (" and crisis detection data" if crisis is not None and crisis.patterns
                 is not None else "")
    print(f"{path}: {len(flows.flows)} flows{detection}, all valid")
    return EXIT_OK


async def cmd_test_flows(args: argparse.Namespace, settings: Settings) -> int:
    """``goodhelp test``: run the YAML conversation tests against the flows."""
    from bot.testing.runner import run_case
    from bot.testing.script import ScriptError, load_cases

    flows = args.flows or settings.flows_path
    target = args.path or flows / "tests"
    try:
        cases = load_cases(target)
    except ScriptError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_FAILED
    failures = 0
    for case in cases:
        failure = await run_case(case, flows)
        if failure is None:
            print(f"ok    {case.id}")
        else:
            failures += 1
            print(f"FAIL  {failure}")
    print(f"{len(cases) - failures} passed, {failures} failed")
    return EXIT_OK if failures == 0 and cases else EXIT_FAILED


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """``goodhelp run``: the Telegram bot on its database, until it is stopped."""
    from dataclasses import replace

    from bot.app import App, open_app
    from bot.channels.telegram.app import run_telegram
    from bot.channels.telegram.options import TelegramSetupError
    # Opt in to PTB's timedelta periods, which silences its deprecation warning on 429s.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    target = args.db or settings.database
    settings = replace(settings, db_path=settings.db_path if is_url(target) else Path(target),
                       flows_path=args.flows or settings.flows_path)
    try:
        shared = shared_mode(args, settings, target)
    except ValueError as exc:
        print(f"goodhelp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    pool = shared.concurrency + 8 if shared is not None else 10

    async def open_storage_app() -> App:
        return await open_app(settings.flows_path,
                              storage_for(target, migrate=settings.db_migrate,
                                          pool_size=pool))

    try:
        asyncio.run(run_telegram(settings, open_storage_app, shared=shared))
    except TelegramSetupError as exc:
        print(f"goodhelp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def shared_mode(args: argparse.Namespace, settings: Settings, target: Any) -> Any:
    """Shared mode (several processes on one PostgreSQL database) if asked for: a
    webhook or an explicit role on PostgreSQL. None: one process. ValueError: refused."""
    import socket

    role = args.role or settings.environ.get("GOODHELP_ROLE", "").strip().lower() or None
    if role is not None and role not in ROLES:
        raise ValueError(f"GOODHELP_ROLE must be one of {', '.join(ROLES)}, not {role!r}")
    if not is_url(target):
        if role in ("ingress", "worker"):
            raise ValueError(f"--role {role} needs PostgreSQL (GOODHELP_DB=postgresql://...); "
                             "a SQLite database is served by one process: run goodhelp run "
                             "without --role")
        return None
    if role is None and not settings.webhook_url:
        return None  # long polling: the single process of today
    role = role or "all"
    if role in ("all", "ingress") and not settings.webhook_url:
        raise ValueError(f"--role {role} takes Telegram's webhook: set GOODHELP_WEBHOOK_URL "
                         "(and GOODHELP_WEBHOOK_SECRET), or run this process as --role worker")
    raw = settings.environ.get("GOODHELP_WORKER_CONCURRENCY", "").strip() or "8"
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise ValueError(f"GOODHELP_WORKER_CONCURRENCY must be a whole number from 1 to 256, "
                         f"not {raw!r}")
    name = (settings.environ.get("GOODHELP_WORKER_NAME", "").strip()
            or f"{socket.gethostname()}:{os.getpid()}")
    from bot.channels.telegram.ports import SharedStore
    from bot.channels.telegram.shared import SharedMode

    def parts(app: Any) -> SharedStore:
        storage = app.storage  # a PostgresStorage
        return SharedStore(inbox=storage.updates(), sender_lock=storage.sender_lock(),
                           owe=storage.outbox.owe, person_scope=storage.person_transaction)

    return SharedMode(role=role, worker_name=name, concurrency=int(raw), parts=parts)


async def cmd_alerts(args: argparse.Namespace, settings: Settings) -> int:
    """``goodhelp alerts``: list open staff alerts, or mark one handled."""
    from datetime import UTC, datetime

    from bot.storage.sqlite import alerts as sqlite_alerts

    path = args.db or settings.database
    store: Any = sqlite_alerts
    if is_url(path):
        from bot.storage.postgres import alerts as store
    mark_handled, open_alerts = store.mark_handled, store.open_alerts
    if args.done is not None:
        if not await mark_handled(path, args.done, datetime.now(UTC)):
            print(f"goodhelp: no open alert {args.done}", file=sys.stderr)
            return EXIT_FAILED
        print(f"alert {args.done} marked handled")
        return EXIT_OK
    found = await open_alerts(path)
    for alert in found:
        shared = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in alert.shared.items())
        print(f"#{alert.id}  {alert.created_at.strftime('%Y-%m-%d %H:%M')} UTC  "
              f"{alert.reason.replace('_', ' ')}  "
              f"{shared or 'nothing shared (they chose not to give a name or contact)'}")
    print(f"{len(found)} open alert{'s' if len(found) != 1 else ''}"
          + ("; mark one handled with: goodhelp alerts --done ID" if found else ""))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """``goodhelp backup FILE``: a checked copy of the database, safe while the bot runs."""
    from bot.storage.sqlite.backup import backup

    # A PostgreSQL URL goes through as a path too: backup() refuses it, naming pg_dump.
    result = backup(Path(str(args.db or settings.database)), args.file, force=args.force,
                    wait_seconds=max(args.wait, 0.0))
    print(result.describe())
    return EXIT_OK


async def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Open the database with migrations on (SQLite always migrates on open), then close."""
    storage = storage_for(args.db or settings.database, migrate=True)
    await storage.open()
    await storage.close()
    print("the database schema is up to date")
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    """``goodhelp simulate``: print (and chart) how the step-down policy treats personas."""
    from bot.scheduling.simulate import main as simulate

    print(simulate((args.flows or settings.flows_path) / "config" / "policy.yaml", args.out,
                   args.days))
    print(f"chart written to {args.out}")
    return EXIT_OK


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """``goodhelp chat``: talk to the bot in the terminal, with a real database."""
    from bot.app import open_app
    from bot.channels.terminal import TerminalChat
    app = await open_app(args.flows or settings.flows_path,
                         storage_for(args.db or settings.database,
                                     migrate=settings.db_migrate))
    if isinstance(sys.stdin, io.TextIOWrapper):
        # Bytes that are not UTF-8 become U+FFFD here, where they are decoded; the default
        # (surrogateescape) would hand the engine text that cannot be stored.
        sys.stdin.reconfigure(errors="replace")
    try:
        chat = TerminalChat(app.conversations.handle, person=args.person, stdin=sys.stdin,
                            stdout=sys.stdout, files_dir=settings.files_path,
                            locale=args.locale)
        app.conversations.listeners.append(chat.on_turn)  # /delete also deletes saved files
        from bot.scheduling.runner import start_terminal_scheduling

        scheduler = await start_terminal_scheduling(app, chat)  # check-ins print in the chat
        try:
            await chat.run()
        finally:
            if scheduler is not None:
                await scheduler.stop()
    finally:
        await app.close()
    return EXIT_OK
