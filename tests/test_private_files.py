"""Files goodhelp writes hold what people told it: the database (with -wal, -shm and the
lock) and the terminal's exports and charts are 0600, the folders it makes 0700, under the
usual umask 022; the terminal keeps each person's files in a folder of their own, which
/delete removes."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import open_app
from bot.channels.terminal import TerminalChat, folder_name, visible
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from bot.storage.sqlite import SQLiteStorage
from tests.conftest import FLOWS

ONBOARD = ["/start", "1", "1", "skip", "1", "1", "2"]  # English, yes, no name, UK, 9am, later
WIN_AND_FILES = ["/win", "walked the dog", "7", "/progress", "/mydata"]


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_database_and_its_folders_are_private(tmp_path: Path) -> None:
    db = tmp_path / "new" / "data" / "goodhelp.db"
    storage = SQLiteStorage(db)
    await storage.open()
    try:
        await storage.commit_turn(TurnWrite(PersonKey("test", "ana"),
                                            ConversationState(vars={"name": "Ana"})))
        files = [db, *(db.with_name(db.name + end) for end in ("-wal", "-shm", ".lock"))]
        assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
        assert oct(mode(tmp_path / "new")) == oct(mode(db.parent)) == "0o700"
    finally:
        await storage.close()


def run_chat(tmp_path: Path, *lines: str, person: str = "ana"
             ) -> subprocess.CompletedProcess[str]:
    """The real ``goodhelp chat`` on the shipped flows, files under tmp_path/files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOODHELP_", "TELEGRAM_"))}
    env["GOODHELP_FILES"] = str(tmp_path / "files")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "no.env"), "chat",
         "--db", str(tmp_path / "g.db"), "--as", person],
        cwd=tmp_path, env=env, input="".join(f"{line}\n" for line in lines),
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result


def test_terminal_exports_and_charts_are_private_and_go_with_delete(tmp_path: Path) -> None:
    shown = run_chat(tmp_path, *ONBOARD, *WIN_AND_FILES).stdout
    folder = tmp_path / "files" / folder_name("ana")
    saved = sorted(p.name for p in folder.iterdir())
    assert saved == ["goodhelp-my-data.json", "progress.png"]
    assert f"(saved to {folder / 'progress.png'})" in shown
    assert {oct(mode(folder / name)) for name in saved} == {"0o600"}
    assert oct(mode(folder)) == oct(mode(tmp_path / "files")) == "0o700"
    run_chat(tmp_path, "/delete", "1")
    assert not folder.exists()


@pytest.mark.parametrize("name", ["..", "../..", "/", "a/../../b", ".", "", "~"])
async def test_no_person_name_reaches_outside_the_files_folder(tmp_path: Path, name: str
                                                               ) -> None:
    files = tmp_path / "files"
    folder = files / folder_name(name)
    assert folder.parent == files and folder.resolve().parent == files.resolve()
    assert not folder.name.startswith(".")


def test_similar_names_get_different_folders() -> None:
    names = ["a b", "a_b", "a/b", "a.b", "A b", "a  b", "ana", "Ana", "ána"]
    assert len({folder_name(n) for n in names}) == len(names)
    assert folder_name("a b").startswith("a_b-")  # still readable


async def test_as_dotdot_saves_inside_the_files_folder(tmp_path: Path) -> None:
    """``:as ..`` used to write the export one level above the files folder."""
    app = await open_app(FLOWS, SQLiteStorage(tmp_path / "g.db"))
    stdin = io.StringIO("".join(f"{line}\n" for line in [":as ..", *ONBOARD, "/mydata"]))
    try:
        chat = TerminalChat(app.conversations.handle, person="ana", stdin=stdin,
                            stdout=io.StringIO(), files_dir=tmp_path / "files")
        await chat.run()
    finally:
        await app.close()
    assert not (tmp_path / "goodhelp-my-data.json").exists()
    [saved] = (tmp_path / "files").glob("*/goodhelp-my-data.json")
    assert saved.parent.parent == tmp_path / "files"


def test_control_characters_are_shown_not_obeyed() -> None:
    assert visible("\x1b[2J\x1b]0;pwned\x07red\x1b[31m") == (
        "\\x1b[2J\\x1b]0;pwned\\x07red\\x1b[31m")
    assert visible("tab\tcarriage\rback\x08del\x7fc1\x9b") == (
        "tab\tcarriage\\x0dback\\x08del\\x7fc1\\x9b")
    assert visible("Walked 🐕 שלום") == "Walked 🐕 שלום"


async def test_the_terminal_prints_a_persons_escape_codes_visibly(tmp_path: Path) -> None:
    app = await open_app(FLOWS, SQLiteStorage(tmp_path / "g.db"))
    lines = [*ONBOARD, "/win", "\x1b[2J\x1b[31mcleared\x1b[0m"]
    stdout = io.StringIO()
    try:
        chat = TerminalChat(app.conversations.handle, person="\x1b[5mblink",
                            stdin=io.StringIO("".join(f"{line}\n" for line in lines)),
                            stdout=stdout, files_dir=tmp_path / "files")
        await chat.run()
    finally:
        await app.close()
    shown = stdout.getvalue()
    assert "\x1b" not in shown
    assert "\\x1b[2J\\x1b[31mcleared\\x1b[0m" in shown  # the win is echoed back, visibly
    assert "goodhelp chat as '\\x1b[5mblink'" in shown


async def test_a_link_to_a_database_not_made_yet_makes_a_private_file(tmp_path: Path) -> None:
    target = tmp_path / "data" / "real.db"
    target.parent.mkdir()
    (tmp_path / "g.db").symlink_to(target)
    storage = SQLiteStorage(tmp_path / "g.db")
    await storage.open()
    await storage.close()
    assert oct(mode(target)) == "0o600"
