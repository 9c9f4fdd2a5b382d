"""A throwaway PostgreSQL 15 cluster for the tests: started once per session, removed after.

PostgreSQL refuses to run as root and the suite runs as root on CI, so initdb and pg_ctl
run as the ``postgres`` user (through ``runuser``) in a temporary folder that user owns.
It listens only on 127.0.0.1, on a free port, with its socket inside that folder. fsync
is off: the data is thrown away, and the tests are about behaviour, not durability.

Where PostgreSQL cannot be started the tests that need it skip with the reason, except on
CI (the CI variable set), where they fail: there the PostgreSQL backend must be tested.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PG_USER = "postgres"
SUPERUSER = "goodhelp"
STARTUP_SECONDS = 60


def _bindir() -> Path:
    """Where pg_config says the server programs are (Debian: /usr/lib/postgresql/15/bin)."""
    found = shutil.which("pg_config")
    if found is not None:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and (Path(out.stdout.strip()) / "initdb").is_file():
            return Path(out.stdout.strip())
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").is_file():
            return candidate
    raise RuntimeError("PostgreSQL's initdb was not found (pg_config --bindir names none); "
                       "install postgresql-15")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running cluster: ``url()`` for a database in it, ``admin()`` to run SQL as its owner."""

    bindir: Path
    folder: Path
    port: int
    _names: Iterator[int] = field(default_factory=itertools.count)
    _template: str | None = None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def as_postgres(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run one of the cluster's programs as the postgres user (root cannot)."""
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", PG_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=STARTUP_SECONDS, cwd=self.folder)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser; its output (tuples only, unaligned)."""
        # The client runs as whoever we are (only the server refuses root), over TCP.
        out = subprocess.run([str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v",
                              "ON_ERROR_STOP=1", "-d", self.url(database), "-c", sql],
                             capture_output=True, text=True, check=False,
                             timeout=STARTUP_SECONDS)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return out.stdout.strip()

    def new_database(self, migrated: bool = False) -> str:
        """A fresh database, empty or (``migrated``) with goodhelp's schema; its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        template = self._migrated_template() if migrated else "template0"
        self.psql(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)

    def _migrated_template(self) -> str:
        """A database every migration has been applied to, made once and then copied: a
        copy takes a fraction of the time of running the migrations for each test."""
        name = "goodhelp_migrated"
        if self._template is None:
            from bot.storage.migrate import discover
            from bot.storage.postgres.migrate import MIGRATIONS_DIR

            self.psql(f"CREATE DATABASE {name} TEMPLATE template0")
            statements = ["CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                          "name TEXT NOT NULL, applied_at TEXT NOT NULL);"]
            for migration in discover(MIGRATIONS_DIR):
                statements.append(migration.path.read_text(encoding="utf-8"))
                statements.append(f"INSERT INTO schema_version VALUES ({migration.version}, "
                                  f"'{migration.path.name}', '2026-01-01T00:00:00.000000+00:00');")
            self.psql("BEGIN;\n" + "\n".join(statements) + "\nCOMMIT;", name)
            self._template = name
        return self._template

    def drop_database(self, url: str) -> None:
        self.psql(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def terminate_backends(self, url: str) -> int:
        """End every session on the database of ``url``, as a lost connection would."""
        name = url.rsplit("/", 1)[1]
        return int(self.psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))

    def pg_ctl(self, action: str) -> None:
        out = self.as_postgres("pg_ctl", "-D", str(self.data), "-w", "-t",
                               str(STARTUP_SECONDS), "-l", str(self.folder / "log"), "-m",
                               "fast", action)
        if out.returncode != 0:
            log = (self.folder / "log").read_text(errors="replace")[-2000:] \
                if (self.folder / "log").exists() else ""
            raise RuntimeError(f"pg_ctl {action} failed: {out.stderr.strip()} {log}")


def start_cluster(durable: bool = False) -> Cluster:
    """initdb and start a cluster in a new temporary folder owned by the postgres user.
    ``durable``: keep PostgreSQL's fsync on commit (for benchmarks; tests need none)."""
    bindir = _bindir()
    folder = Path(tempfile.mkdtemp(prefix="goodhelp-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, PG_USER, PG_USER)
    folder.chmod(0o700)
    cluster = Cluster(bindir, folder, _free_port())
    try:
        out = cluster.as_postgres("initdb", "-D", str(cluster.data), "-U", SUPERUSER,
                                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        if out.returncode != 0:
            raise RuntimeError(f"initdb failed: {out.stderr.strip()[-500:]}")
        settings = {
            "listen_addresses": "'127.0.0.1'", "port": str(cluster.port),
            "unix_socket_directories": f"'{folder}'", "fsync": "off",
            "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "200",
            "shared_buffers": "32MB",
        }
        if durable:
            for name in ("fsync", "synchronous_commit", "full_page_writes"):
                settings.pop(name)
        with (cluster.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{k} = {v}\n" for k, v in settings.items())
        cluster.pg_ctl("start")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    try:
        cluster.pg_ctl("stop")
    finally:
        shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The session's PostgreSQL cluster; skips without one, except on CI where it fails."""
    try:
        cluster = start_cluster()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        reason = f"PostgreSQL could not be started: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so the PostgreSQL tests must run)")
        pytest.skip(reason)
    try:
        yield cluster
    finally:
        stop_cluster(cluster)


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    """A fresh, empty database for one test, dropped after it."""
    url = pg_cluster.new_database()
    try:
        yield url
    finally:
        pg_cluster.drop_database(url)


@pytest.fixture
def pg_migrated_url(pg_cluster: Cluster) -> Iterator[str]:
    """A fresh database already at the newest schema, for one test, dropped after it."""
    url = pg_cluster.new_database(migrated=True)
    try:
        yield url
    finally:
        pg_cluster.drop_database(url)


def postgres_storage(request: pytest.FixtureRequest, clock: Any) -> Any:
    """A PostgresStorage on a fresh database of the session's cluster (not yet open): the
    storage contract's factory for "postgres"."""
    from bot.storage.postgres import PostgresStorage

    return PostgresStorage(request.getfixturevalue("pg_migrated_url"), clock=clock)
