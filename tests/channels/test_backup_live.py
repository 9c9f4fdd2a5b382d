"""`goodhelp backup` taken from a real `goodhelp run` while people keep writing, then
restored while that bot still runs: a second bot started on the copy has every person,
record and scheduled message that was committed when the backup began, and the copy is
one consistent snapshot."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.channels.test_run import Process, until_polling
from tests.fake_bot_api import FakeBotAPI

PEOPLE = range(6100, 6106)
QUIET = 0.3  # seconds without a new message to a chat that count as "answered"


@dataclass(frozen=True)
class Snapshot:
    """What a database holds, as sets of rows. People and records only ever grow while
    people log wins; a scheduled message may be replaced when its person's rhythm moves."""

    people: frozenset[tuple[str, str]]
    achievements: frozenset[tuple[str, str, str]]
    ratings: frozenset[tuple[str, int, str]]
    scheduled: frozenset[tuple[str, str, str]]

    def within(self, other: Snapshot) -> bool:
        """Every row here is in ``other`` (scheduled messages by person, kind and time)."""
        return (self.people <= other.people and self.achievements <= other.achievements
                and self.ratings <= other.ratings and self.scheduled <= other.scheduled)

    def __and__(self, other: Snapshot) -> Snapshot:
        return Snapshot(self.people & other.people, self.achievements & other.achievements,
                        self.ratings & other.ratings, self.scheduled & other.scheduled)


def snapshot(db: Path) -> Snapshot:
    """Every table read in one read transaction, so the sets agree with each other."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        who = "(SELECT external_id FROM people p WHERE p.id = person_id)"
        return Snapshot(
            frozenset(conn.execute("SELECT channel, external_id FROM people")),
            frozenset(conn.execute(f"SELECT {who}, text, at FROM achievements")),
            frozenset(conn.execute(f"SELECT {who}, value, at FROM ratings")),
            # Not by id: a restarted bot plans the same check-in again under a new id. Status
            # may move on (pending, claimed, sent); the message itself must be there.
            frozenset(conn.execute(f"SELECT {who}, kind, due_at FROM scheduled_messages")),
        )
    finally:
        conn.close()


def consistency_problems(db: Path) -> list[str]:
    """Integrity, foreign keys, and each person's counts agreeing with their rows (they
    are committed in the same transaction, so a torn copy would disagree)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [repr(row) for row in conn.execute("PRAGMA foreign_key_check")]
        for external_id, state_json, wins, ratings in conn.execute(
                "SELECT p.external_id, s.state_json,"
                " (SELECT count(*) FROM achievements a WHERE a.person_id = p.id),"
                " (SELECT count(*) FROM ratings r WHERE r.person_id = p.id)"
                " FROM people p JOIN conversation_state s ON s.person_id = p.id"):
            counts = json.loads(state_json).get("counts", {})
            if (counts.get("achievements", 0), counts.get("ratings", 0)) != (wins, ratings):
                problems.append(f"{external_id}: counts {counts} but rows {wins}, {ratings}")
    return problems


async def answered(api: FakeBotAPI, chat: int, seen: int, timeout: float = 30) -> int:  # noqa: ASYNC109
    """Wait for the bot's answer in one chat while others keep talking; the new count."""
    await api.wait_for_messages(chat, seen + 1, timeout=timeout)
    count = len(api.messages_to(chat))
    while True:
        await asyncio.sleep(QUIET)
        now = len(api.messages_to(chat))
        if now == count:
            return count
        count = now


async def talk(api: FakeBotAPI, chat: int, stop: asyncio.Event, wins: list[str]) -> None:
    """One person: through the welcome, then wins (each with a confidence) until told."""
    seen = 0

    async def say(text: str) -> None:
        nonlocal seen
        api.send_text(chat, text)
        seen = await answered(api, chat, seen)

    async def press(index: int) -> bool:
        nonlocal seen
        with_buttons = [m for m in api.messages_to(chat) if m.callback_data]
        if not with_buttons:
            return False
        last = with_buttons[-1]
        api.press_button(chat, last.message_id, last.callback_data[min(index, len(
            last.callback_data) - 1)])
        seen = await answered(api, chat, seen)
        return True

    await say("/start")
    await press(0)  # English
    await press(0)  # yes to the privacy note
    await say("skip")  # no name
    n = 0
    while not stop.is_set():
        await say("/win")
        text = f"win {n} of {chat}"
        await say(text)
        wins.append(text)
        await press(6)  # a confidence, when asked
        n += 1


async def run_backup(source: Path, dest: Path) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--env-file", str(dest.parent / "none.env"), "backup",
        str(dest), "--db", str(source), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def killed_after(request: pytest.FixtureRequest, process: Process) -> None:
    """Kill the bot when the test ends, whatever happened (a failed assertion used to
    leave it running for good)."""
    def kill() -> None:
        if process.proc is not None and process.proc.returncode is None:
            process.proc.kill()
    request.addfinalizer(kill)


async def test_backup_while_the_bot_writes_then_restore(api: FakeBotAPI, tmp_path: Path,
                                                       request: pytest.FixtureRequest) -> None:
    live = tmp_path / "goodhelp.db"
    backups = tmp_path / "backups"
    backups.mkdir()
    process = Process(api, tmp_path)
    await process.start()
    killed_after(request, process)
    await until_polling(api, 0)

    stop = asyncio.Event()
    wins: list[str] = []
    people = [asyncio.create_task(talk(api, chat, stop, wins)) for chat in PEOPLE]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while len(wins) < 2 * len(PEOPLE):  # everyone is through the welcome and logging wins
        assert loop.time() < deadline, f"only {len(wins)} wins logged"
        assert not [t for t in people if t.done()], [t.exception() for t in people]
        await asyncio.sleep(0.1)

    taken: list[tuple[Path, Snapshot]] = []
    overlapped: list[bool] = []  # whether the bot committed while a backup ran
    # At least three copies, and more until one was taken while the bot committed: on an
    # idle machine a copy can be quicker than the people's next message.
    k = 0
    while k < 3 or (not any(overlapped) and k < 12):
        k += 1
        before = snapshot(live)
        dest = backups / f"goodhelp-{k}.db"
        code, out, err = await run_backup(live, dest)
        after = snapshot(live)
        assert (code, err) == (0, ""), err
        assert out.startswith(f"backup written to {dest}: ") and out.count("\n") == 1, out
        assert f"{len(snapshot(dest).people)} people" in out
        copy = snapshot(dest)
        # Everything committed before the backup began (and not replaced meanwhile) is in
        # it; no person or record that was not committed by the time it ended.
        assert (before & after).within(copy), (before & after, copy)
        assert copy.people <= after.people and copy.achievements <= after.achievements
        assert copy.ratings <= after.ratings
        assert before.people <= copy.people and before.achievements <= copy.achievements
        overlapped.append(before != after)
        assert consistency_problems(dest) == []
        assert oct(dest.stat().st_mode & 0o777) == "0o600"
        taken.append((dest, copy))
        await asyncio.sleep(0.5)

    assert any(overlapped)  # the copies were taken while the bot was writing
    assert not list(backups.glob(".*"))  # no temporary file left behind

    # Restore the last backup as the database of a second bot on its own Telegram, while
    # the first bot runs on and its people keep writing.
    backup, at_backup = taken[-1]
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    restored = restored_dir / "goodhelp.db"
    shutil.copy2(backup, restored)
    async with FakeBotAPI(token=api.token) as second_api:
        second = Process(second_api, restored_dir)
        second.env["GOODHELP_DB"] = str(restored)
        await second.start()
        killed_after(request, second)
        await until_polling(second_api, 0)
        assert at_backup.within(snapshot(restored))  # opening and migrating lost nothing

        async def carry_on(chat: int) -> None:  # where the backup left them
            second_api.send_text(chat, "/win")
            seen = await answered(second_api, chat, 0)
            second_api.send_text(chat, f"after the restore, {chat}")
            await answered(second_api, chat, seen)
            assert any(f"after the restore, {chat}" in (m.text or "")
                       for m in second_api.messages_to(chat))

        await asyncio.gather(*(carry_on(chat) for chat in PEOPLE))
        assert second.proc is not None
        second.proc.send_signal(signal.SIGTERM)
        assert await second.wait() == 0
        assert "Traceback" not in second.stderr
    assert not [t for t in people if t.done()]  # the first bot served throughout
    stop.set()
    await asyncio.gather(*people)
    assert process.proc is not None
    process.proc.send_signal(signal.SIGTERM)
    assert await process.wait() == 0
    assert "Traceback" not in process.stderr
    assert not [w for w in wins if w in process.stderr]  # no personal text in the logs

    now = snapshot(restored)
    assert at_backup.within(now)
    assert len(now.achievements) == len(at_backup.achievements) + len(PEOPLE)
    assert consistency_problems(restored) == []
