"""Bad input, end to end: odd messages through the real service on SQLite and through the
terminal chat, and bad files (flows, database) given to ``goodhelp chat``.

Each gets a clear reply or a one-line message; nothing already stored is lost.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest

from bot.channels.terminal import TerminalChat
from bot.core.keys import PersonKey
from bot.engine.actions import ActionRegistry
from bot.engine.events import Choice, Command, Text, Unsupported
from bot.engine.loader import load_flows
from bot.engine.runner import Engine
from bot.service import Conversations
from bot.storage.sqlite import SQLiteStorage
from tests.engine.conftest import msg, write_flows

NOTE = """\
flow: note
triggers: {commands: [note]}
steps:
  name:
    ask: What should I call you?
    into: nickname
  what:
    ask: What went well?
    into: note
    validate: {max_length: 4000}
  echo:
    say: "You said: {note}"
  store:
    record: achievement
    fields: {text: "{note}"}
  again:
    choose: "Another one, {nickname}?"
    into: again
    options: [Yes please, No thanks]
  done:
    end: "Bye {nickname}"
"""

ODD = {
    "emoji": "Walked 🐕 to the park 🌳🎉 👩🏽‍🦯",
    "arabic": "مشيت إلى الحديقة اليوم",
    "hebrew": "הלכתי לפארק היום",
    "mixed_direction": "I said \u200fשלום\u200f then \u202eesrever\u202c, ok",
    "html": "<b>bold</b> <script>alert(1)</script>",
    "markdown": "_*[link](http://x)*_ `code` ~~no~~",
    "entities": "&amp; &lt;b&gt; &#39;",
    "sql": "'); DROP TABLE people;--",
    "quotes": "He said \"it's done\" \\ and {braces} {{double}}",
    "nul_byte": "before\x00after",
}
KEY = PersonKey("test", "ana")


def flows_folder(tmp_path: Path) -> Path:
    return write_flows(tmp_path / "flows", {"note": NOTE})


@asynccontextmanager
async def service(tmp_path: Path) -> AsyncIterator[Conversations]:
    """The real service on a real SQLite file, closed (and so flushed) on the way out."""
    registry = ActionRegistry()
    engine = Engine(load_flows(flows_folder(tmp_path), known_actions=registry.known()), registry)
    storage = SQLiteStorage(tmp_path / "goodhelp.db")
    await storage.open()
    try:
        yield Conversations(engine, storage, rng=random.Random(5))
    finally:
        await storage.close()


async def texts(conversations: Conversations, event: Command | Text | Choice | Unsupported
                ) -> list[str]:
    return [reply.text for reply in await conversations.handle(KEY, event)]


@pytest.mark.parametrize("name", ODD)
async def test_odd_text_is_stored_and_echoed_exactly(tmp_path: Path, name: str) -> None:
    odd = ODD[name]
    async with service(tmp_path) as conversations:
        await conversations.handle(KEY, Command("note"))
        assert await texts(conversations, Text(odd)) == ["What went well?"]  # as a name
        replies = await texts(conversations, Text(odd))
        assert replies == [f"You said: {odd}", f"Another one, {odd}?"]
    async with service(tmp_path) as conversations:  # reopened: read back from the file
        state = await conversations.state_of(KEY)
        assert state is not None
        assert (state.vars["nickname"], state.vars["note"]) == (odd, odd)
        [win] = await conversations.storage.achievements(KEY)
        assert win.text == odd
        assert await texts(conversations, Text("2")) == [f"Bye {odd}"]
    with sqlite3.connect(tmp_path / "goodhelp.db") as db:  # the SQL did not run
        assert db.execute("SELECT count(*) FROM people").fetchone() == (1,)


async def test_empty_and_huge_messages_get_a_kind_reply_and_lose_nothing(tmp_path: Path) -> None:
    huge = "x" * 10_000
    async with service(tmp_path) as conversations:
        assert await texts(conversations, Text("")) == [msg("empty")]  # outside any flow
        assert await texts(conversations, Text(huge)) == [msg("fallback")]
        await conversations.handle(KEY, Command("note"))
        await conversations.handle(KEY, Text("Sam"))
        before = await conversations.state_of(KEY)
        assert await texts(conversations, Text("")) == [msg("empty")]
        assert await texts(conversations, Text("   \n\t ")) == [msg("empty")]
        assert await texts(conversations, Text(huge)) == [f"{msg('too_long')} up to 4000"]
    async with service(tmp_path) as conversations:
        after = await conversations.state_of(KEY)
        assert after is not None and before is not None
        assert (after.flow, after.step) == ("note", "what")  # still on the same question
        assert after.vars == before.vars == {"nickname": "Sam"}
        assert await texts(conversations, Text("a walk")) == ["You said: a walk",
                                                              "Another one, Sam?"]
        # At a choice, a huge or empty answer is simply not one of the options.
        assert await texts(conversations, Text(huge)) == [msg("invalid_choice")]
        assert await texts(conversations, Text("")) == [msg("empty")]
        assert (await conversations.state_of(KEY)).step == "again"  # type: ignore[union-attr]


async def test_unsupported_input_and_stale_buttons_change_nothing(tmp_path: Path) -> None:
    async with service(tmp_path) as conversations:
        await conversations.handle(KEY, Command("note"))
        assert await texts(conversations, Unsupported("sticker")) == [
            msg("unsupported"), "What should I call you?"]
        await conversations.handle(KEY, Text("Sam"))
        await conversations.handle(KEY, Text("a walk"))
        question = (await conversations.state_of(KEY)).prompt  # type: ignore[union-attr]
        before = await conversations.state_of(KEY)
        for stale in (Choice(question - 1, 0), Choice(question + 5, 0), Choice(question, 9),
                      Choice(question, -1)):
            assert (await texts(conversations, stale))[0] == msg("stale_button")
        assert await texts(conversations, Unsupported("voice")) == [
            msg("unsupported"), "Another one, Sam?"]
    async with service(tmp_path) as conversations:
        after = await conversations.state_of(KEY)
        assert after is not None and before is not None
        assert (after.flow, after.step, after.vars, after.prompt) == (
            before.flow, before.step, before.vars, before.prompt)
        assert await texts(conversations, Choice(question, 1)) == ["Bye Sam"]
        assert await texts(conversations, Choice(question, 0)) == [msg("stale_button")]


async def test_terminal_chat_with_odd_lines(tmp_path: Path) -> None:
    lines = ["/note", "", "x" * 10_000, "Sam", ODD["emoji"], "/note", ODD["arabic"],
             ODD["markdown"], "/note", "Sam", ODD["sql"], "1", "/note", "Sam", ODD["html"], "2"]
    stdin = io.StringIO("".join(f"{line}\n" for line in lines))
    stdout = io.StringIO()
    async with service(tmp_path) as conversations:
        chat = TerminalChat(conversations.handle, person="ana", stdin=stdin, stdout=stdout,
                            files_dir=tmp_path / "files")
        await chat.run()
        state = await conversations.state_of(PersonKey("terminal", "ana"))
    shown = stdout.getvalue()
    for expected in ("goodhelp> [empty]", "goodhelp> [too_long] up to 2000",
                     f"goodhelp> You said: {ODD['emoji']}", "goodhelp> Another one, Sam?",
                     "    1. Yes please", "    2. No thanks",
                     f"goodhelp> You said: {ODD['markdown']}",
                     f"goodhelp> Another one, {ODD['arabic']}?",
                     f"goodhelp> You said: {ODD['sql']}", f"goodhelp> You said: {ODD['html']}",
                     "goodhelp> Bye Sam"):
        assert expected in shown, expected
    assert "Traceback" not in shown and msg("error") not in shown
    assert state is not None and state.flow is None
    assert state.vars["note"] == ODD["html"]


# --- bad files given to `goodhelp chat` -------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def chat(tmp_path: Path, flows: Path, db: Path, stdin: str = ""
         ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOODHELP_", "TELEGRAM_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "no.env"), "chat",
         "--flows", str(flows), "--db", str(db), "--as", "ana"],
        cwd=tmp_path, env=env, input=stdin, capture_output=True, text=True, timeout=60,
    )


async def existing_db(tmp_path: Path) -> Path:
    """A goodhelp database holding a person halfway through a flow."""
    async with service(tmp_path) as conversations:
        key = PersonKey("terminal", "ana")
        await conversations.handle(key, Command("note"))
        await conversations.handle(key, Text("Sam"))
    return tmp_path / "goodhelp.db"


def assert_one_line(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("goodhelp: ")
    for part in parts:
        assert part in lines[0]


async def test_chat_resumes_from_an_existing_database(tmp_path: Path) -> None:
    db = await existing_db(tmp_path)
    result = chat(tmp_path, flows_folder(tmp_path), db, stdin="a walk\n")
    assert result.returncode == 0, result.stderr
    assert "goodhelp> What went well?" in result.stdout  # picked up where they were
    assert "goodhelp> You said: a walk" in result.stdout


async def test_chat_with_a_missing_flows_folder(tmp_path: Path) -> None:
    db = await existing_db(tmp_path)
    before = digest(db)
    result = chat(tmp_path, tmp_path / "nowhere", db, stdin="/note\n")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'nowhere'}:1: flows folder not found (is the path right?)",
        "goodhelp: 1 problem in the flows; nothing was started",
    ]
    assert digest(db) == before


async def test_chat_with_a_flow_file_that_is_not_yaml(tmp_path: Path) -> None:
    db = await existing_db(tmp_path)
    before = digest(db)
    flows = flows_folder(tmp_path)
    (flows / "broken.yaml").write_text("flow: broken\nsteps:\n  a:\n    say: [unclosed\n")
    result = chat(tmp_path, flows, db, stdin="/note\n")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{flows}/broken.yaml:4: not valid YAML: the [ opened on this line is never closed "
        "(expected ',' or ']', but got '<stream end>' on line 5)",
        "goodhelp: 1 problem in the flows; nothing was started",
    ]
    assert result.stdout == ""
    assert digest(db) == before


async def test_chat_with_a_corrupt_database(tmp_path: Path) -> None:
    db = tmp_path / "goodhelp.db"
    db.write_bytes(random.Random(9).randbytes(16_384))
    before = digest(db)
    result = chat(tmp_path, flows_folder(tmp_path), db, stdin="/note\n")
    assert_one_line(result, str(db), "not a goodhelp database or is damaged", "left untouched")
    assert digest(db) == before
    assert result.stdout == ""


async def test_chat_with_a_database_that_lost_its_middle(tmp_path: Path) -> None:
    db = await existing_db(tmp_path)
    data = bytearray(db.read_bytes())
    data[1024:] = random.Random(3).randbytes(len(data) - 1024)  # header kept, pages garbled
    db.write_bytes(bytes(data))
    before = digest(db)
    result = chat(tmp_path, flows_folder(tmp_path), db, stdin="/note\n")
    assert_one_line(result, str(db), "damaged")
    assert digest(db) == before


@contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """Unwritable even for root (which ignores chmod) via the immutable attribute."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here, and root ignores chmod")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


async def test_chat_with_a_read_only_database(tmp_path: Path) -> None:
    db = await existing_db(tmp_path)
    before = digest(db)
    with unwritable(db):
        result = chat(tmp_path, flows_folder(tmp_path), db, stdin="/note\n")
    assert_one_line(result, str(db), "cannot be written")
    assert digest(db) == before


async def test_chat_with_a_database_locked_by_another_process(tmp_path: Path) -> None:
    db = await existing_db(tmp_path)
    before = digest(db)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN EXCLUSIVE')\n"
         "print('locked', flush=True)\n"
         "sys.stdin.read()\n",
         str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = chat(tmp_path, flows_folder(tmp_path), db, stdin="/note\n")
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    assert_one_line(result, str(db), "in use by another process")
    assert digest(db) == before
    # Once the other process lets go, the same person carries on.
    result = chat(tmp_path, flows_folder(tmp_path), db, stdin="a walk\n")
    assert result.returncode == 0, result.stderr
    assert "goodhelp> You said: a walk" in result.stdout


async def test_chat_with_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    """A terminal may send any bytes; they are kept as U+FFFD, never as a failed write."""
    db = tmp_path / "goodhelp.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOODHELP_", "TELEGRAM_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "no.env"), "chat",
         "--flows", str(flows_folder(tmp_path)), "--db", str(db), "--as", "ana"],
        cwd=tmp_path, env=env, input=b"/note\n\xff\xfe Sam \xc3\n\xe9t\xe9 walk\n",
        capture_output=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    out = result.stdout.decode("utf-8")
    assert "[error]" not in out
    assert "goodhelp> You said: \ufffdt\ufffd walk" in out
    async with service(tmp_path) as conversations:
        state = await conversations.state_of(PersonKey("terminal", "ana"))
    assert state is not None
    assert state.vars["nickname"] == "\ufffd\ufffd Sam \ufffd"
