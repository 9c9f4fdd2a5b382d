"""``goodhelp migrate-db`` as an operator runs it: a real process, its exit code, what it
prints (counts only: no personal text, no password) and one line for each bad input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.pg_cluster import Cluster, _free_port
from tests.storage.deployment import ODD, copy_of, row_counts
from tests.test_cli import goodhelp


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    return err.strip()


def test_the_move_prints_rows_per_table_and_nothing_anyone_typed(
        deployment: Path, tmp_path: Path, pg_url: str) -> None:
    db = copy_of(deployment, tmp_path)
    url = pg_url.replace("goodhelp@", "goodhelp:s3cret-pw@")  # trust auth ignores it
    done = goodhelp("migrate-db", "--db", str(db), "--to", url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"copied {db} (SQLite schema ")
    for table, rows in row_counts(db).items():
        assert any(line.split() == [table, f"{rows:,}"] for line in lines), table
    assert lines[-2].split()[0] == "total"
    assert lines[-1].startswith("not copied: schema_version")
    for secret in ("s3cret-pw", *ODD, "Rhiannon", "07700", "440001"):
        assert secret not in done.stdout, secret

    again = goodhelp("migrate-db", "--db", str(db), "--to", url, cwd=tmp_path)
    assert again.returncode == 1 and again.stdout == ""
    line = _one_line(again.stderr)
    assert "already holds goodhelp data (" in line and "s3cret" not in line


def test_the_file_defaults_to_goodhelp_db_in_the_settings(
        deployment: Path, tmp_path: Path, pg_url: str) -> None:
    copy_of(deployment, tmp_path)  # tmp_path/goodhelp.db
    (tmp_path / "no.env").write_text(f"GOODHELP_DB={tmp_path / 'goodhelp.db'}\n")
    done = goodhelp("migrate-db", "--to", pg_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"copied {tmp_path / 'goodhelp.db'}" in done.stdout


def test_bad_input_is_one_line_and_copies_nothing(
        deployment: Path, tmp_path: Path, pg_url: str, pg_cluster: Cluster) -> None:
    db = copy_of(deployment, tmp_path)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    nowhere = f"postgresql://goodhelp:pw@127.0.0.1:{_free_port()}/goodhelp"
    nobody = pg_url.replace("goodhelp@", "nobody:wrong-pw@")
    cases = [
        (["--db", str(tmp_path / "missing.db"), "--to", pg_url], "does not exist"),
        (["--db", str(other), "--to", pg_url], "is not a goodhelp database"),
        (["--db", str(db), "--to", nowhere], "cannot reach the database"),
        (["--db", str(db), "--to", nobody], "the server refused the login"),
        (["--db", str(db), "--to", pg_cluster.url("no_such_db")], "there is no such database"),
        (["--db", str(db), "--to", str(tmp_path / "x.db")], "--to must be a postgresql:// URL"),
        (["--db", pg_url, "--to", pg_url], "copies FROM an SQLite file"),
    ]
    for args, expected in cases:
        done = goodhelp("migrate-db", *args, cwd=tmp_path)
        assert done.returncode == 1, (args, done.stderr)
        line = _one_line(done.stderr)
        assert expected in line and line.endswith("nothing was copied"), line
        assert "wrong-pw" not in line and ":pw@" not in line
    name = pg_url.rsplit("/", 1)[1]
    assert pg_cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                           name) == "0"
