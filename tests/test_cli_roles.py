"""`goodhelp run --role`: SQLite refuses the roles that need several processes, a wrong
role or setting is one line and exit code 2, and shared mode is chosen only on
PostgreSQL with a webhook or an explicit role."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.cli import build_parser, main, shared_mode
from bot.config import Settings

PG = "postgresql://goodhelp@127.0.0.1:1/goodhelp"


def decide(tmp_path: Path, argv: list[str], **env: str) -> object:
    args: argparse.Namespace = build_parser().parse_args(["run", *argv])
    settings = Settings.load(env, None)
    return shared_mode(args, settings, args.db or settings.database)


@pytest.mark.parametrize("role", ["ingress", "worker"])
def test_sqlite_refuses_several_process_roles(tmp_path: Path, role: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    env = {"TELEGRAM_BOT_TOKEN": "1:x", "GOODHELP_DB": str(tmp_path / "g.db")}
    assert main(["--env-file", str(tmp_path / "none"), "run", "--role", role], env) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"goodhelp: --role {role} needs PostgreSQL")
    assert main(["--env-file", str(tmp_path / "none"), "run"],
                {**env, "GOODHELP_ROLE": role}) == 2


def test_a_wrong_role_in_the_environment_is_one_line(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    env = {"TELEGRAM_BOT_TOKEN": "1:x", "GOODHELP_DB": PG, "GOODHELP_ROLE": "boss"}
    assert main(["--env-file", str(tmp_path / "none"), "run"], env) == 2
    assert capsys.readouterr().err.strip() == (
        "goodhelp: GOODHELP_ROLE must be one of all, ingress, worker, not 'boss'")


def test_shared_mode_only_on_postgresql_with_a_webhook_or_a_role(tmp_path: Path) -> None:
    sqlite = {"GOODHELP_DB": str(tmp_path / "g.db")}
    hook = {"GOODHELP_WEBHOOK_URL": "https://bot.example/hook"}
    assert decide(tmp_path, [], **sqlite) is None
    assert decide(tmp_path, [], **sqlite, **hook) is None  # SQLite: one process
    assert decide(tmp_path, ["--role", "all"], **sqlite) is None
    assert decide(tmp_path, [], GOODHELP_DB=PG) is None  # polling: one process, as today
    mode = decide(tmp_path, [], GOODHELP_DB=PG, **hook)
    assert mode is not None and mode.role == "all" and mode.concurrency == 8
    worker = decide(tmp_path, ["--role", "worker"], GOODHELP_DB=PG,
                    GOODHELP_WORKER_NAME="w-1", GOODHELP_WORKER_CONCURRENCY="3")
    assert (worker.role, worker.worker_name, worker.concurrency) == ("worker", "w-1", 3)
    named = decide(tmp_path, ["--role", "worker"], GOODHELP_DB=PG)
    assert named.worker_name.endswith(f":{__import__('os').getpid()}")


def test_a_webhook_role_without_a_webhook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="GOODHELP_WEBHOOK_URL"):
        decide(tmp_path, ["--role", "ingress"], GOODHELP_DB=PG)
    with pytest.raises(ValueError, match="GOODHELP_WORKER_CONCURRENCY"):
        decide(tmp_path, ["--role", "worker"], GOODHELP_DB=PG,
               GOODHELP_WORKER_CONCURRENCY="0")
