"""Settings from the environment and an optional ``.env`` file.

The environment is passed in (tests pass their own); nothing reads ``os.environ``
behind the caller's back. Values in the real environment win over ``.env``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The flows that ship beside the package, so `goodhelp chat` works from any folder.
DEFAULT_FLOWS = Path(__file__).resolve().parent.parent / "flows"


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; ``#`` comments and blank lines ignored; quotes stripped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):]
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment, read once and passed to whoever needs it."""

    db_path: Path
    # GOODHELP_DB as a PostgreSQL URL (postgresql://...); None when it names a SQLite file.
    db_url: str | None
    # GOODHELP_DB_MIGRATE: "start" (default) brings the PostgreSQL schema up to date when
    # goodhelp starts; "manual" refuses an older schema (run `goodhelp migrate` first).
    db_migrate: bool
    flows_path: Path
    files_path: Path
    log_level: str
    telegram_token: str | None
    telegram_api_base_url: str | None
    webhook_url: str | None
    webhook_secret: str | None
    webhook_listen: str
    webhook_port: int
    environ: Mapping[str, str]

    @property
    def database(self) -> Path | str:
        """What GOODHELP_DB names: the PostgreSQL URL, or the SQLite file's path."""
        return self.db_url or self.db_path

    @classmethod
    def load(cls, environ: Mapping[str, str], env_file: Path | None = Path(".env")) -> Settings:
        """Settings from ``environ`` over the optional .env file; ConfigError if one is wrong."""
        merged = {**(read_env_file(env_file) if env_file else {}), **environ}

        def get(name: str, default: str | None = None) -> str | None:
            value = merged.get(name, "").strip()
            return value or default

        port = get("GOODHELP_WEBHOOK_PORT", "8443") or "8443"
        if not port.isdigit():
            raise ConfigError(f"GOODHELP_WEBHOOK_PORT must be a port number, not {port!r}")
        db = get("GOODHELP_DB", "goodhelp.db") or "goodhelp.db"
        db_url = db if db.startswith(("postgresql://", "postgres://")) else None
        migrate = (get("GOODHELP_DB_MIGRATE", "start") or "start").lower()
        if migrate not in ("start", "manual"):
            raise ConfigError(f"GOODHELP_DB_MIGRATE must be start or manual, not {migrate!r}")
        return cls(
            # With a URL, the log key file (<db>.logkey) is kept in the working folder.
            db_path=Path("goodhelp.db" if db_url else db),
            db_url=db_url,
            db_migrate=migrate == "start",
            flows_path=Path(get("GOODHELP_FLOWS") or DEFAULT_FLOWS),
            files_path=Path(get("GOODHELP_FILES", "goodhelp-files") or "goodhelp-files"),
            log_level=get("GOODHELP_LOG_LEVEL", "INFO") or "INFO",
            telegram_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_api_base_url=get("TELEGRAM_API_BASE_URL"),
            webhook_url=get("GOODHELP_WEBHOOK_URL"),
            webhook_secret=get("GOODHELP_WEBHOOK_SECRET"),
            webhook_listen=get("GOODHELP_WEBHOOK_LISTEN", "127.0.0.1") or "127.0.0.1",
            webhook_port=int(port),
            environ=merged,
        )
