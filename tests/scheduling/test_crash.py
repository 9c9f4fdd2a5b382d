"""SIGKILL the dispatcher's process, restart it: no scheduled message is lost, and a crash
between sending and marking sent duplicates at most that one message.

The dispatcher runs in a real subprocess (tests/scheduling/crash_harness.py) on a SQLite
file with a virtual clock; its "send" appends one line per message to a file."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HARNESS = "tests.scheduling.crash_harness"


def run(db: Path, out: Path, people: int, *mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", HARNESS, str(db), str(out), str(people), *mode],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def sent_lines(out: Path) -> list[tuple[str, int]]:
    lines = out.read_text().splitlines() if out.exists() else []
    return [(p, int(row)) for p, row, _ in (line.split() for line in lines)]


def database(db: Path) -> tuple[set[tuple[str, int]], Counter[str], list[str]]:
    """(sent rows, rows not yet sent by status, final rhythm per person)."""
    conn = sqlite3.connect(db)
    try:
        sent = {(p, i) for p, i in conn.execute(
            "SELECT p.external_id, m.id FROM scheduled_messages m JOIN people p "
            "ON p.id = m.person_id WHERE m.status = 'sent'")}
        other = Counter(s for (s,) in conn.execute(
            "SELECT status FROM scheduled_messages WHERE status <> 'sent'"))
        rhythms = [r for (r,) in conn.execute(
            "SELECT sc.rhythm FROM conversation_state s "
            "LEFT JOIN schedules sc ON sc.person_id = s.person_id")]
    finally:
        conn.close()
    return sent, other, rhythms


def check_complete(db: Path, out: Path, people: int,
                   kills: int = 0) -> Counter[tuple[str, int]]:
    lines = sent_lines(out)
    counts = Counter(lines)
    sent, other, rhythms = database(db)
    assert not other, f"messages left behind: {other}"
    assert sent <= set(counts), "a message marked sent never reached the channel"
    # A kill between sending and marking leaves the dispatcher unsure whether the
    # check-in arrived, so it starts it again; if the policy then chooses silence (that
    # person's ninth unanswered check-in), the row is dropped although its first send
    # arrived. At most one such row per kill; the person still got the message once.
    unmarked = set(counts) - sent
    assert len(unmarked) <= kills, f"reached the channel but never marked sent: {unmarked}"
    # Nobody answered, so everyone went all the way to the end of the sequence.
    assert rhythms == ["when_asked"] * people
    assert max(counts.values()) <= 2
    return counts


def test_clean_run_sends_each_message_once(tmp_path: Path) -> None:
    db, out = tmp_path / "g.db", tmp_path / "sent.txt"
    assert run(db, out, 3).stdout.strip() == "done"
    counts = check_complete(db, out, 3)
    assert set(counts.values()) == {1}
    assert len(counts) == 27  # 9 each: 4 daily, then every 3 days, then silence


def test_crash_after_send_duplicates_only_that_message(tmp_path: Path) -> None:
    db, out = tmp_path / "g.db", tmp_path / "sent.txt"
    killed = run(db, out, 3, "after_send", "7")
    assert killed.returncode == -signal.SIGKILL
    seventh = sent_lines(out)[6]
    assert run(db, out, 3).stdout.strip() == "done"
    counts = check_complete(db, out, 3)
    assert [m for m, n in counts.items() if n > 1] == [seventh]


def test_crash_before_send_loses_nothing(tmp_path: Path) -> None:
    db, out = tmp_path / "g.db", tmp_path / "sent.txt"
    killed = run(db, out, 3, "before_send", "7")
    assert killed.returncode == -signal.SIGKILL
    assert len(sent_lines(out)) == 6  # the seventh was committed as started, never sent
    assert run(db, out, 3).stdout.strip() == "done"
    counts = check_complete(db, out, 3)
    assert set(counts.values()) == {1}  # sent after the restart, exactly once


def test_sigkill_at_random_moments(tmp_path: Path) -> None:
    db, out, people = tmp_path / "g.db", tmp_path / "sent.txt", 60
    rng = random.Random(20260105)
    kills = 0
    for _ in range(8):
        process = subprocess.Popen(
            [sys.executable, "-m", HARNESS, str(db), str(out), str(people)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        # Kill at a random moment once it is sending (or loading, if nothing is left).
        size = out.stat().st_size if out.exists() else 0
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline and (
                not out.exists() or out.stat().st_size == size):
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.25))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.communicate(timeout=60)
    assert kills >= 2, "the runs ended before any kill; kill sooner"
    assert run(db, out, people).stdout.strip() == "done"
    counts = check_complete(db, out, people, kills)
    duplicated = [m for m, n in counts.items() if n > 1]
    assert len(duplicated) <= kills  # at most the one in flight at each kill
