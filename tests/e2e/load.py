"""A load of scripted people talking to a running goodhelp through the fake Bot API, and
the checks made afterwards. Shared by tests/e2e/test_workers_e2e.py and bench/workers.py.

Two kinds of people, on the shipped flows (paths checked with ``goodhelp chat``):

- newcomers: /start, English, yes to the privacy note, a name. Six replies to four
  messages. Every fifth one sends the last three at once, as a quick burst.
- returning people, seeded in the database before the bot starts with a check-in that is
  already due: they get the check-in (the policy's nudge: a line of encouragement and the
  question), say "Not now", then log a win with /win and rate their confidence. Seven
  replies to four messages, two of them the scheduled check-in.

Each person sends their next message only once the replies to the last one arrived. The
checks: every person's replies complete and in order (each reply must contain the marker
expected at its place; the markers carry the person's own name and words, so two of one
person's turns handled the other way round fail the check), nothing sent twice, each
due check-in sent once, and no 429 from the fake.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fake_bot_api import BotMessage, FakeBotAPI
from tests.fake_bot_api.faults import LIMITED_METHODS

FIRST_CHAT = 7_000_001
CHECKIN = "quick check-in"  # in both of the check-in greeting's variants


@dataclass(frozen=True)
class Step:
    """What a person sends at once (nothing: they wait for the bot) and the replies they
    then expect: one marker per reply, a piece of text that reply must contain."""

    say: tuple[str, ...]
    expect: tuple[str, ...]


@dataclass(frozen=True)
class Script:
    """One person's whole conversation."""

    chat_id: int
    steps: tuple[Step, ...]
    returning: bool = False  # seeded in the database with a due check-in
    burst: bool = False

    @property
    def expected(self) -> list[str]:
        return [marker for step in self.steps for marker in step.expect]

    @property
    def messages(self) -> int:
        return sum(len(step.say) for step in self.steps)


def newcomer(chat_id: int, burst: bool, at_once: bool = False) -> Script:
    """/start, English, yes, a name; with ``burst`` the last three at once, with
    ``at_once`` all four (an open loop: the person does not wait for any reply)."""
    name = f"Sam {chat_id}"
    steps = [Step(("/start",), ("Which language",)),
             Step(("1",), ("I'm goodhelp", "Before we start")),
             Step(("Yes, that's OK",), ("call you",)),
             Step((name,), (f"meet you, {name}.", "What matters most"))]
    if burst:  # the last three at once: handled in another order, the replies differ
        steps = [steps[0], Step(tuple(s.say[0] for s in steps[1:]),
                                tuple(m for s in steps[1:] for m in s.expect))]
    if at_once:
        steps = [Step(tuple(t for s in steps for t in s.say),
                      tuple(m for s in steps for m in s.expect))]
    return Script(chat_id, tuple(steps), burst=burst or at_once)


def returning(chat_id: int) -> Script:
    win = f'"I phoned the job centre {chat_id}"'
    return Script(chat_id, (
        Step((), ("", CHECKIN)),  # a line of encouragement, then the check-in's question
        Step(("Not now",), ("That's fine",)),
        Step(("/win",), ("",)),  # one of two questions; the next reply proves it was the win's
        Step((win.strip('"'),), (win, "how confident")),
        Step(("7",), ("7 out of 10",)),
    ), returning=True)


def people(count: int, returning_share: float = 0.1, burst_every: int = 5,
           at_once: bool = False) -> list[Script]:
    """``count`` people: about ``returning_share`` of them returning, the rest newcomers,
    every ``burst_every``-th newcomer sending in a burst (every one sending all their
    messages at once with ``at_once``)."""
    scripts: list[Script] = []
    returners = round(count * returning_share)
    for n in range(count):
        chat_id = FIRST_CHAT + n
        if n < returners:
            scripts.append(returning(chat_id))
        else:
            scripts.append(newcomer(chat_id, burst=(n % burst_every == 0), at_once=at_once))
    return scripts


async def seed_returning(storage: Any, scripts: Sequence[Script],
                         now: datetime | None = None) -> None:
    """Returning people: consented and set up earlier, with a check-in due a minute ago.
    ``storage`` is an open goodhelp Storage (SQLite or PostgreSQL); quiet hours are off
    for them, so the check-in may go at whatever hour the test runs."""
    from bot.core.keys import PersonKey
    from bot.core.state import ConversationState
    from bot.storage.base import NextMessage, TurnWrite

    now = now or datetime.now(UTC)
    for script in scripts:
        if not script.returning:
            continue
        key = PersonKey("telegram", str(script.chat_id))
        state = ConversationState(vars={
            "language": "en", "consent": "yes", "consent_at": (now - timedelta(days=9)).isoformat(),
            "name": f", Robin {script.chat_id}", "timezone": "Europe/London",
            "checkin_time": "10:00", "quiet_start": "00:00", "quiet_end": "00:00"})
        await storage.commit_turn(TurnWrite(key, state, (), now - timedelta(days=9)))
        await storage.schedules.schedule(key, NextMessage(
            "checkin", now - timedelta(minutes=1), {"flow": "checkin"}))


class Arrivals:
    """Wakes only the person whose chat got a message (the fake's own waiting wakes every
    waiter on every call, which with 500 people costs more than the bot)."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api
        self.events: dict[int | str, asyncio.Event] = {}
        original = api.world.add_bot_message

        def added(message: BotMessage) -> None:
            original(message)
            event = self.events.get(message.chat_id)
            if event is not None:
                event.set()

        api.world.add_bot_message = added  # type: ignore[method-assign]

    def count(self, chat_id: int) -> int:
        return len(self.api.world.bot_messages_by_chat.get(chat_id, []))

    async def wait(self, chat_id: int, n: int, timeout: float) -> None:  # noqa: ASYNC109
        event = self.events.setdefault(chat_id, asyncio.Event())
        async with asyncio.timeout(timeout):
            while self.count(chat_id) < n:
                event.clear()
                await event.wait()


@dataclass
class Run:
    """How a load went: when it started and ended, and what the people sent."""

    scripts: list[Script]
    began: float = 0.0
    ended: float = 0.0
    stuck: list[str] = field(default_factory=list)  # people who waited in vain

    @property
    def seconds(self) -> float:
        return self.ended - self.began

    @property
    def turns(self) -> int:
        return sum(s.messages for s in self.scripts)

    @property
    def replies(self) -> int:
        return sum(len(s.expected) for s in self.scripts)


async def play(api: FakeBotAPI, scripts: list[Script], *,
               timeout: float = 120) -> Run:  # noqa: ASYNC109 - per person, not overall
    """Every person through their script at once; returns when all are done (or stuck)."""
    arrivals = Arrivals(api)
    run = Run(scripts, began=time.monotonic())

    async def person(script: Script) -> None:
        owed = 0
        for step in script.steps:
            for text in step.say:
                api.send_text(script.chat_id, text, first_name="Sam")
            owed += len(step.expect)
            try:
                await arrivals.wait(script.chat_id, owed, timeout)
            except TimeoutError:
                run.stuck.append(f"{script.chat_id} waited {timeout:.0f}s for reply {owed}")
                return

    await asyncio.gather(*(person(s) for s in scripts))
    run.ended = time.monotonic()
    return run


async def quiet(api: FakeBotAPI, seconds: float = 1.5, timeout: float = 60) -> None:  # noqa: ASYNC109
    """Wait until every update is confirmed and no send happened for ``seconds``: anything
    the bot still meant to send (a duplicate, a stray check-in) has then been sent."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    calls, since = len(api.world.calls), loop.time()
    while loop.time() - since < seconds or api.pending_updates:
        if len(api.world.calls) != calls:
            calls, since = len(api.world.calls), loop.time()
        if loop.time() > deadline:
            raise TimeoutError(f"{len(api.pending_updates)} updates still undelivered")
        await asyncio.sleep(0.05)


@dataclass
class Verdict:
    """What the checks found: problems (each one line) and duplicated sends, per person."""

    problems: list[str] = field(default_factory=list)
    duplicates: dict[int, int] = field(default_factory=dict)
    checkins: dict[int, int] = field(default_factory=dict)  # greetings per returning person

    @property
    def duplicate_count(self) -> int:
        return sum(self.duplicates.values())


def check(api: FakeBotAPI, run: Run) -> Verdict:
    """Every person's replies complete, in order, none twice; one check-in each; no 429."""
    verdict = Verdict(list(run.stuck))
    for script in run.scripts:
        texts = [m.text or m.caption or "" for m in api.messages_to(script.chat_id)]
        kept: list[str] = []
        for text in texts:  # a send repeated at once (e.g. across a crash) is a duplicate
            if kept and text == kept[-1]:
                verdict.duplicates[script.chat_id] = verdict.duplicates.get(script.chat_id, 0) + 1
                continue
            kept.append(text)
        greetings = sum(CHECKIN in text for text in texts)
        if script.returning:
            verdict.checkins[script.chat_id] = greetings
        if greetings != (1 if script.returning else 0):
            verdict.problems.append(f"{script.chat_id}: {greetings} check-in greetings")
        expected = script.expected
        if len(kept) != len(expected):
            verdict.problems.append(
                f"{script.chat_id}: {len(kept)} replies, expected {len(expected)}: {kept}")
            continue
        for place, (text, marker) in enumerate(zip(kept, expected, strict=True)):
            if marker not in text:
                verdict.problems.append(
                    f"{script.chat_id}: reply {place + 1} {text[:70]!r} lacks {marker!r}")
                break
    if api.count_429:
        verdict.problems.append(f"the fake answered {api.count_429} sends with 429")
    return verdict


def busiest_second(api: FakeBotAPI) -> int:
    """The most messages the fake accepted in any one-second window."""
    times = sorted(c.time for c in api.world.calls
                   if c.ok and c.method.lower() in LIMITED_METHODS)
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def sent_count(api: FakeBotAPI) -> int:
    """Messages the fake accepted (sends and edits that count against the limits)."""
    return sum(1 for c in api.world.calls if c.ok and c.method.lower() in LIMITED_METHODS)
