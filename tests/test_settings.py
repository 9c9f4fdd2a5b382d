"""Settings: .env parsing, the environment winning, and .env.example listing them all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, read_env_file
from tests.conftest import ROOT

SETTING = re.compile(r"\b((?:GOODHELP|TELEGRAM)_[A-Z_]+)\b")


def test_env_example_lists_every_setting_the_code_reads() -> None:
    used = {name for path in (ROOT / "bot").rglob("*.py")
            for name in SETTING.findall(path.read_text(encoding="utf-8"))}
    listed = set(read_env_file(ROOT / ".env.example"))
    assert used, "no settings found: the pattern is wrong"
    assert not used - listed, f"add to .env.example: {sorted(used - listed)}"


def test_env_file_values_and_the_environment_winning(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("# comment\n\nGOODHELP_DB='from-file.db'\nexport GOODHELP_LOG_LEVEL=DEBUG\n"
                   'TELEGRAM_BOT_TOKEN="123:abc"\n', encoding="utf-8")
    settings = Settings.load({"GOODHELP_DB": "from-env.db"}, env)
    assert settings.db_path == Path("from-env.db")
    assert settings.log_level == "DEBUG"
    assert settings.telegram_token == "123:abc"


def test_a_missing_env_file_is_fine_and_defaults_apply(tmp_path: Path) -> None:
    settings = Settings.load({}, tmp_path / "absent.env")
    assert settings.db_path == Path("goodhelp.db")
    assert settings.flows_path.name == "flows" and settings.flows_path.is_dir()
    assert settings.telegram_token is None


def test_a_broken_line_names_the_file_and_line(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("GOODHELP_DB=x.db\nthis is not a setting\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.env:2: expected KEY=VALUE"):
        Settings.load({}, env)


def test_a_bad_port_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GOODHELP_WEBHOOK_PORT"):
        Settings.load({"GOODHELP_WEBHOOK_PORT": "eighty"}, None)


def test_a_postgresql_url_is_a_server_and_anything_else_a_file(tmp_path: Path) -> None:
    url = "postgresql://goodhelp:pw@db.example:5432/goodhelp"
    settings = Settings.load({"GOODHELP_DB": url}, tmp_path / "absent.env")
    assert settings.database == url and settings.db_url == url and settings.db_migrate
    short = Settings.load({"GOODHELP_DB": "postgres://h/db"}, tmp_path / "absent.env")
    assert short.database == "postgres://h/db"
    path = Settings.load({"GOODHELP_DB": "postgresql.db"}, tmp_path / "absent.env")
    assert path.database == Path("postgresql.db") and path.db_url is None


def test_db_migrate_is_start_or_manual(tmp_path: Path) -> None:
    manual = Settings.load({"GOODHELP_DB_MIGRATE": "manual"}, tmp_path / "absent.env")
    assert not manual.db_migrate
    with pytest.raises(ConfigError, match="GOODHELP_DB_MIGRATE must be start or manual"):
        Settings.load({"GOODHELP_DB_MIGRATE": "sometimes"}, tmp_path / "absent.env")
