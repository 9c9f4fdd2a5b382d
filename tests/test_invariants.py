"""DESIGN.md invariants that hold across every flow:

- every input gets a reply or a documented silence, and no traceback reaches a person;
- per person, messages are handled strictly in order; different people concurrently;
- personal text never appears in logs;
- a person who has not consented has nothing stored but the refusal and their language.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sqlite3
from pathlib import Path

from bot.app import open_app
from bot.core.keys import PersonKey
from bot.core.roles import seal_code
from bot.engine.events import Choice, Command, Event, Start, Text, Unsupported
from bot.engine.render import Renderer
from bot.storage.memory import MemoryStorage
from bot.storage.schedule_values import COLUMNS
from bot.storage.sqlite import SQLiteStorage
from tests.conftest import FLOWS, STEADY_FLOWS

ODD_TEXTS = [
    "", " ", "1", "2", "3", "0", "-1", "11", "yes", "no", "skip", "help", "menu",
    "😊🎉", "שלום עולם", "مرحبا بالعالم", "<b>bold</b> _*[x]* &amp;", "'); DROP TABLE people;--",
    "x" * 10_000, "\u200f\u202e reversed", "/", "//", "Null\x00byte", "I did it", "my goal",
]


def random_event(rng: random.Random, commands: list[str], prompt: int) -> Event:
    kind = rng.random()
    if kind < 0.2:
        return Command(rng.choice([*commands, "cancel", "nosuchcommand"]),
                       rng.choice(["", "invite123"]))
    if kind < 0.45:
        return Choice(rng.choice([prompt, prompt, prompt - 1, 999]), rng.randrange(-1, 6))
    if kind < 0.5:
        return Unsupported(rng.choice(["sticker", "photo", "voice", "location"]))
    return Text(rng.choice(ODD_TEXTS))


async def test_every_input_gets_a_reply_and_never_an_error() -> None:
    """Random walks through every shipped flow, with odd input, stale buttons and
    commands at any point. The error message (a caught exception) must never appear."""
    app = await open_app(FLOWS, MemoryStorage(), rng=random.Random(3))
    commands = sorted(c for f in app.flows.flows.values() for c in f.triggers.commands)
    render = Renderer("en", "en", {}, {}, random.Random(0))
    error_text = render.text(app.flows.messages["error"])
    rng = random.Random(20261125)
    try:
        for person in range(40):
            key = PersonKey("fuzz", str(person))
            for _ in range(60):
                state = await app.storage.load(key)
                event = random_event(rng, commands, state.prompt if state else 0)
                replies = await app.conversations.handle(key, event)
                assert replies, f"no reply to {event!r} at {state and state.position}"
                assert all(r.text.strip() or r.attachment for r in replies)
                assert error_text not in [r.text for r in replies], (
                    f"{event!r} at {state and state.position} raised inside the engine")
    finally:
        await app.close()


async def test_a_declined_start_is_the_only_silence() -> None:
    """A scheduled Start while the person is mid-conversation is declined silently
    (documented in docs/flows.md): it must not interrupt them."""
    app = await open_app(FLOWS, MemoryStorage())
    key = PersonKey("test", "busy")
    try:
        await app.conversations.handle(key, Command("start"))
        before = await app.storage.load(key)
        replies = await app.conversations.handle(key, Start("menu"))
        assert replies == []
        after = await app.storage.load(key)
        assert after is not None and before is not None
        assert (after.flow, after.step) == (before.flow, before.step)
    finally:
        await app.close()


async def test_one_persons_messages_in_order_many_people_at_once(tmp_path: Path) -> None:
    """200 people send bursts at the same moment. Each person's stored wins are exactly
    their own, in the order they sent them, as if they had been alone."""
    app = await open_app(STEADY_FLOWS, SQLiteStorage(tmp_path / "order.db"))
    onboarding = [Command("start"), Text("1"), Text("skip"), Text("2")]

    async def person(number: int) -> None:
        key = PersonKey("test", str(number))
        burst: list[Event] = list(onboarding)
        for n in range(5):
            burst += [Command("win"), Text(f"p{number} win {n}")]
        # Fire the whole burst without waiting for replies, as a fast typist would.
        await asyncio.gather(*(app.conversations.handle(key, e) for e in burst))

    try:
        await asyncio.gather(*(person(n) for n in range(200)))
        for number in range(200):
            key = PersonKey("test", str(number))
            wins = [a.text for a in reversed(await app.storage.achievements(key))]
            assert wins == [f"p{number} win {n}" for n in range(5)]
    finally:
        await app.close()


async def test_personal_text_never_reaches_the_logs(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    secret_words = ["Zebrafinch-purpose-7731", "Marmalade-win-4410", "Quokka-name-1902"]
    app = await open_app(STEADY_FLOWS, SQLiteStorage(tmp_path / "logs.db"))
    key = PersonKey("test", "private")
    script: list[Event] = [Command("start"), Text("1"), Text(secret_words[2]), Text("1"),
                           Text(secret_words[0]), Text("because"), Text("a step"), Text("1"),
                           Command("win"), Text(secret_words[1]), Text("x" * 10_000),
                           Choice(999, 0), Command("nosuch")]
    try:
        for event in script:
            await app.conversations.handle(key, event)
    finally:
        await app.close()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for word in secret_words:
        assert word not in logged


async def test_a_lone_surrogate_cannot_spoil_other_peoples_commits(tmp_path: Path) -> None:
    """A broken client can send JSON with half an emoji (a lone UTF-16 surrogate). It
    becomes U+FFFD, so the group commit it shares with other people's turns succeeds."""
    app = await open_app(STEADY_FLOWS, SQLiteStorage(tmp_path / "s.db"))
    people = [PersonKey("test", str(n)) for n in range(5)]
    try:
        for key in people:
            await app.conversations.handle(key, Command("start"))
            await app.conversations.handle(key, Text("1"))
            await app.conversations.handle(key, Text("skip"))
            await app.conversations.handle(key, Text("2"))
            await app.conversations.handle(key, Command("win"))
        texts = ["half \ud83d an emoji", "fine 1", "fine 2", "fine 3", "fine 4"]
        await asyncio.gather(*(app.conversations.handle(k, Text(t))
                               for k, t in zip(people, texts, strict=True)))
        stored = [[a.text for a in await app.storage.achievements(k)] for k in people]
        assert stored == [["half \ufffd an emoji"], ["fine 1"], ["fine 2"], ["fine 3"],
                          ["fine 4"]]
    finally:
        await app.close()


async def test_nothing_is_started_unasked_for_someone_without_consent() -> None:
    """A scheduled Start for someone who declined (or never answered) the privacy note
    sends nothing at all, not even the privacy question again."""
    app = await open_app(FLOWS, MemoryStorage())
    key = PersonKey("test", "declined")
    try:
        await app.conversations.handle(key, Command("start"))
        await app.conversations.handle(key, Text("1"))  # English
        await app.conversations.handle(key, Text("3"))  # No thanks
        state = await app.storage.load(key)
        assert state is not None and state.vars.get("consent") == "declined"
        assert await app.conversations.handle(key, Start("checkin")) == []
        assert await app.conversations.handle(PersonKey("test", "new"), Start("checkin")) == []
    finally:
        await app.close()


# What the consent settings allow before a yes (flows/config/system.yaml, consent.keep).
KEPT_BEFORE_CONSENT = {"consent", "language", "consent_declined_at", "start_payload",
                       "safety_pause_until"}  # a time only: the crisis pause holds


def rows_about(db: sqlite3.Connection, key: PersonKey) -> dict[str, object]:
    """Every row in the real file that belongs to one person, by table."""
    found: dict[str, object] = {}
    person = db.execute("SELECT id FROM people WHERE channel = ? AND external_id = ?",
                        (key.channel, key.external_id)).fetchone()
    if person is None:
        return found
    tables = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name != 'people'")]
    for table in tables:
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if "person_id" in columns:
            rows = db.execute(f"SELECT * FROM {table} WHERE person_id = ?",
                              person).fetchall()
            if rows:
                found[table] = rows
    return found


async def test_without_consent_nothing_is_stored_but_the_refusal_and_language(
        tmp_path: Path) -> None:
    """Random walks through every shipped flow (the menu, gotos, commands, safety, stale
    buttons); after every turn of a person who has not said yes, the SQLite file holds for
    them only their conversation state, and that only with the refusal and language."""
    path = tmp_path / "consent.db"
    app = await open_app(FLOWS, SQLiteStorage(path), rng=random.Random(5))
    commands = sorted(c for f in app.flows.flows.values() for c in f.triggers.commands)
    rng = random.Random(20261203)
    db = sqlite3.connect(path)
    checked = declined = 0
    try:
        for person in range(40):
            key = PersonKey("walk", str(person))
            opening: list[Event] = [Command("start"), Text("1")]
            if person % 2 == 0:
                opening.append(Text("3"))  # No thanks
            events = iter(opening)
            for _ in range(60):
                state = await app.storage.load(key)
                event = next(events, None) or random_event(
                    rng, [*commands, "menu", "menu"], state.prompt if state else 0)
                await app.conversations.handle(key, event)
                state = await app.storage.load(key)
                if state is not None and state.vars.get("consent") == "yes":
                    continue
                checked += 1
                declined += state is not None and state.vars.get("consent") == "declined"
                rows = rows_about(db, key)
                states = rows.pop("conversation_state", [])
                # The kept crisis pause lives with the scheduling state (migration 0008):
                # a schedules row may hold that time and nothing else.
                for row in rows.pop("schedules", []):  # type: ignore[attr-defined]
                    held = {name for name, value in zip(COLUMNS, row[1:], strict=True)
                            if value not in (None, "[]")}
                    assert held <= {"safety_pause_until"}, (event, row)
                assert not rows, f"stored without consent after {event!r}: {sorted(rows)}"
                for _, state_json, _ in states:  # type: ignore[attr-defined]
                    stored = json.loads(state_json)
                    assert set(stored["vars"]) <= KEPT_BEFORE_CONSENT, (event, stored["vars"])
                    assert not stored["counts"] and not stored["memory"]
    finally:
        db.close()
        await app.close()
    assert checked > 500 and declined > 200  # the walk really did spend time without a yes


async def test_a_lone_surrogate_in_a_commands_argument_is_stored_as_a_replacement(
        tmp_path: Path) -> None:
    """``/start <half an emoji>`` (a deep link from a broken client) used to fail the turn:
    only typed text was cleaned, not a command's argument."""
    app = await open_app(STEADY_FLOWS, SQLiteStorage(tmp_path / "s.db"))
    key = PersonKey("test", "link")
    render = Renderer("en", "en", {}, {}, random.Random(0))
    error_text = render.text(app.flows.messages["error"])
    try:
        replies = await app.conversations.handle(key, Command("start", "code\ud83d"))
        assert replies and error_text not in [r.text for r in replies]
        state = await app.storage.load(key)
        assert state is not None and state.vars["start_payload"] == seal_code("code\ufffd")
        replies = await app.conversations.handle(key, Command("st\udc00art"))
        assert error_text not in [r.text for r in replies]
    finally:
        await app.close()
